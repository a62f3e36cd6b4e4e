// SPDX-License-Identifier: MIT
/*
 * Unit tests of the modern virtio PCI transport's register logic
 * (vmm/virtio/virtio_pci.c) with a virtio-blk device behind it and fake
 * bus glue (MSI-X enable bit, the vectors sent, the INTx level): the
 * capabilities, a driver's initialization through the common
 * configuration structure as Linux does it, 64-bit fields as 32-bit
 * halves, refused access widths, notification, ISR read-to-clear and INTx,
 * MSI-X vectors, and reset.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <cmocka.h>

#include "kernel/log.h"
#include "tests/unit/virtq_driver.h"
#include "vmm/virtio/virtio_blk.h"
#include "vmm/virtio/virtio_pci.h"

void printk(int level, const char *fmt, ...) { (void)level, (void)fmt; }

static bool msix_on;
static int last_vector;
static unsigned msis;
static bool intx_level;

static bool fake_msix_enabled(void *ctx) { (void)ctx; return msix_on; }
static void fake_msix_notify(void *ctx, u16 v) { (void)ctx; last_vector = v; msis++; }
static void fake_intx(void *ctx, bool level) { (void)ctx; intx_level = level; }

static const struct virtio_pci_ops glue = { fake_msix_enabled, fake_msix_notify, fake_intx };

static struct virtio_blk blk;
static struct virtio_pci vp;
static u8 disk[64 * 512];

static u64 rd(u64 off, unsigned size) { return virtio_pci_bar_read(&vp, off, size); }
static void wr(u64 off, unsigned size, u64 v) { virtio_pci_bar_write(&vp, off, size, v); }
static u64 crd(u64 off, unsigned size) { return rd(VIRTIO_PCI_COMMON_OFF + off, size); }
static void cwr(u64 off, unsigned size, u64 v) { wr(VIRTIO_PCI_COMMON_OFF + off, size, v); }

static int setup(void **state)
{
	(void)state;
	vd_init();
	msix_on = false;
	last_vector = -1;
	msis = 0;
	intx_level = false;
	assert_true(virtio_blk_init(&blk, disk, sizeof(disk), false, "pci", &vd_mem, "alpha"));
	virtio_pci_init(&vp, &blk.vdev, &glue, NULL, 4);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	vd_fini();
	return 0;
}

/* Linux's virtio_pci_modern probe order (§3.1.1), queue 0 at the fake
 * driver's rings, queue vector @qvec. */
static void driver_init(u16 qvec)
{
	u32 f0, f1;

	cwr(VIRTIO_PCI_STATUS, 1, 0);
	cwr(VIRTIO_PCI_STATUS, 1, VIRTIO_STATUS_ACKNOWLEDGE);
	cwr(VIRTIO_PCI_STATUS, 1, VIRTIO_STATUS_ACKNOWLEDGE | VIRTIO_STATUS_DRIVER);
	cwr(VIRTIO_PCI_DFSELECT, 4, 0);
	f0 = (u32)crd(VIRTIO_PCI_DF, 4);
	cwr(VIRTIO_PCI_DFSELECT, 4, 1);
	f1 = (u32)crd(VIRTIO_PCI_DF, 4);
	assert_int_equal(f1, 1); /* VERSION_1 */
	cwr(VIRTIO_PCI_GFSELECT, 4, 0);
	cwr(VIRTIO_PCI_GF, 4, f0);
	cwr(VIRTIO_PCI_GFSELECT, 4, 1);
	cwr(VIRTIO_PCI_GF, 4, f1);
	cwr(VIRTIO_PCI_STATUS, 1, 0x0b);
	assert_int_equal(crd(VIRTIO_PCI_STATUS, 1), 0x0b);
	cwr(VIRTIO_PCI_MSIX_CONFIG, 2, 0);
	cwr(VIRTIO_PCI_Q_SELECT, 2, 0);
	assert_int_equal(crd(VIRTIO_PCI_Q_SIZE, 2), VIRTQ_MAX_SIZE);
	cwr(VIRTIO_PCI_Q_SIZE, 2, 8);
	cwr(VIRTIO_PCI_Q_MSIX, 2, qvec);
	cwr(VIRTIO_PCI_Q_DESC, 4, VD_DESC);      /* low half */
	cwr(VIRTIO_PCI_Q_DESC + 4, 4, 0);        /* high half */
	cwr(VIRTIO_PCI_Q_AVAIL, 8, VD_AVAIL);    /* whole */
	cwr(VIRTIO_PCI_Q_USED, 4, VD_USED);
	cwr(VIRTIO_PCI_Q_USED + 4, 4, 0);
	cwr(VIRTIO_PCI_Q_ENABLE, 2, 1);
	cwr(VIRTIO_PCI_STATUS, 1, 0x0f);
	assert_int_equal(crd(VIRTIO_PCI_STATUS, 1), 0x0f);
}

/* One FLUSH request on queue 0, notified through the notify region. */
static void flush_request(void)
{
	u32 h[4] = { VIRTIO_BLK_T_FLUSH, 0, 0, 0 };

	memcpy(vd_ptr(VD_BUF), h, 16);
	vd_set(VD_DESC, 0, VD_BUF, 16, VIRTQ_DESC_F_NEXT, 1);
	vd_set(VD_DESC, 1, VD_BUF + 0x100, 1, VIRTQ_DESC_F_WRITE, 0);
	vd_offer(0, 8, 0);
	wr(VIRTIO_PCI_NOTIFY_OFF + crd(VIRTIO_PCI_Q_NOFF, 2) * VIRTIO_PCI_NOTIFY_MULT, 2, 0);
}

static void test_capabilities_and_ids(void **state)
{
	u8 cap[20];

	(void)state;
	assert_int_equal(virtio_pci_cap(VIRTIO_PCI_CAP_COMMON_CFG, 2, cap), 16);
	assert_memory_equal(cap, "\x09\x00\x10\x01\x02\x00\x00\x00\x00\x00\x00\x00\x3c\x00\x00\x00", 16);
	assert_int_equal(virtio_pci_cap(VIRTIO_PCI_CAP_NOTIFY_CFG, 2, cap), 20);
	assert_int_equal(cap[2], 20);
	assert_int_equal(cap[3], VIRTIO_PCI_CAP_NOTIFY_CFG);
	assert_int_equal(cap[9], VIRTIO_PCI_NOTIFY_OFF >> 8);
	assert_int_equal(cap[16], VIRTIO_PCI_NOTIFY_MULT);
	assert_int_equal(virtio_pci_cap(VIRTIO_PCI_CAP_ISR_CFG, 0, cap), 16);
	assert_int_equal(cap[9], VIRTIO_PCI_ISR_OFF >> 8);
	assert_int_equal(virtio_pci_cap(VIRTIO_PCI_CAP_DEVICE_CFG, 0, cap), 16);
	assert_int_equal(virtio_pci_cap(5, 0, cap), 0); /* PCI cfg access: not offered */
	assert_int_equal(virtio_pci_device_id(VIRTIO_ID_BLOCK), 0x1042);
	assert_int_equal(virtio_pci_class(VIRTIO_ID_NET), 0x020000);
}

static void test_linux_init_and_request_intx(void **state)
{
	(void)state;
	driver_init(VIRTIO_MSI_NO_VECTOR);
	assert_int_equal(crd(VIRTIO_PCI_NUM_QUEUES, 2), 1);
	assert_int_equal(crd(VIRTIO_PCI_Q_DESC, 8), VD_DESC);
	assert_int_equal(crd(VIRTIO_PCI_Q_AVAIL + 4, 4), 0);
	assert_int_equal(crd(VIRTIO_PCI_Q_ENABLE, 2), 1);
	assert_int_equal(rd(VIRTIO_PCI_DEVICE_OFF + VIRTIO_BLK_CFG_CAPACITY, 4), 64);
	flush_request();
	assert_int_equal(vd_used(0)[1], 1);
	assert_int_equal(*(u8 *)vd_ptr(VD_BUF + 0x100), VIRTIO_BLK_S_OK);
	assert_true(intx_level);
	assert_int_equal(msis, 0);
	assert_int_equal(rd(VIRTIO_PCI_ISR_OFF, 1), VIRTIO_PCI_ISR_QUEUE);
	assert_false(intx_level);
	assert_int_equal(rd(VIRTIO_PCI_ISR_OFF, 1), 0);
}

static void test_msix_vectors(void **state)
{
	(void)state;
	msix_on = true;
	driver_init(2);
	assert_int_equal(crd(VIRTIO_PCI_Q_MSIX, 2), 2);
	assert_int_equal(crd(VIRTIO_PCI_MSIX_CONFIG, 2), 0);
	flush_request();
	assert_int_equal(msis, 1);
	assert_int_equal(last_vector, 2);
	assert_false(intx_level);
	assert_int_equal(vp.isr, 0); /* no queue bit with MSI-X */
	/* config change: vector 0, and the ISR config bit */
	virtio_config_changed(&blk.vdev);
	assert_int_equal(last_vector, 0);
	assert_int_equal(rd(VIRTIO_PCI_ISR_OFF, 1), VIRTIO_PCI_ISR_CONFIG);
	assert_int_equal(crd(VIRTIO_PCI_CFG_GENERATION, 1), 1);
	/* a vector beyond the table is refused */
	cwr(VIRTIO_PCI_MSIX_CONFIG, 2, 4);
	assert_int_equal(crd(VIRTIO_PCI_MSIX_CONFIG, 2), VIRTIO_MSI_NO_VECTOR);
}

static void test_bad_widths_refused(void **state)
{
	(void)state;
	cwr(VIRTIO_PCI_STATUS, 1, VIRTIO_STATUS_ACKNOWLEDGE);
	assert_int_equal(crd(VIRTIO_PCI_DF, 2), 0);          /* half a 32-bit field */
	assert_int_equal(crd(VIRTIO_PCI_NUM_QUEUES + 1, 1), 0);
	assert_int_equal(crd(VIRTIO_PCI_STATUS, 2), 0);      /* status and generation */
	assert_int_equal(crd(VIRTIO_PCI_Q_DESC + 2, 4), 0);  /* not a half */
	assert_int_equal(crd(VIRTIO_PCI_COMMON_LEN, 4), 0);  /* past the end */
	cwr(VIRTIO_PCI_STATUS, 4, 0);                         /* wrong width: no reset */
	assert_int_equal(crd(VIRTIO_PCI_STATUS, 1), VIRTIO_STATUS_ACKNOWLEDGE);
	cwr(VIRTIO_PCI_Q_SIZE, 4, 4);
	assert_int_equal(crd(VIRTIO_PCI_Q_SIZE, 2), VIRTQ_MAX_SIZE);
	assert_int_equal(rd(VIRTIO_PCI_ISR_OFF, 4), 0);
	assert_int_equal(rd(VIRTIO_PCI_BAR_SIZE - 4, 4), 0); /* unused space */
}

static void test_queue_select_beyond(void **state)
{
	(void)state;
	cwr(VIRTIO_PCI_Q_SELECT, 2, 5);
	assert_int_equal(crd(VIRTIO_PCI_Q_SELECT, 2), 5);
	assert_int_equal(crd(VIRTIO_PCI_Q_SIZE, 2), 0);
	assert_int_equal(crd(VIRTIO_PCI_Q_MSIX, 2), VIRTIO_MSI_NO_VECTOR);
	cwr(VIRTIO_PCI_Q_ENABLE, 2, 1);
	assert_int_equal(crd(VIRTIO_PCI_Q_ENABLE, 2), 0);
	wr(VIRTIO_PCI_NOTIFY_OFF + 4 * 5, 2, 5); /* notify a queue that is not there */
}

static void test_reset_clears_transport(void **state)
{
	(void)state;
	driver_init(VIRTIO_MSI_NO_VECTOR);
	flush_request();
	assert_true(intx_level);
	cwr(VIRTIO_PCI_Q_MSIX, 2, 1); /* a vector the reset must forget */
	cwr(VIRTIO_PCI_STATUS, 1, 0);
	assert_false(intx_level);
	assert_int_equal(crd(VIRTIO_PCI_STATUS, 1), 0);
	assert_int_equal(crd(VIRTIO_PCI_Q_ENABLE, 2), 0);
	assert_int_equal(crd(VIRTIO_PCI_Q_MSIX, 2), VIRTIO_MSI_NO_VECTOR);
	assert_int_equal(crd(VIRTIO_PCI_MSIX_CONFIG, 2), VIRTIO_MSI_NO_VECTOR);
	assert_int_equal(crd(VIRTIO_PCI_Q_DESC, 8), 0);
}

static void test_bad_ring_raises_config_interrupt(void **state)
{
	(void)state;
	driver_init(VIRTIO_MSI_NO_VECTOR);
	vd_offer(0, 8, 9); /* head out of range */
	wr(VIRTIO_PCI_NOTIFY_OFF, 2, 0);
	assert_true(crd(VIRTIO_PCI_STATUS, 1) & VIRTIO_STATUS_NEEDS_RESET);
	assert_true(intx_level);
	assert_int_equal(rd(VIRTIO_PCI_ISR_OFF, 1), VIRTIO_PCI_ISR_CONFIG);
}

#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_capabilities_and_ids),
		T(test_linux_init_and_request_intx),
		T(test_msix_vectors),
		T(test_bad_widths_refused),
		T(test_queue_select_beyond),
		T(test_reset_clears_transport),
		T(test_bad_ring_raises_config_interrupt),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
