// SPDX-License-Identifier: MIT
/*
 * 8042 keyboard controller and port 0x92 (kbc8042.h). Status register
 * bits (IBM PC/AT technical reference, keyboard controller): 0 output
 * buffer full, 1 input buffer full (always 0: every byte is taken at
 * once), 2 system flag (command byte bit 2), 3 command/data (the last
 * write went to the command port), 4 inhibit switch (1 = not inhibited),
 * 5 auxiliary output buffer full, 6 timeout, 7 parity error. Command byte:
 * 0 keyboard interrupt, 1 auxiliary interrupt, 2 system flag, 4 keyboard
 * disabled, 5 auxiliary disabled, 6 scan code translation. Output port:
 * 0 system reset (active low), 1 A20 gate, 4 keyboard output buffer full,
 * 5 auxiliary output buffer full. Keyboard commands and replies follow
 * the PC/AT keyboard's (ACK 0xFA, BAT passed 0xAA, ID 0xAB 0x83).
 */
#include "kernel/string.h"
#include "vmm/dev/kbc8042.h"

#define ST_OBF 0x01
#define ST_SYS 0x04
#define ST_CMD 0x08
#define ST_UNINHIBITED 0x10
#define ST_AUX_OBF 0x20

#define CB_KBD_INT 0x01
#define CB_SYS 0x04
#define CB_KBD_DISABLED 0x10
#define CB_XLATE 0x40

#define OUT_RESET 0x01 /* low = CPU reset */
#define OUT_A20 0x02
#define OUT_KBD_OBF 0x10
#define OUT_BITS 0xcf  /* bits 4-5 reflect the buffers */

#define PORT_A_RESET 0x01
#define PORT_A_A20 0x02

/* Controller commands (written to the command register). */
#define C_READ_RAM 0x20   /* 0x20-0x3f: byte n of RAM, 0x20 = command byte */
#define C_WRITE_RAM 0x60  /* 0x60-0x7f: the next data byte to RAM byte n */
#define C_AUX_DISABLE 0xa7
#define C_AUX_ENABLE 0xa8
#define C_AUX_TEST 0xa9
#define C_SELF_TEST 0xaa
#define C_KBD_TEST 0xab
#define C_KBD_DISABLE 0xad
#define C_KBD_ENABLE 0xae
#define C_READ_OUT 0xd0
#define C_WRITE_OUT 0xd1
#define C_WRITE_KBD_OBUF 0xd2
#define C_WRITE_AUX_OBUF 0xd3 /* the aux loopback */
#define C_WRITE_AUX 0xd4
#define C_A20_OFF 0xdd
#define C_A20_ON 0xdf
#define C_READ_TEST 0xe0
#define C_PULSE 0xf0      /* 0xf0-0xff: pulse output bits 3-0 that are 0 */

#define R_SELF_TEST_OK 0x55
#define R_TEST_OK 0x00
#define R_CLOCK_STUCK_LOW 0x01
#define R_AUX_DEAD 0xfe

/* Keyboard commands and replies. */
#define K_SET_LEDS 0xed
#define K_ECHO 0xee
#define K_SCANCODE_SET 0xf0
#define K_IDENTIFY 0xf2
#define K_TYPEMATIC 0xf3
#define K_ENABLE 0xf4
#define K_DISABLE 0xf5
#define K_DEFAULTS 0xf6
#define K_RESET 0xff
#define K_ACK 0xfa
#define K_BAT_OK 0xaa
#define K_ID0 0xab
#define K_ID1 0x83       /* 0x41 after translation to scan code set 1 */
#define K_ID1_XLATED 0x41
#define K_SET2 0x02

/* ---- output queue and IRQ 1 ---- */

static void kbc_irq_set(struct kbc *k, bool level)
{
	if (level != k->irq_out) {
		k->irq_out = level;
		if (k->hooks.irq)
			k->hooks.irq(k->hooks.ctx, level);
	}
}

/* IRQ 1 is the keyboard output-buffer-full line, gated by the command byte. */
static void kbc_update_irq(struct kbc *k)
{
	kbc_irq_set(k, k->count && !k->queue_aux[k->head] && (k->ram[0] & CB_KBD_INT));
}

static void kbc_push(struct kbc *k, u8 b, bool aux)
{
	unsigned i;

	if (k->count == KBC_QUEUE)
		return; /* overflow: the byte is lost, as with a full buffer */
	i = (k->head + k->count) % KBC_QUEUE;
	k->queue[i] = b;
	k->queue_aux[i] = aux;
	k->count++;
	kbc_update_irq(k);
}

/* Reading the data register empties the output buffer: IRQ 1 drops, and
 * rises again for a byte that follows (an edge per byte). */
static u8 kbc_pop(struct kbc *k)
{
	u8 b;

	if (!k->count)
		return k->queue[(k->head + KBC_QUEUE - 1) % KBC_QUEUE]; /* stale */
	b = k->queue[k->head];
	k->head = (k->head + 1) % KBC_QUEUE;
	k->count--;
	kbc_irq_set(k, false);
	kbc_update_irq(k);
	return b;
}

static void kbc_reset_cpu(struct kbc *k)
{
	if (k->hooks.reset)
		k->hooks.reset(k->hooks.ctx);
}

/* ---- the keyboard ---- */

static bool kbc_translating(const struct kbc *k)
{
	return k->ram[0] & CB_XLATE;
}

/* The parameter byte of a keyboard command. */
static void kbd_param(struct kbc *k, u8 cmd, u8 b)
{
	kbc_push(k, K_ACK, false);
	if (cmd == K_SCANCODE_SET && b == 0) /* query: set 2 in use */
		kbc_push(k, kbc_translating(k) ? K_ID1_XLATED : K_SET2, false);
}

static void kbd_command(struct kbc *k, u8 b)
{
	switch (b) {
	case K_ECHO:
		kbc_push(k, K_ECHO, false);
		return;
	case K_SET_LEDS:
	case K_TYPEMATIC:
	case K_SCANCODE_SET:
		k->kbd_pending = b;
		break;
	case K_DISABLE:
		k->kbd_enabled = false;
		break;
	case K_ENABLE:
	case K_DEFAULTS:
		k->kbd_enabled = true;
		break;
	default:
		break;
	}
	kbc_push(k, K_ACK, false);
	if (b == K_RESET) {
		k->kbd_enabled = true;
		kbc_push(k, K_BAT_OK, false);
	} else if (b == K_IDENTIFY) {
		kbc_push(k, K_ID0, false);
		kbc_push(k, kbc_translating(k) ? K_ID1_XLATED : K_ID1, false);
	}
}

static void kbd_write(struct kbc *k, u8 b)
{
	u8 cmd = k->kbd_pending;

	if (cmd) {
		k->kbd_pending = 0;
		kbd_param(k, cmd, b);
	} else {
		kbd_command(k, b);
	}
}

/* ---- the controller ---- */

static u8 kbc_out_port(const struct kbc *k)
{
	return (k->out_port & OUT_BITS) | (k->irq_out ? OUT_KBD_OBF : 0);
}

static void kbc_write_out_port(struct kbc *k, u8 v)
{
	k->out_port = v & OUT_BITS;
	if (!(v & OUT_RESET))
		kbc_reset_cpu(k);
}

/* The data byte that follows a controller command. */
static void kbc_command_data(struct kbc *k, u8 cmd, u8 b)
{
	if (cmd >= C_WRITE_RAM && cmd < C_WRITE_RAM + 0x20) {
		k->ram[cmd - C_WRITE_RAM] = b;
		kbc_update_irq(k);
		return;
	}
	switch (cmd) {
	case C_WRITE_OUT:
		kbc_write_out_port(k, b);
		break;
	case C_WRITE_KBD_OBUF:
		kbc_push(k, b, false);
		break;
	case C_WRITE_AUX_OBUF:
		kbc_push(k, R_AUX_DEAD, true);
		break;
	default:
		break; /* C_WRITE_AUX: nobody is there */
	}
}

/* Commands without a data byte. */
static void kbc_simple_command(struct kbc *k, u8 cmd)
{
	switch (cmd) {
	case C_AUX_TEST:
		kbc_push(k, R_CLOCK_STUCK_LOW, false);
		break;
	case C_SELF_TEST:
		k->ram[0] |= CB_SYS;
		kbc_push(k, R_SELF_TEST_OK, false);
		break;
	case C_KBD_TEST:
		kbc_push(k, R_TEST_OK, false);
		break;
	case C_KBD_DISABLE:
		k->ram[0] |= CB_KBD_DISABLED;
		break;
	case C_KBD_ENABLE:
		k->ram[0] &= ~CB_KBD_DISABLED;
		break;
	case C_READ_OUT:
		kbc_push(k, kbc_out_port(k), false);
		break;
	case C_A20_OFF:
		k->out_port &= ~OUT_A20;
		break;
	case C_A20_ON:
		k->out_port |= OUT_A20;
		break;
	case C_READ_TEST:
		kbc_push(k, 0, false);
		break;
	default:
		break; /* 0xa7/0xa8 (no aux to switch) and unknown commands */
	}
}

static void kbc_command(struct kbc *k, u8 cmd)
{
	k->pending = 0;
	if (cmd >= C_READ_RAM && cmd < C_READ_RAM + 0x20)
		kbc_push(k, k->ram[cmd - C_READ_RAM], false);
	else if ((cmd >= C_WRITE_RAM && cmd < C_WRITE_RAM + 0x20) ||
		 (cmd >= C_WRITE_OUT && cmd <= C_WRITE_AUX))
		k->pending = cmd;
	else if (cmd >= C_PULSE && !(cmd & OUT_RESET))
		kbc_reset_cpu(k); /* pulsing bit 0 low resets: 0xfe */
	else
		kbc_simple_command(k, cmd);
}

void kbc_init(struct kbc *k, const struct kbc_hooks *hooks)
{
	memset(k, 0, sizeof(*k));
	k->ram[0] = CB_KBD_INT | CB_SYS | CB_XLATE;
	k->out_port = OUT_RESET | OUT_A20;
	k->port_a = PORT_A_A20;
	k->kbd_enabled = true;
	k->hooks = *hooks;
}

u64 kbc_data_read(void *dev, u64 offset, unsigned size)
{
	struct kbc *k = dev;
	u64 f = spin_lock_irqsave(&k->lock);
	u8 b = kbc_pop(k);

	(void)offset, (void)size;
	spin_unlock_irqrestore(&k->lock, f);
	return b;
}

void kbc_data_write(void *dev, u64 offset, unsigned size, u64 val)
{
	struct kbc *k = dev;
	u64 f = spin_lock_irqsave(&k->lock);
	u8 cmd = k->pending;

	(void)offset, (void)size;
	k->status &= ~ST_CMD;
	k->pending = 0;
	if (cmd)
		kbc_command_data(k, cmd, (u8)val);
	else
		kbd_write(k, (u8)val);
	spin_unlock_irqrestore(&k->lock, f);
}

u64 kbc_status_read(void *dev, u64 offset, unsigned size)
{
	struct kbc *k = dev;
	u64 f = spin_lock_irqsave(&k->lock);
	u8 s = (k->status & ST_CMD) | ST_UNINHIBITED | (k->ram[0] & CB_SYS ? ST_SYS : 0);

	(void)offset, (void)size;
	if (k->count)
		s |= ST_OBF | (k->queue_aux[k->head] ? ST_AUX_OBF : 0);
	spin_unlock_irqrestore(&k->lock, f);
	return s;
}

void kbc_command_write(void *dev, u64 offset, unsigned size, u64 val)
{
	struct kbc *k = dev;
	u64 f = spin_lock_irqsave(&k->lock);

	(void)offset, (void)size;
	k->status |= ST_CMD;
	kbc_command(k, (u8)val);
	spin_unlock_irqrestore(&k->lock, f);
}

u64 kbc_port_a_read(void *dev, u64 offset, unsigned size)
{
	struct kbc *k = dev;

	(void)offset, (void)size;
	return __atomic_load_n(&k->port_a, __ATOMIC_RELAXED);
}

void kbc_port_a_write(void *dev, u64 offset, unsigned size, u64 val)
{
	struct kbc *k = dev;
	u64 f = spin_lock_irqsave(&k->lock);
	bool reset = (val & PORT_A_RESET) && !(k->port_a & PORT_A_RESET);

	(void)offset, (void)size;
	k->port_a = (u8)val;
	if (reset)
		kbc_reset_cpu(k);
	spin_unlock_irqrestore(&k->lock, f);
}
