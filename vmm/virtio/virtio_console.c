// SPDX-License-Identifier: MIT
/*
 * virtio-console, one port (virtio_console.h), virtio spec v1.2 §5.3.
 * Transmit: every readable byte of a transmitq chain goes to the tx
 * callback, span by span; used length 0 (§5.3.6.2: the device writes
 * nothing). Receive: pending input fills receiveq chains in order, only
 * when there is input, so an empty ring consumes no guest buffer.
 */
#include "kernel/string.h"
#include "vmm/virtio/virtio_console.h"

static struct virtio_console *to_con(struct virtio_dev *d)
{
	return (struct virtio_console *)d;
}

u32 virtio_console_rx_room(const struct virtio_console *c)
{
	return VIRTIO_CONSOLE_RX_BUF - c->rx_count;
}

/* Move pending input into the chain popped in d->chain; bytes moved. */
static u32 rx_fill(struct virtio_console *c)
{
	const struct virtq_chain *ch = &c->vdev.chain;
	u32 n = MIN(c->rx_count, ch->write_len), done = 0;

	while (done < n) {
		u32 run = MIN(n - done, VIRTIO_CONSOLE_RX_BUF - c->rx_head);

		virtq_chain_write(ch, done, c->rx + c->rx_head, run);
		c->rx_head = (c->rx_head + run) % VIRTIO_CONSOLE_RX_BUF;
		c->rx_count -= run;
		done += run;
	}
	return done;
}

static void rx_deliver(struct virtio_console *c)
{
	struct virtio_dev *d = &c->vdev;
	bool any = false;

	while (c->rx_count && virtio_pop(d, VIRTIO_CONSOLE_RX_QUEUE)) {
		virtio_push(d, VIRTIO_CONSOLE_RX_QUEUE, d->chain.head, rx_fill(c));
		any = true;
	}
	if (any)
		virtio_queue_interrupt(d, VIRTIO_CONSOLE_RX_QUEUE);
}

u32 virtio_console_input(struct virtio_console *c, const u8 *buf, u32 len)
{
	u32 n = MIN(len, virtio_console_rx_room(c));

	for (u32 i = 0; i < n; i++)
		c->rx[(c->rx_head + c->rx_count + i) % VIRTIO_CONSOLE_RX_BUF] = buf[i];
	c->rx_count += n;
	rx_deliver(c);
	return n;
}

static void tx_drain(struct virtio_console *c)
{
	struct virtio_dev *d = &c->vdev;
	const struct virtq_chain *ch = &d->chain;

	while (virtio_pop(d, VIRTIO_CONSOLE_TX_QUEUE)) {
		for (u16 i = 0; i < ch->nread; i++)
			c->tx(c->tx_ctx, ch->span[i].p, ch->span[i].len);
		virtio_push(d, VIRTIO_CONSOLE_TX_QUEUE, ch->head, 0);
	}
	virtio_queue_interrupt(d, VIRTIO_CONSOLE_TX_QUEUE);
}

static void con_notify(struct virtio_dev *d, u16 q)
{
	if (q == VIRTIO_CONSOLE_TX_QUEUE)
		tx_drain(to_con(d));
	else
		rx_deliver(to_con(d));
}

static void con_driver_ok(struct virtio_dev *d)
{
	rx_deliver(to_con(d));
}

/* §5.3.4: a write to emerg_wr outputs its low byte at once. */
static void con_config_write(struct virtio_dev *d, u32 off, unsigned len, u32 val)
{
	struct virtio_console *c = to_con(d);
	u8 ch = (u8)val;

	(void)len;
	if (off == VIRTIO_CONSOLE_CFG_EMERG_WR)
		c->tx(c->tx_ctx, &ch, 1);
}

static const struct virtio_dev_ops con_ops = {
	.notify = con_notify,
	.driver_ok = con_driver_ok,
	.config_write = con_config_write,
};

void virtio_console_init(struct virtio_console *c,
			 void (*tx)(void *ctx, const u8 *buf, u32 len), void *ctx,
			 const struct gmem *mem, const char *vm_name)
{
	c->tx = tx;
	c->tx_ctx = ctx;
	c->rx_head = c->rx_count = 0;
	memset(c->config, 0, sizeof(c->config));
	virtio_put32(c->config + 4, 1); /* max_nr_ports (only with MULTIPORT) */
	virtio_dev_init(&c->vdev, &con_ops, "console", VIRTIO_ID_CONSOLE, 2,
			VIRTIO_BIT(VIRTIO_CONSOLE_F_EMERG_WRITE), c->config, sizeof(c->config),
			mem, vm_name);
}
