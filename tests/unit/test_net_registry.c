// SPDX-License-Identifier: MIT
/*
 * Unit tests of the switches by name (vmm/net/registry.c): one switch per
 * name, shared by every NIC that names it, apart from the others (a
 * broadcast on one reaches no port of another), and no switch past
 * NET_REGISTRY_MAX names.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "kernel/string.h"
#include "vmm/net/registry.h"

static struct net_port pa, pb, pc;
static const u8 mac_a[6] = { 0x02, 0, 0, 0, 0, 0xa };
static const u8 mac_b[6] = { 0x02, 0, 0, 0, 0, 0xb };
static const u8 mac_c[6] = { 0x02, 0, 0, 0, 0, 0xc };

static void no_kick(void *ctx) { (void)ctx; }

static void test_same_name_same_switch(void **state)
{
	struct net_switch *a = net_switch_get("lan0"), *b = net_switch_get("lan0");

	(void)state;
	assert_non_null(a);
	assert_ptr_equal(a, b);
	assert_string_equal(a->name, "lan0");
	assert_ptr_not_equal(net_switch_get("lan1"), a);
}

static void test_switches_apart(void **state)
{
	struct net_switch *l0 = net_switch_get("lan0"), *l1 = net_switch_get("lan1");
	u8 frame[60] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x02, 0, 0, 0, 0, 0xa };

	(void)state;
	assert_true(net_switch_attach(l0, &pa, mac_a, no_kick, NULL));
	assert_true(net_switch_attach(net_switch_get("lan0"), &pb, mac_b, no_kick, NULL));
	assert_true(net_switch_attach(l1, &pc, mac_c, no_kick, NULL));
	assert_int_equal(net_switch_send(&pa, frame, sizeof(frame), NULL), 1);
	assert_int_equal(net_port_peek(&pb), sizeof(frame));
	assert_int_equal(net_port_peek(&pc), 0);
}

static void test_table_full(void **state)
{
	char name[8];
	unsigned made = 0;

	(void)state;
	for (unsigned i = 0; i < NET_REGISTRY_MAX + 2; i++) {
		name[0] = 's', name[1] = (char)('a' + i), name[2] = 0;
		made += net_switch_get(name) != NULL;
	}
	/* lan0 and lan1 from the cases before take two of the slots */
	assert_int_equal(made, NET_REGISTRY_MAX - 2);
	assert_non_null(net_switch_get("lan0"));
	assert_null(net_switch_get("new"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_same_name_same_switch),
		cmocka_unit_test(test_switches_apart),
		cmocka_unit_test(test_table_full),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
