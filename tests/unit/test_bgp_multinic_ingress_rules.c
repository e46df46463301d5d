// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Unit tests for frr-multinic/bgpd/bgp_multinic_ingress_rules.c (cmocka):
 * which session gets a task prefix, which NIC gives it a path in
 * single-session mode, a NIC's link bandwidth.
 */
#include "unit_test.h"

#include "bgp_multinic_ingress_rules.h"

static const struct mn_pfx_facts vip = { .known = true, .nic = "", .announce = true, .up = true };
static const struct mn_pfx_facts nic1_addr = {
	.known = true, .nic = "eth1", .announce = true, .up = true
};

/*
 * mn_out_verdict
 */

/* A VIP goes out on every NIC's session, and on sessions over none. */
static void vip_on_every_session(void **state UNUSED)
{
	struct mn_pfx_facts null_nic = vip;

	null_nic.nic = NULL;
	assert_int_equal(mn_out_verdict(&vip, "eth0"), MN_OUT_ANNOUNCE);
	assert_int_equal(mn_out_verdict(&vip, "eth1"), MN_OUT_ANNOUNCE);
	assert_int_equal(mn_out_verdict(&vip, NULL), MN_OUT_ANNOUNCE);
	assert_int_equal(mn_out_verdict(&null_nic, "eth3"), MN_OUT_ANNOUNCE);
}

/* A per-NIC address goes out on its own NIC's session only. */
static void nic_address_on_its_session_only(void **state UNUSED)
{
	assert_int_equal(mn_out_verdict(&nic1_addr, "eth1"), MN_OUT_ANNOUNCE);
	assert_int_equal(mn_out_verdict(&nic1_addr, "eth0"), MN_OUT_OTHER_NIC);
	assert_int_equal(mn_out_verdict(&nic1_addr, "eth10"), MN_OUT_OTHER_NIC);
	assert_int_equal(mn_out_verdict(&nic1_addr, "eth"), MN_OUT_OTHER_NIC);
	assert_int_equal(mn_out_verdict(&nic1_addr, NULL), MN_OUT_OTHER_NIC);
}

/* "no announce" keeps every prefix of the task in, on every session. */
static void no_announce_goes_nowhere(void **state UNUSED)
{
	struct mn_pfx_facts v = vip, a = nic1_addr;

	v.announce = a.announce = false;
	assert_int_equal(mn_out_verdict(&v, "eth0"), MN_OUT_NOT_ANNOUNCED);
	assert_int_equal(mn_out_verdict(&v, NULL), MN_OUT_NOT_ANNOUNCED);
	assert_int_equal(mn_out_verdict(&a, "eth1"), MN_OUT_NOT_ANNOUNCED);
}

/* What multinicd has not described is held back, not announced. */
static void unknown_is_held_back(void **state UNUSED)
{
	struct mn_pfx_facts unknown = { .known = false, .announce = true };

	assert_int_equal(mn_out_verdict(NULL, "eth0"), MN_OUT_UNKNOWN);
	assert_int_equal(mn_out_verdict(&unknown, "eth0"), MN_OUT_UNKNOWN);
	assert_int_equal(mn_out_verdict(&unknown, NULL), MN_OUT_UNKNOWN);
}

/* The host route's state does not matter to redistribution (zebra's is). */
static void host_route_state_is_zebras(void **state UNUSED)
{
	struct mn_pfx_facts v = vip;

	v.up = false;
	assert_int_equal(mn_out_verdict(&v, "eth0"), MN_OUT_ANNOUNCE);
}

static void verdict_texts(void **state UNUSED)
{
	assert_string_equal(mn_out_text(MN_OUT_ANNOUNCE), "announced");
	assert_contains(mn_out_text(MN_OUT_UNKNOWN), "held back");
	assert_contains(mn_out_text(MN_OUT_NOT_ANNOUNCED), "no announce");
	assert_contains(mn_out_text(MN_OUT_OTHER_NIC), "another NIC");
}

/*
 * mn_nic_path_wanted
 */

static const struct mn_nic_facts eth0 = { .name = "eth0", .up = true, .has_addr = true };
static const struct mn_nic_facts eth1 = { .name = "eth1", .up = true, .has_addr = true };

/* A VIP gets a path through every healthy NIC with an address of its family. */
static void vip_path_per_healthy_nic(void **state UNUSED)
{
	struct mn_nic_facts down = eth0, noaddr = eth0;

	down.up = false;
	noaddr.has_addr = false;
	assert_true(mn_nic_path_wanted(&vip, &eth0));
	assert_true(mn_nic_path_wanted(&vip, &eth1));
	assert_false(mn_nic_path_wanted(&vip, &down));
	assert_false(mn_nic_path_wanted(&vip, &noaddr));
}

/* A per-NIC address gets its own NIC's path only. */
static void nic_address_path_on_its_nic(void **state UNUSED)
{
	assert_true(mn_nic_path_wanted(&nic1_addr, &eth1));
	assert_false(mn_nic_path_wanted(&nic1_addr, &eth0));
}

/* Nothing for a prefix not announced, without host route, or unknown. */
static void no_path_unless_announced_and_up(void **state UNUSED)
{
	struct mn_pfx_facts quiet = vip, down = vip, unknown = vip;

	quiet.announce = false;
	down.up = false;
	unknown.known = false;
	assert_false(mn_nic_path_wanted(&quiet, &eth0));
	assert_false(mn_nic_path_wanted(&down, &eth0));
	assert_false(mn_nic_path_wanted(&unknown, &eth0));
	assert_false(mn_nic_path_wanted(NULL, &eth0));
	assert_false(mn_nic_path_wanted(&vip, NULL));
}

/*
 * mn_link_bandwidth
 */

/* Mbit/s to bytes/s exactly, 800G and beyond the 2^32 bytes/s of old. */
static void link_bandwidth_exact(void **state UNUSED)
{
	assert_true(mn_link_bandwidth(100000, 100000) == 12500000000ULL);
	assert_true(mn_link_bandwidth(200000, 100000) == 25000000000ULL);
	assert_true(mn_link_bandwidth(400000, 100000) == 50000000000ULL);
	assert_true(mn_link_bandwidth(800000, 100000) == 100000000000ULL);
	assert_true(mn_link_bandwidth(10, 100000) == 1250000ULL);
	assert_true(mn_link_bandwidth(UINT32_MAX, 100000) == (uint64_t)UINT32_MAX * 125000);
	/* 34.36 Gbit/s: where a 32-bit byte count wrapped */
	assert_true(mn_link_bandwidth(34360, 1) > UINT32_MAX);
}

static void link_bandwidth_unknown_is_default(void **state UNUSED)
{
	assert_true(mn_link_bandwidth(0, 100000) == 12500000000ULL);
	assert_true(mn_link_bandwidth(0, 25000) == 3125000000ULL);
}

int main(void)
{
	const struct CMUnitTest out[] = {
		cmocka_unit_test(vip_on_every_session),
		cmocka_unit_test(nic_address_on_its_session_only),
		cmocka_unit_test(no_announce_goes_nowhere),
		cmocka_unit_test(unknown_is_held_back),
		cmocka_unit_test(host_route_state_is_zebras),
		cmocka_unit_test(verdict_texts),
	};
	const struct CMUnitTest paths[] = {
		cmocka_unit_test(vip_path_per_healthy_nic),
		cmocka_unit_test(nic_address_path_on_its_nic),
		cmocka_unit_test(no_path_unless_announced_and_up),
	};
	const struct CMUnitTest lb[] = {
		cmocka_unit_test(link_bandwidth_exact),
		cmocka_unit_test(link_bandwidth_unknown_is_default),
	};
	int failed = 0;

	failed += cmocka_run_group_tests_name("session verdict", out, NULL, NULL);
	failed += cmocka_run_group_tests_name("single-session paths", paths, NULL, NULL);
	failed += cmocka_run_group_tests_name("link bandwidth", lb, NULL, NULL);
	return failed ? 1 : 0;
}
