// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Unit tests for frr-multinic/multinicd/multinic_nic_policy.c (cmocka): NIC weights and selection rules.
 *
 * Run with "make check" at the top of the tree; the output of this program
 * (cmocka's summary per group) is in tests/unit/test_multinic_nic_policy.log.
 */
#include "unit_test.h"

#include "multinic_nic_policy.h"

/*
 * mn_weight_from_speed
 */

static void weight_from_speed(void **state UNUSED)
{
	static const struct {
		uint32_t mbps, fastest;
		uint16_t weight;
	} cases[] = {
		/* the fastest NIC weighs MN_WEIGHT_MAX, whatever its speed */
		{ 10, 10, MN_WEIGHT_MAX },
		{ 100000, 100000, MN_WEIGHT_MAX },
		{ 800000, 800000, MN_WEIGHT_MAX },
		{ 10000000, 10000000, MN_WEIGHT_MAX },
		/* the others in proportion, below 1 Gbit/s too */
		{ 10, 100, 100 },
		{ 100, 1000, 100 },
		{ 1000, 1500, 667 },
		{ 100000, 200000, 500 },
		{ 200000, 800000, 250 },
		{ 100000, 400000, 250 },
		{ 25000, 100000, 250 },
		{ 1, 3, 333 },
		/* rounded to nearest, never 0 */
		{ 1, 1999, 1 },
		{ 1, 2000, 1 },
		{ 1, 10000000, 1 },
		{ 3, 2000, 2 },
		/* unknown (0) counts as MN_SPEED_DEFAULT, for both */
		{ 0, 0, MN_WEIGHT_MAX },
		{ 0, 200000, 500 },
		{ 50000, 0, 500 },
		/* a speed above the "fastest" given is clamped */
		{ 400000, 200000, MN_WEIGHT_MAX },
		/* no overflow near the top of the range */
		{ UINT32_MAX - 1, UINT32_MAX, MN_WEIGHT_MAX },
		{ UINT32_MAX / 2, UINT32_MAX, 500 },
	};

	assert_int_equal(MN_SPEED_DEFAULT, 100000);
	assert_int_equal(MN_WEIGHT_MAX, 1000);
	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		uint16_t w = mn_weight_from_speed(cases[i].mbps, cases[i].fastest);

		if (w != cases[i].weight)
			fail_msg("%u Mbit/s of %u: weight %u, expected %u", cases[i].mbps,
				 cases[i].fastest, w, cases[i].weight);
	}
}

/* The weights of any set of speeds keep their ratios (within rounding). */
static void weight_keeps_ratio(void **state UNUSED)
{
	static const uint32_t sets[][4] = {
		{ 10, 100, 100, 1000 },		  /* all under 1 Gbit/s */
		{ 100000, 100000, 200000, 200000 }, /* the topotest's host */
		{ 100000, 200000, 400000, 800000 },
		{ 1000, 2500, 10000, 25000 },
	};

	for (size_t s = 0; s < ARRAY_SIZE(sets); s++) {
		uint32_t fastest = 0;

		for (size_t i = 0; i < 4; i++)
			fastest = sets[s][i] > fastest ? sets[s][i] : fastest;
		for (size_t i = 0; i < 4; i++)
			for (size_t j = 0; j < 4; j++) {
				double want = (double)sets[s][i] / sets[s][j];
				double got = (double)mn_weight_from_speed(sets[s][i], fastest) /
					     mn_weight_from_speed(sets[s][j], fastest);

				if (got < want * 0.99 || got > want * 1.01)
					fail_msg("set %zu: %u/%u Mbit/s weigh %.3f, not %.3f", s,
						 sets[s][i], sets[s][j], got, want);
			}
	}
}

/* An unknown NIC weighs as much as a 100G one (the header's promise). */
static void weight_default_is_100g(void **state UNUSED)
{
	assert_int_equal(mn_weight_from_speed(0, 400000),
			 mn_weight_from_speed(100000, 400000));
}

/*
 * mn_nic_rule_matches
 */

static const struct mn_nic_facts nic_eth0 = {
	.name = "eth0", .driver = "mlx5_core", .has_default_gw = true,
};
static const struct mn_nic_facts nic_eth1 = {
	.name = "eth1", .driver = "mlx5_core", .has_default_gw = false,
};
static const struct mn_nic_facts nic_ens = {
	.name = "enp65s0f1np1", .driver = "ice", .has_default_gw = false,
};
static const struct mn_nic_facts nic_veth = {
	.name = "veth0", .driver = NULL, .has_default_gw = false,
};

static void rule_glob(void **state UNUSED)
{
	struct mn_nic_rule r = { .name_pattern = "eth*" };

	assert_true(mn_nic_rule_matches(&r, &nic_eth0));
	assert_true(mn_nic_rule_matches(&r, &nic_eth1));
	assert_false(mn_nic_rule_matches(&r, &nic_ens));
	/* the glob is anchored: "eth*" is not "*eth*" */
	assert_false(mn_nic_rule_matches(&r, &nic_veth));

	r.name_pattern = "eth?";
	assert_true(mn_nic_rule_matches(&r, &nic_eth1));
	r.name_pattern = "eth[1-3]";
	assert_false(mn_nic_rule_matches(&r, &nic_eth0));
	assert_true(mn_nic_rule_matches(&r, &nic_eth1));
	r.name_pattern = "enp*s0f[0-3]np*";
	assert_true(mn_nic_rule_matches(&r, &nic_ens));
	r.name_pattern = "eth0";
	assert_true(mn_nic_rule_matches(&r, &nic_eth0));
	assert_false(mn_nic_rule_matches(&r, &nic_eth1));
	r.name_pattern = "*";
	assert_true(mn_nic_rule_matches(&r, &nic_veth));
	/* case matters, as in interface names */
	r.name_pattern = "ETH*";
	assert_false(mn_nic_rule_matches(&r, &nic_eth0));
}

static void rule_glob_eth10(void **state UNUSED)
{
	static const struct mn_nic_facts eth10 = { .name = "eth10" };
	struct mn_nic_rule r = { .name_pattern = "eth?" };

	assert_false(mn_nic_rule_matches(&r, &eth10));
	r.name_pattern = "eth*";
	assert_true(mn_nic_rule_matches(&r, &eth10));
}

static void rule_driver(void **state UNUSED)
{
	struct mn_nic_rule r = { .driver = "mlx5_core" };

	assert_true(mn_nic_rule_matches(&r, &nic_eth0));
	assert_true(mn_nic_rule_matches(&r, &nic_eth1));
	assert_false(mn_nic_rule_matches(&r, &nic_ens));
	/* unknown driver (virtual device) never matches a driver rule */
	assert_false(mn_nic_rule_matches(&r, &nic_veth));
	/* exact, not a glob and not a prefix */
	r.driver = "mlx5*";
	assert_false(mn_nic_rule_matches(&r, &nic_eth0));
	r.driver = "mlx5";
	assert_false(mn_nic_rule_matches(&r, &nic_eth0));
	r.driver = "MLX5_CORE";
	assert_false(mn_nic_rule_matches(&r, &nic_eth0));
}

static void rule_gateway(void **state UNUSED)
{
	struct mn_nic_rule r = { .match_default_gw = true };

	assert_true(mn_nic_rule_matches(&r, &nic_eth0));
	assert_false(mn_nic_rule_matches(&r, &nic_eth1));
	assert_false(mn_nic_rule_matches(&r, &nic_veth));
}

static void rule_combinations(void **state UNUSED)
{
	struct mn_nic_rule r = { .name_pattern = "eth*",
				 .driver = "mlx5_core" };

	assert_true(mn_nic_rule_matches(&r, &nic_eth0));
	assert_true(mn_nic_rule_matches(&r, &nic_eth1));
	assert_false(mn_nic_rule_matches(&r, &nic_ens));	/* name, driver */
	r.driver = "ice";
	assert_false(mn_nic_rule_matches(&r, &nic_eth0)); /* driver */
	r.name_pattern = "enp*";
	assert_true(mn_nic_rule_matches(&r, &nic_ens));

	/* all three: only the NIC with the default route */
	r.name_pattern = "eth*";
	r.driver = "mlx5_core";
	r.match_default_gw = true;
	assert_true(mn_nic_rule_matches(&r, &nic_eth0));
	assert_false(mn_nic_rule_matches(&r, &nic_eth1));

	/* glob + gateway, driver ignored */
	r.driver = NULL;
	assert_true(mn_nic_rule_matches(&r, &nic_eth0));
	assert_false(mn_nic_rule_matches(&r, &nic_eth1));

	/* driver + gateway: a NIC with a gateway but the wrong driver */
	static const struct mn_nic_facts ice_gw = {
		.name = "ens1", .driver = "ice", .has_default_gw = true,
	};
	r.name_pattern = NULL;
	r.driver = "mlx5_core";
	assert_false(mn_nic_rule_matches(&r, &ice_gw));
	assert_true(mn_nic_rule_matches(&r, &nic_eth0));
}

/* match_default_gw false means "don't care", not "must not have one". */
static void rule_gateway_unset_is_ignored(void **state UNUSED)
{
	struct mn_nic_rule r = { .driver = "mlx5_core" };

	assert_true(nic_eth0.has_default_gw);
	assert_true(mn_nic_rule_matches(&r, &nic_eth0));
	assert_false(nic_eth1.has_default_gw);
	assert_true(mn_nic_rule_matches(&r, &nic_eth1));
}

static void rule_empty_matches_nothing(void **state UNUSED)
{
	static const struct mn_nic_rule empty = { 0 };
	static const struct mn_nic_facts *const nics[] = {
		&nic_eth0, &nic_eth1, &nic_ens, &nic_veth,
	};

	for (size_t i = 0; i < ARRAY_SIZE(nics); i++)
		assert_false(mn_nic_rule_matches(&empty, nics[i]));
}

static void rule_null_arguments(void **state UNUSED)
{
	static const struct mn_nic_facts noname = { .driver = "ice" };
	struct mn_nic_rule r = { .name_pattern = "*" };

	assert_false(mn_nic_rule_matches(NULL, &nic_eth0));
	assert_false(mn_nic_rule_matches(&r, NULL));
	/* a NIC without a name cannot match a name pattern... */
	assert_false(mn_nic_rule_matches(&r, &noname));
	/* ...but can match on its driver */
	r.name_pattern = NULL;
	r.driver = "ice";
	assert_true(mn_nic_rule_matches(&r, &noname));
}

/*
 * The kernel's nexthop groups take weights 1..255: the heaviest NIC of a
 * group gets 255, the ratios survive as well as 255 steps allow, and no
 * NIC drops to 0 (it would leave the group).
 */
static void weight_to_nexthop(void **state UNUSED)
{
	assert_int_equal(mn_weight_to_nexthop(1000, 1000), 255);
	assert_int_equal(mn_weight_to_nexthop(1, 1), 255);
	assert_int_equal(mn_weight_to_nexthop(500, 1000), 128);
	assert_int_equal(mn_weight_to_nexthop(250, 1000), 64);
	/* 100G beside 400G: 1 to 4 */
	assert_int_equal(mn_weight_to_nexthop(100, 400), 64);
	assert_int_equal(mn_weight_to_nexthop(1, 1000), 1);
	assert_int_equal(mn_weight_to_nexthop(0, 1000), 1);
	/* a weight above the group's maximum is clamped, a max of 0 tolerated */
	assert_int_equal(mn_weight_to_nexthop(2000, 1000), 255);
	assert_int_equal(mn_weight_to_nexthop(5, 0), 1);
}

int main(void)
{
	const struct CMUnitTest weight[] = {
		cmocka_unit_test(weight_from_speed),
		cmocka_unit_test(weight_keeps_ratio),
		cmocka_unit_test(weight_default_is_100g),
		cmocka_unit_test(weight_to_nexthop),
	};
	const struct CMUnitTest rules[] = {
		cmocka_unit_test(rule_glob),
		cmocka_unit_test(rule_glob_eth10),
		cmocka_unit_test(rule_driver),
		cmocka_unit_test(rule_gateway),
		cmocka_unit_test(rule_combinations),
		cmocka_unit_test(rule_gateway_unset_is_ignored),
		cmocka_unit_test(rule_empty_matches_nothing),
		cmocka_unit_test(rule_null_arguments),
	};
	int failed = 0;

	unit_test_unbuffered();
	failed += cmocka_run_group_tests_name("NIC weight", weight, NULL, NULL);
	failed += cmocka_run_group_tests_name("NIC rules", rules, NULL, NULL);
	return failed ? 1 : 0;
}
