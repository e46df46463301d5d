// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Unit tests for frr-multinic/multinicd/multinic_numa_policy.c (cmocka):
 * CPU and node lists, finding a task's cpuset, NUMA placement of egress
 * flows, the spill threshold and receive steering.
 *
 * Run with "make check" at the top of the tree; the output of this program
 * is in tests/unit/test_multinic_numa.log.
 */
#include "unit_test.h"

#include "multinic_numa_policy.h"

static struct mn_numa_set list(const char *s)
{
	struct mn_numa_set set;
	char err[ERRLEN];

	if (mn_numa_list_parse(s, MN_NUMA_CPUS_MAX, &set, err, sizeof(err)) < 0)
		fail_msg("\"%s\" not parsed: %s", s, err);
	return set;
}

/*
 * Lists
 */

static void list_round_trip(void **state UNUSED)
{
	static const struct {
		const char *in, *out;
		unsigned int count;
	} cases[] = {
		{ "", "", 0 },
		{ "\n", "", 0 },
		{ "0", "0", 1 },
		{ "0-3", "0-3", 4 },
		{ "0-3,8-11\n", "0-3,8-11", 8 },
		{ "5,1,3", "1,3,5", 3 },
		{ "0,1,2", "0-2", 3 },	 /* adjacent members become a range */
		{ "2-2", "2", 1 },
		{ "0-1,1-2", "0-2", 3 }, /* overlaps are a union */
		{ "63-64", "63-64", 2 }, /* across a word */
		{ "1023", "1023", 1 },
	};

	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		struct mn_numa_set set = list(cases[i].in);
		char buf[128];

		assert_string_equal(mn_numa_list_format(&set, buf, sizeof(buf)), cases[i].out);
		assert_int_equal(mn_numa_set_count(&set), cases[i].count);
	}
}

static void list_refused(void **state UNUSED)
{
	static const struct {
		const char *in;
		unsigned int max;
		const char *why;
	} cases[] = {
		{ "a", 64, "is not a list" },	     { "1-", 64, "is not a list" },
		{ "-1", 64, "is not a list" },	     { "1,,2", 64, "is not a list" },
		{ "1 2", 64, "is not a list" },	     { "3-1", 64, "reversed" },
		{ "64", 64, "not below 64" },	     { "0-64", 64, "not below 64" },
		{ "99999999999999", 64, "not below" }, { "1\n2", 64, "more than one line" },
	};
	struct mn_numa_set set = list("7"), before = set;
	char err[ERRLEN];

	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		err[0] = '\0';
		if (mn_numa_list_parse(cases[i].in, cases[i].max, &set, err, sizeof(err)) == 0)
			fail_msg("\"%s\" parsed", cases[i].in);
		assert_contains(err, cases[i].why);
		assert_memory_equal(&set, &before, sizeof(set)); /* untouched */
	}
}

static void set_walk(void **state UNUSED)
{
	struct mn_numa_set set = list("3,64,1000");

	assert_int_equal(mn_numa_set_first(&set), 3);
	assert_int_equal(mn_numa_set_next(&set, 3), 64);
	assert_int_equal(mn_numa_set_next(&set, 64), 1000);
	assert_int_equal(mn_numa_set_next(&set, 1000), -1);
	assert_int_equal(mn_numa_set_first(&(struct mn_numa_set){ 0 }), -1);
}

static void node_of_mems(void **state UNUSED)
{
	struct mn_numa_set s;

	s = list("1");
	assert_int_equal(mn_numa_node_of_mems(&s), 1);
	s = list("0");
	assert_int_equal(mn_numa_node_of_mems(&s), 0);
	s = list("0-1"); /* spread over two nodes: none is its own */
	assert_int_equal(mn_numa_node_of_mems(&s), MN_NUMA_NODE_NONE);
	s = list("");
	assert_int_equal(mn_numa_node_of_mems(&s), MN_NUMA_NODE_NONE);
	s = list("64"); /* beyond the nodes multinicd tells apart */
	assert_int_equal(mn_numa_node_of_mems(&s), MN_NUMA_NODE_NONE);
}

static void mems_unpinned(void **state UNUSED)
{
	struct mn_numa_topology two = {}, one = {};
	struct mn_numa_set s;

	two.nodes = list("0-1");
	one.nodes = list("0");
	s = list("0-1"); /* every node of the host: runs anywhere */
	assert_true(mn_numa_mems_unpinned(&s, &two));
	s = list("0-3"); /* more than the nodes with CPUs */
	assert_true(mn_numa_mems_unpinned(&s, &two));
	s = list("1");
	assert_false(mn_numa_mems_unpinned(&s, &two));
	/* a single-node host: its one node is the task's */
	s = list("0");
	assert_false(mn_numa_mems_unpinned(&s, &one));
}

/* An interrupt's affinity names one node only when all its CPUs are there. */
static void node_of_cpus(void **state UNUSED)
{
	struct mn_numa_topology two = {};
	struct mn_numa_set s;

	two.nodes = list("0-1");
	two.cpus[0] = list("0-3");
	two.cpus[1] = list("4-7");
	s = list("1-2");
	assert_int_equal(mn_numa_node_of_cpus(&two, &s), 0);
	s = list("4,7");
	assert_int_equal(mn_numa_node_of_cpus(&two, &s), 1);
	s = list("3-4"); /* the default affinity of every CPU spans both */
	assert_int_equal(mn_numa_node_of_cpus(&two, &s), MN_NUMA_NODE_NONE);
	s = list("9"); /* a CPU no node lists */
	assert_int_equal(mn_numa_node_of_cpus(&two, &s), MN_NUMA_NODE_NONE);
	memset(&s, 0, sizeof(s));
	assert_int_equal(mn_numa_node_of_cpus(&two, &s), MN_NUMA_NODE_NONE);
}

/*
 * cgroups
 */

static void mountinfo_lines(void **state UNUSED)
{
	static const struct {
		const char *line;
		enum mn_cgroup_kind kind;
		const char *mnt, *root;
	} cases[] = {
		/* this project's hybrid test hosts: v1 controllers + unified */
		{ "33 25 0:28 / /sys/fs/cgroup/cpuset rw,nosuid,nodev,noexec,relatime shared:9 - cgroup cgroup rw,cpuset\n",
		  MN_CGROUP_V1_CPUSET, "/sys/fs/cgroup/cpuset", "/" },
		{ "29 25 0:25 / /sys/fs/cgroup/unified rw,nosuid,nodev,noexec,relatime shared:5 - cgroup2 cgroup2 rw,nsdelegate",
		  MN_CGROUP_V2, "/sys/fs/cgroup/unified", "/" },
		{ "34 25 0:29 / /sys/fs/cgroup/cpu,cpuacct rw,nosuid shared:10 - cgroup cgroup rw,cpu,cpuacct",
		  MN_CGROUP_NONE, NULL, NULL },
		/* a controller named like cpuset is not cpuset */
		{ "35 25 0:30 / /x rw - cgroup cgroup rw,cpusetx", MN_CGROUP_NONE, NULL, NULL },
		/* pure v2 with no optional fields, a container's sub-tree */
		{ "40 30 0:40 /kubepods/pod1 /sys/fs/cgroup ro - cgroup2 cgroup2 rw",
		  MN_CGROUP_V2, "/sys/fs/cgroup", "/kubepods/pod1" },
		{ "22 1 0:21 / /proc rw - proc proc rw", MN_CGROUP_NONE, NULL, NULL },
		{ "garbage", MN_CGROUP_NONE, NULL, NULL },
		{ "", MN_CGROUP_NONE, NULL, NULL },
	};

	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		char mnt[128] = "", root[128] = "";
		enum mn_cgroup_kind k = mn_mountinfo_cgroup(cases[i].line, mnt, sizeof(mnt), root,
							    sizeof(root));

		if (k != cases[i].kind)
			fail_msg("line %zu: kind %d, expected %d", i, k, cases[i].kind);
		if (k == MN_CGROUP_NONE)
			continue;
		assert_string_equal(mnt, cases[i].mnt);
		assert_string_equal(root, cases[i].root);
	}
}

static void proc_cgroup(void **state UNUSED)
{
	char v2[128], v1[128];

	/* hybrid: v1 cpuset and the unified hierarchy */
	mn_proc_cgroup_parse("12:cpuset:/jobs/a\n11:cpu,cpuacct:/\n0::/jobs/a\n", v2, sizeof(v2), v1,
			     sizeof(v1));
	assert_string_equal(v2, "/jobs/a");
	assert_string_equal(v1, "/jobs/a");
	/* pure v2 */
	mn_proc_cgroup_parse("0::/system.slice/x.service\n", v2, sizeof(v2), v1, sizeof(v1));
	assert_string_equal(v2, "/system.slice/x.service");
	assert_string_equal(v1, "");
	/* v1 only, cpuset among other controllers of its hierarchy */
	mn_proc_cgroup_parse("4:cpu,cpuset:/c\n3:memory:/m", v2, sizeof(v2), v1, sizeof(v1));
	assert_string_equal(v2, "");
	assert_string_equal(v1, "/c");
	mn_proc_cgroup_parse("", v2, sizeof(v2), v1, sizeof(v1));
	assert_string_equal(v2, "");
	assert_string_equal(v1, "");
	/* a path that does not fit is left out, not cut */
	mn_proc_cgroup_parse("0::/very/long/path\n", v2, 8, v1, sizeof(v1));
	assert_string_equal(v2, "");
}

static void cgroup_dirs(void **state UNUSED)
{
	char buf[128];

	assert_true(mn_cgroup_dir("/sys/fs/cgroup/unified", "/", "/jobs/a", buf, sizeof(buf)));
	assert_string_equal(buf, "/sys/fs/cgroup/unified/jobs/a");
	assert_true(mn_cgroup_dir("/sys/fs/cgroup", "/", "/", buf, sizeof(buf)));
	assert_string_equal(buf, "/sys/fs/cgroup");
	/* a mount of a sub-tree */
	assert_true(mn_cgroup_dir("/sys/fs/cgroup", "/kube", "/kube/pod1", buf, sizeof(buf)));
	assert_string_equal(buf, "/sys/fs/cgroup/pod1");
	assert_false(mn_cgroup_dir("/sys/fs/cgroup", "/kube", "/kubex/pod1", buf, sizeof(buf)));
	assert_false(mn_cgroup_dir("/sys/fs/cgroup", "/kube", "/other", buf, sizeof(buf)));
	/* nothing that could leave the mount */
	assert_false(mn_cgroup_dir("/sys/fs/cgroup", "/", "/a/../../etc", buf, sizeof(buf)));
	assert_false(mn_cgroup_dir("/sys/fs/cgroup", "/", "relative", buf, sizeof(buf)));
	assert_false(mn_cgroup_dir("/sys/fs/cgroup", "/", "/gone (deleted)", buf, sizeof(buf)));
	assert_false(mn_cgroup_dir("/sys/fs/cgroup", "/", "/a/b/c/d", buf, 20));

	assert_string_equal(mn_cgroup_mems_file(MN_CGROUP_V2), "cpuset.mems.effective");
	assert_string_equal(mn_cgroup_mems_file(MN_CGROUP_V1_CPUSET), "cpuset.effective_mems");
}

static void cgroup_walk_up(void **state UNUSED)
{
	char dir[128] = "/sys/fs/cgroup/a/b";

	assert_true(mn_cgroup_dir_parent(dir, "/sys/fs/cgroup"));
	assert_string_equal(dir, "/sys/fs/cgroup/a");
	assert_true(mn_cgroup_dir_parent(dir, "/sys/fs/cgroup"));
	assert_string_equal(dir, "/sys/fs/cgroup");
	assert_false(mn_cgroup_dir_parent(dir, "/sys/fs/cgroup")); /* the root: stop */
	assert_string_equal(dir, "/sys/fs/cgroup");
}

/*
 * Placement
 */

/* Two NICs on node 0, two on node 1. */
static struct mn_numa_nic two_nodes[] = {
	{ .node = 0, .usable = true }, { .node = 0, .usable = true },
	{ .node = 1, .usable = true }, { .node = 1, .usable = true },
};

static void reset_nics(void)
{
	for (size_t i = 0; i < ARRAY_SIZE(two_nodes); i++) {
		two_nodes[i].usable = true;
		two_nodes[i].loaded = false;
	}
}

static uint64_t members(enum mn_numa_policy policy, int node, enum mn_numa_choice want)
{
	enum mn_numa_choice choice;
	uint64_t m = mn_numa_members(policy, node, two_nodes, ARRAY_SIZE(two_nodes), &choice);

	if (choice != want)
		fail_msg("%s, node %d: %s, expected %s", mn_numa_policy_name(policy), node,
			 mn_numa_choice_name(choice), mn_numa_choice_name(want));
	return m;
}

static void prefer_local_first(void **state UNUSED)
{
	reset_nics();
	assert_int_equal(members(MN_NUMA_PREFER, 0, MN_NUMA_LOCAL), 0x3);
	assert_int_equal(members(MN_NUMA_PREFER, 1, MN_NUMA_LOCAL), 0xc);
	/* one local NIC down: the other local one, no spill */
	two_nodes[2].usable = false;
	assert_int_equal(members(MN_NUMA_PREFER, 1, MN_NUMA_LOCAL), 0xc);
	/* both down: every NIC (the caller keeps only the usable ones) */
	two_nodes[3].usable = false;
	assert_int_equal(members(MN_NUMA_PREFER, 1, MN_NUMA_SPILL_DOWN), 0xf);
	/* node 0 is not affected */
	assert_int_equal(members(MN_NUMA_PREFER, 0, MN_NUMA_LOCAL), 0x3);
}

static void prefer_spills_when_loaded(void **state UNUSED)
{
	reset_nics();
	two_nodes[0].loaded = true;
	/* one local NIC still has room: stay local */
	assert_int_equal(members(MN_NUMA_PREFER, 0, MN_NUMA_LOCAL), 0x3);
	two_nodes[1].loaded = true;
	assert_int_equal(members(MN_NUMA_PREFER, 0, MN_NUMA_SPILL_LOADED), 0xf);
	/* a loaded NIC that is down does not count as room */
	two_nodes[1].loaded = false;
	two_nodes[1].usable = false;
	assert_int_equal(members(MN_NUMA_PREFER, 0, MN_NUMA_SPILL_LOADED), 0xf);
	/* strict never spills for load */
	assert_int_equal(members(MN_NUMA_STRICT, 0, MN_NUMA_LOCAL), 0x3);
}

static void strict_never_leaves_the_node(void **state UNUSED)
{
	reset_nics();
	assert_int_equal(members(MN_NUMA_STRICT, 1, MN_NUMA_LOCAL), 0xc);
	two_nodes[2].usable = two_nodes[3].usable = false;
	/* its down NICs stay the members: nothing else takes the flows */
	assert_int_equal(members(MN_NUMA_STRICT, 1, MN_NUMA_STRICT_DOWN), 0xc);
	/* a node without NICs: no egress at all */
	reset_nics();
	assert_int_equal(members(MN_NUMA_STRICT, 2, MN_NUMA_STRICT_NO_NIC), 0);
	assert_int_equal(members(MN_NUMA_PREFER, 2, MN_NUMA_SPILL_NO_NIC), 0xf);
}

static void ignore_and_unknown_use_all(void **state UNUSED)
{
	reset_nics();
	assert_int_equal(members(MN_NUMA_IGNORE, 0, MN_NUMA_ALL), 0xf);
	assert_int_equal(members(MN_NUMA_PREFER, MN_NUMA_NODE_NONE, MN_NUMA_ALL), 0xf);
	assert_int_equal(members(MN_NUMA_STRICT, MN_NUMA_NODE_NONE, MN_NUMA_ALL), 0xf);
	/* the local set of a task of unknown node is everything */
	assert_int_equal(mn_numa_local_members(MN_NUMA_NODE_NONE, two_nodes, 4), 0xf);
}

static void unknown_nic_node_is_local(void **state UNUSED)
{
	struct mn_numa_nic nics[] = {
		{ .node = MN_NUMA_NODE_NONE, .usable = true },
		{ .node = 1, .usable = true },
		{ .node = MN_NUMA_NODE_NONE, .usable = true },
	};
	enum mn_numa_choice choice;

	assert_true(mn_numa_nic_local(MN_NUMA_NODE_NONE, 0));
	assert_true(mn_numa_nic_local(1, 1));
	assert_false(mn_numa_nic_local(1, 0));
	assert_int_equal(mn_numa_members(MN_NUMA_STRICT, 0, nics, 3, &choice), 0x5);
	assert_int_equal(choice, MN_NUMA_LOCAL);
	/* a host whose NICs report no node: every NIC is local, as without NUMA */
	nics[1].node = MN_NUMA_NODE_NONE;
	assert_int_equal(mn_numa_members(MN_NUMA_PREFER, 0, nics, 3, &choice), 0x7);
	assert_int_equal(choice, MN_NUMA_ALL);
}

static void no_nics(void **state UNUSED)
{
	enum mn_numa_choice choice;

	assert_int_equal(mn_numa_members(MN_NUMA_PREFER, 0, NULL, 0, &choice), 0);
	assert_int_equal(choice, MN_NUMA_SPILL_NO_NIC);
	assert_int_equal(mn_numa_members(MN_NUMA_IGNORE, 0, NULL, 0, &choice), 0);
}

static void loaded_with_hysteresis(void **state UNUSED)
{
	/* 100 Mbit/s NIC, threshold 90 % */
	assert_false(mn_numa_nic_loaded(false, 89999999, 100, 90));
	assert_true(mn_numa_nic_loaded(false, 90000000, 100, 90));
	/* once loaded, it stays so down to 80 % */
	assert_true(mn_numa_nic_loaded(true, 85000000, 100, 90));
	assert_true(mn_numa_nic_loaded(true, 80000000, 100, 90));
	assert_false(mn_numa_nic_loaded(true, 79999999, 100, 90));
	/* unknown speed: never loaded */
	assert_false(mn_numa_nic_loaded(false, UINT64_C(1) << 40, 0, 90));
	/* 400G at line rate: no overflow */
	assert_true(mn_numa_nic_loaded(false, 400000000000ULL, 400000, 90));
	assert_false(mn_numa_nic_loaded(false, 300000000000ULL, 400000, 90));
	/* threshold 0: spill on load disabled */
	assert_false(mn_numa_nic_loaded(false, 100000000, 100, 0));
	/*
	 * a threshold under twice the hysteresis: released at half of it
	 * (5 % -> 3 %), and an idle NIC is never loaded
	 */
	assert_true(mn_numa_nic_loaded(true, 3000000, 100, 5));
	assert_false(mn_numa_nic_loaded(true, 2999999, 100, 5));
	assert_false(mn_numa_nic_loaded(true, 0, 100, 5));
	assert_false(mn_numa_nic_loaded(true, 0, 100, 1));
}

/*
 * Receive steering
 */

static void steer_method(void **state UNUSED)
{
	const struct mn_steer_caps virtio = { .xdp = true, .rings = 1 };
	/* queue interrupts on both nodes, one spread over both (not counted) */
	const struct mn_steer_caps mlx = { .xdp = true, .rss_contexts = true, .ntuple = true,
					   .ntuple_on = true, .rings = 16, .n_irqs = 3,
					   .irq = { { .irq = 40, .node = 0 },
						    { .irq = 41, .node = 1 },
						    { .irq = 42, .node = MN_NUMA_NODE_NONE } } };
	const struct mn_steer_caps no_ntuple = { .xdp = true, .rss_contexts = true, .rings = 16 };
	const struct mn_steer_caps no_xdp = { .rings = 1 };
	struct mn_steer_caps ntuple_off = mlx, one_node = mlx;
	char why[ERRLEN];

	ntuple_off.ntuple_on = false;
	one_node.irq[1].node = 0;
	assert_int_equal(mn_steer_irq_nodes(&mlx), 2);
	assert_int_equal(mn_steer_irq_nodes(&one_node), 1);
	assert_int_equal(mn_steer_irq_nodes(&virtio), 0);
	assert_int_equal(mn_steer_method_pick(MN_STEER_AUTO, &ntuple_off, why, sizeof(why)),
			 MN_STEER_M_XDP);
	assert_contains(why, "ntuple filters are off");
	assert_int_equal(mn_steer_method_pick(MN_STEER_HARDWARE, &one_node, why, sizeof(why)),
			 MN_STEER_M_NONE);
	assert_contains(why, "not pinned to more than one node");

	assert_int_equal(mn_steer_method_pick(MN_STEER_OFF, &mlx, why, sizeof(why)),
			 MN_STEER_M_NONE);
	assert_int_equal(mn_steer_method_pick(MN_STEER_AUTO, &mlx, why, sizeof(why)),
			 MN_STEER_M_HARDWARE);
	assert_int_equal(mn_steer_method_pick(MN_STEER_AUTO, &virtio, why, sizeof(why)),
			 MN_STEER_M_XDP);
	assert_contains(why, "cannot create RSS contexts");
	assert_int_equal(mn_steer_method_pick(MN_STEER_AUTO, &no_ntuple, why, sizeof(why)),
			 MN_STEER_M_XDP);
	assert_contains(why, "ntuple");
	assert_int_equal(mn_steer_method_pick(MN_STEER_HARDWARE, &virtio, why, sizeof(why)),
			 MN_STEER_M_NONE);
	assert_contains(why, "receive-steering hardware: the NIC cannot create RSS contexts");
	assert_int_equal(mn_steer_method_pick(MN_STEER_XDP, &mlx, why, sizeof(why)),
			 MN_STEER_M_XDP); /* xdp asked for: even where hardware could */
	assert_int_equal(mn_steer_method_pick(MN_STEER_XDP, &no_xdp, why, sizeof(why)),
			 MN_STEER_M_NONE);
	assert_contains(why, "no XDP cpumap");
	assert_int_equal(mn_steer_method_pick(MN_STEER_AUTO, &no_xdp, why, sizeof(why)),
			 MN_STEER_M_NONE);
}

static void steer_cpu_spreads_and_sticks(void **state UNUSED)
{
	struct mn_numa_set node1 = list("4-7,12"), empty = { 0 };
	unsigned int hits[16] = { 0 };

	assert_int_equal(mn_steer_cpu(&empty, 42), -1);
	for (uint32_t h = 0; h < 5000; h++) {
		int cpu = mn_steer_cpu(&node1, h * 2654435761U);

		assert_true(mn_numa_set_has(&node1, cpu));
		assert_int_equal(cpu, mn_steer_cpu(&node1, h * 2654435761U)); /* one flow, one CPU */
		hits[cpu]++;
	}
	/* every CPU of the node gets flows, about evenly */
	for (int cpu = 0; cpu < 16; cpu++)
		if (mn_numa_set_has(&node1, cpu) && (hits[cpu] < 800 || hits[cpu] > 1200))
			fail_msg("CPU %d got %u of 5000 flows", cpu, hits[cpu]);
}

static void names(void **state UNUSED)
{
	assert_string_equal(mn_numa_policy_name(MN_NUMA_PREFER), "prefer");
	assert_string_equal(mn_numa_policy_name(MN_NUMA_STRICT), "strict");
	assert_string_equal(mn_numa_policy_name(MN_NUMA_IGNORE), "ignore");
	assert_string_equal(mn_steering_mode_name(MN_STEER_HARDWARE), "hardware");
	assert_string_equal(mn_steer_method_name(MN_STEER_M_XDP), "xdp");
	assert_contains(mn_numa_choice_name(MN_NUMA_SPILL_LOADED), "threshold");
}

int main(void)
{
	const struct CMUnitTest lists[] = {
		cmocka_unit_test(list_round_trip),
		cmocka_unit_test(list_refused),
		cmocka_unit_test(set_walk),
		cmocka_unit_test(node_of_mems),
		cmocka_unit_test(mems_unpinned),
	};
	const struct CMUnitTest cgroups[] = {
		cmocka_unit_test(mountinfo_lines),
		cmocka_unit_test(proc_cgroup),
		cmocka_unit_test(cgroup_dirs),
		cmocka_unit_test(cgroup_walk_up),
	};
	const struct CMUnitTest placement[] = {
		cmocka_unit_test(prefer_local_first),
		cmocka_unit_test(prefer_spills_when_loaded),
		cmocka_unit_test(strict_never_leaves_the_node),
		cmocka_unit_test(ignore_and_unknown_use_all),
		cmocka_unit_test(unknown_nic_node_is_local),
		cmocka_unit_test(no_nics),
		cmocka_unit_test(loaded_with_hysteresis),
	};
	const struct CMUnitTest steering[] = {
		cmocka_unit_test(node_of_cpus),
		cmocka_unit_test(steer_method),
		cmocka_unit_test(steer_cpu_spreads_and_sticks),
		cmocka_unit_test(names),
	};
	int failed = 0;

	unit_test_unbuffered();
	failed += cmocka_run_group_tests_name("NUMA lists", lists, NULL, NULL);
	failed += cmocka_run_group_tests_name("NUMA cgroups", cgroups, NULL, NULL);
	failed += cmocka_run_group_tests_name("NUMA placement", placement, NULL, NULL);
	failed += cmocka_run_group_tests_name("receive steering", steering, NULL, NULL);
	return failed ? 1 : 0;
}
