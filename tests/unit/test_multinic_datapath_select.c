// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Unit tests for frr-multinic/multinicd/multinic_datapath_select.c (cmocka): kernel release, capabilities, datapath selection.
 *
 * Run with "make check" at the top of the tree; the output of this program
 * (cmocka's summary per group) is in tests/unit/test_multinic_datapath_select.log.
 */
#include "unit_test.h"

#include "multinic_datapath_select.h"

/*
 * mn_kernel_release_parse, mn_kernel_at_least
 */

static void release_parse_valid(void **state UNUSED)
{
	static const struct {
		const char *release;
		int major, minor, patch;
	} ok[] = {
		{ "6.18.44-fc-v669", 6, 18, 44 },
		{ "6.6", 6, 6, 0 },
		{ "5.15.0-91-generic", 5, 15, 0 },
		{ "6.12.12+bpo-amd64", 6, 12, 12 },
		{ "6.1.0-27-amd64", 6, 1, 0 },
		{ "6.6-rc1", 6, 6, 0 },
		{ "6.6.x", 6, 6, 0 },
		{ "6.6.", 6, 6, 0 },
		{ "4.19.325", 4, 19, 325 },
		{ "10.0.1", 10, 0, 1 },
		{ "3.10.0-1160.el7.x86_64", 3, 10, 0 },
		{ "6.8.0.1.2", 6, 8, 0 },
		{ "2147483647.0", 2147483647, 0, 0 },
	};

	for (size_t i = 0; i < ARRAY_SIZE(ok); i++) {
		int major = -1, minor = -1, patch = -1;

		if (mn_kernel_release_parse(ok[i].release, &major, &minor,
					    &patch) != 0)
			fail_msg("\"%s\" not parsed", ok[i].release);
		if (major != ok[i].major || minor != ok[i].minor ||
		    patch != ok[i].patch)
			fail_msg("\"%s\" parsed as %d.%d.%d, expected %d.%d.%d",
				 ok[i].release, major, minor, patch,
				 ok[i].major, ok[i].minor, ok[i].patch);
	}
}

static void release_parse_garbage(void **state UNUSED)
{
	static const char *const bad[] = {
		"",    "garbage", "6",	  "6.",	       "6.x",	   ".6.1",
		" 6.1", "+6.1",	   "-6.1", "v6.1",	"6-1",	   "6,1",
		"6. 1", "6.-1",	   "Linux 6.1", "99999999999.1", "6.99999999999",
		"2147483648.0",
	};

	for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
		int major = -7, minor = -7, patch = -7;

		if (mn_kernel_release_parse(bad[i], &major, &minor, &patch) !=
		    -1)
			fail_msg("\"%s\" parsed as %d.%d.%d", bad[i], major,
				 minor, patch);
		/* outputs are left alone on failure */
		assert_int_equal(major, -7);
		assert_int_equal(minor, -7);
		assert_int_equal(patch, -7);
	}
	assert_int_equal(mn_kernel_release_parse(NULL, NULL, NULL, NULL), -1);
}

static void release_parse_null_outputs(void **state UNUSED)
{
	int minor = -1;

	assert_int_equal(mn_kernel_release_parse("6.18.44", NULL, &minor,
						 NULL),
			 0);
	assert_int_equal(minor, 18);
	assert_int_equal(mn_kernel_release_parse("6.18.44", NULL, NULL, NULL),
			 0);
}

static void kernel_at_least(void **state UNUSED)
{
	const char *here = "6.18.44-fc-v669";

	assert_true(mn_kernel_at_least(here, 6, 6));
	assert_true(mn_kernel_at_least(here, 6, 18));
	assert_false(mn_kernel_at_least(here, 6, 19));
	assert_true(mn_kernel_at_least(here, 5, 15));
	assert_false(mn_kernel_at_least(here, 7, 0));
	assert_true(mn_kernel_at_least("6.6", 6, 6));
	assert_false(mn_kernel_at_least("6.5.13", 6, 6));
	assert_false(mn_kernel_at_least("5.15.0-91-generic", 6, 6));
	/* a higher major wins over a lower minor */
	assert_true(mn_kernel_at_least("7.0", 6, 6));
	/* the patch level does not matter */
	assert_true(mn_kernel_at_least("6.6.0", 6, 6));
	assert_false(mn_kernel_at_least("garbage", 0, 0));
	assert_false(mn_kernel_at_least("", 0, 0));
	assert_false(mn_kernel_at_least(NULL, 0, 0));
}

/*
 * Names
 */

static void datapath_and_mode_names(void **state UNUSED)
{
	assert_string_equal(mn_datapath_name(MN_DP_NONE), "none");
	assert_string_equal(mn_datapath_name(MN_DP_NETKIT), "netkit");
	assert_string_equal(mn_datapath_name(MN_DP_VETH_TCX), "veth-tcx");
	assert_string_equal(mn_datapath_name(MN_DP_VETH_CLSACT),
			    "veth-clsact");
	assert_string_equal(mn_datapath_name(MN_DP_KERNEL), "kernel");
	assert_string_equal(mn_datapath_name((enum mn_datapath)99), "unknown");

	assert_string_equal(mn_egress_mode_name(MN_EGRESS_AUTO), "auto");
	assert_string_equal(mn_egress_mode_name(MN_EGRESS_EBPF), "ebpf");
	assert_string_equal(mn_egress_mode_name(MN_EGRESS_KERNEL), "kernel");
	assert_string_equal(mn_egress_mode_name((enum mn_egress_mode)7),
			    "unknown");

	assert_string_equal(mn_placement_name(MN_PLACEMENT_HASH), "hash");
	assert_string_equal(mn_placement_name(MN_PLACEMENT_LEAST_LOADED), "least-loaded");
	assert_string_equal(mn_placement_name((enum mn_placement_mode)5), "unknown");
}

/* The values are those of the YANG enumerations: they must not move. */
static void enum_values_match_yang(void **state UNUSED)
{
	assert_int_equal(MN_EGRESS_AUTO, 0);
	assert_int_equal(MN_EGRESS_EBPF, 1);
	assert_int_equal(MN_EGRESS_KERNEL, 2);
	assert_int_equal(MN_PLACEMENT_HASH, 0);
	assert_int_equal(MN_PLACEMENT_LEAST_LOADED, 1);
	assert_int_equal(MN_DP_NONE, 0);
	assert_int_equal(MN_DP_NETKIT, 1);
	assert_int_equal(MN_DP_VETH_TCX, 2);
	assert_int_equal(MN_DP_VETH_CLSACT, 3);
	assert_int_equal(MN_DP_KERNEL, 4);
}

/*
 * mn_datapath_select
 */

/* Every capability, as on a 6.12 kernel with CONFIG_NETKIT. */
static const struct mn_caps caps_all = {
	.netkit = true, .veth = true, .tcx = true, .clsact = true,
	.btf = true, .bpf_sched_cls = true,
};

/* The test kernel of DESIGN.md §3: 6.18 without netkit. */
static const struct mn_caps caps_host = {
	.veth = true, .tcx = true, .clsact = true, .btf = true,
	.bpf_sched_cls = true,
};

/* A pre-6.6 kernel: no tcx, no netkit. */
static const struct mn_caps caps_old = {
	.veth = true, .clsact = true, .btf = true, .bpf_sched_cls = true,
};

static const struct mn_caps caps_nothing;

struct select_case {
	enum mn_egress_mode mode;
	const struct mn_caps *caps;
	enum mn_datapath dp;
	const char *reason; /* exact, or NULL */
	const char *contains; /* substring, or NULL */
};

static void check_select(const struct select_case *c, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		char reason[ERRLEN] = "";
		enum mn_datapath dp;

		dp = mn_datapath_select(c[i].mode, c[i].caps, reason,
					sizeof(reason));
		if (dp != c[i].dp)
			fail_msg("case %zu: mode %s picked %s, expected %s (%s)",
				 i, mn_egress_mode_name(c[i].mode),
				 mn_datapath_name(dp),
				 mn_datapath_name(c[i].dp), reason);
		if (c[i].reason)
			assert_string_equal(reason, c[i].reason);
		if (c[i].contains)
			assert_contains(reason, c[i].contains);
	}
}

static void select_all_caps(void **state UNUSED)
{
	static const struct select_case cases[] = {
		{ MN_EGRESS_AUTO, &caps_all, MN_DP_NETKIT,
		  "netkit: netkit is available in this kernel", NULL },
		{ MN_EGRESS_EBPF, &caps_all, MN_DP_NETKIT,
		  "netkit: netkit is available in this kernel", NULL },
		{ MN_EGRESS_KERNEL, &caps_all, MN_DP_KERNEL,
		  "kernel: egress-mode kernel is configured", NULL },
	};

	check_select(cases, ARRAY_SIZE(cases));
}

static void select_host_kernel(void **state UNUSED)
{
	static const struct select_case cases[] = {
		{ MN_EGRESS_AUTO, &caps_host, MN_DP_VETH_TCX,
		  "veth-tcx: netkit is not available in this kernel; tcx is",
		  NULL },
		{ MN_EGRESS_EBPF, &caps_host, MN_DP_VETH_TCX,
		  "veth-tcx: netkit is not available in this kernel; tcx is",
		  NULL },
		{ MN_EGRESS_KERNEL, &caps_host, MN_DP_KERNEL,
		  "kernel: egress-mode kernel is configured", NULL },
	};

	check_select(cases, ARRAY_SIZE(cases));
}

static void select_old_kernel(void **state UNUSED)
{
	static const struct select_case cases[] = {
		{ MN_EGRESS_AUTO, &caps_old, MN_DP_VETH_CLSACT,
		  "veth-clsact: netkit and tcx are not available in this kernel; clsact is",
		  NULL },
		{ MN_EGRESS_EBPF, &caps_old, MN_DP_VETH_CLSACT, NULL,
		  "clsact is" },
		{ MN_EGRESS_KERNEL, &caps_old, MN_DP_KERNEL, NULL, NULL },
	};

	check_select(cases, ARRAY_SIZE(cases));
}

static void select_no_sched_cls(void **state UNUSED)
{
	static const struct mn_caps no_bpf = {
		.netkit = true, .veth = true, .tcx = true, .clsact = true,
		.btf = true,
	};
	static const struct select_case cases[] = {
		{ MN_EGRESS_AUTO, &no_bpf, MN_DP_KERNEL,
		  "kernel: no eBPF datapath is possible because the kernel cannot load SCHED_CLS BPF programs",
		  NULL },
		{ MN_EGRESS_EBPF, &no_bpf, MN_DP_NONE,
		  "none: egress-mode ebpf is configured, but no eBPF datapath is possible because the kernel cannot load SCHED_CLS BPF programs",
		  NULL },
		{ MN_EGRESS_KERNEL, &no_bpf, MN_DP_KERNEL, NULL,
		  "egress-mode kernel" },
	};

	check_select(cases, ARRAY_SIZE(cases));
}

static void select_nothing(void **state UNUSED)
{
	static const struct select_case cases[] = {
		{ MN_EGRESS_AUTO, &caps_nothing, MN_DP_KERNEL, NULL,
		  "SCHED_CLS" },
		{ MN_EGRESS_EBPF, &caps_nothing, MN_DP_NONE, NULL,
		  "SCHED_CLS" },
		{ MN_EGRESS_KERNEL, &caps_nothing, MN_DP_KERNEL, NULL, NULL },
		/* NULL caps: nothing was probed, so nothing is assumed */
		{ MN_EGRESS_AUTO, NULL, MN_DP_KERNEL, NULL, "SCHED_CLS" },
		{ MN_EGRESS_EBPF, NULL, MN_DP_NONE, NULL, "SCHED_CLS" },
		{ MN_EGRESS_KERNEL, NULL, MN_DP_KERNEL, NULL, NULL },
	};

	check_select(cases, ARRAY_SIZE(cases));
}

static void select_missing_veth_hooks(void **state UNUSED)
{
	/* BPF loads, but there is neither netkit nor veth */
	static const struct mn_caps no_veth = {
		.tcx = true, .clsact = true, .btf = true, .bpf_sched_cls = true,
	};
	/* veth, but no hook to attach to */
	static const struct mn_caps no_hook = {
		.veth = true, .btf = true, .bpf_sched_cls = true,
	};
	static const struct select_case cases[] = {
		{ MN_EGRESS_AUTO, &no_veth, MN_DP_KERNEL,
		  "kernel: no eBPF datapath is possible because netkit and veth are not available in this kernel",
		  NULL },
		{ MN_EGRESS_EBPF, &no_veth, MN_DP_NONE, NULL,
		  "netkit and veth are not available" },
		{ MN_EGRESS_AUTO, &no_hook, MN_DP_KERNEL, NULL,
		  "netkit, tcx and clsact are not available" },
		{ MN_EGRESS_EBPF, &no_hook, MN_DP_NONE,
		  "none: egress-mode ebpf is configured, but no eBPF datapath is possible because netkit, tcx and clsact are not available in this kernel",
		  NULL },
	};

	check_select(cases, ARRAY_SIZE(cases));
}

static void select_netkit_without_veth(void **state UNUSED)
{
	/* netkit does not need veth, tcx or clsact */
	static const struct mn_caps netkit_only = {
		.netkit = true, .bpf_sched_cls = true,
	};
	static const struct select_case cases[] = {
		{ MN_EGRESS_AUTO, &netkit_only, MN_DP_NETKIT, NULL, "netkit" },
		{ MN_EGRESS_EBPF, &netkit_only, MN_DP_NETKIT, NULL, "netkit" },
	};

	check_select(cases, ARRAY_SIZE(cases));
}

/* The test knob: what it names is missing, and selection falls back. */
static void caps_disable_falls_back(void **state UNUSED)
{
	struct mn_caps c = caps_all;
	char err[ERRLEN];

	assert_int_equal(mn_caps_disable(&c, "netkit", err, sizeof(err)), 0);
	assert_false(c.netkit);
	assert_true(c.tcx && c.clsact && c.veth);
	assert_int_equal(mn_datapath_select(MN_EGRESS_AUTO, &c, NULL, 0), MN_DP_VETH_TCX);

	assert_int_equal(mn_caps_disable(&c, " tcx, ,", err, sizeof(err)), 0);
	assert_false(c.tcx);
	assert_int_equal(mn_datapath_select(MN_EGRESS_EBPF, &c, NULL, 0), MN_DP_VETH_CLSACT);

	c = caps_all;
	assert_int_equal(mn_caps_disable(&c, "netkit,tcx clsact", err, sizeof(err)), 0);
	assert_int_equal(mn_datapath_select(MN_EGRESS_AUTO, &c, NULL, 0), MN_DP_KERNEL);
	assert_int_equal(mn_datapath_select(MN_EGRESS_EBPF, &c, NULL, 0), MN_DP_NONE);

	c = caps_all;
	assert_int_equal(mn_caps_disable(&c, "sched-cls", err, sizeof(err)), 0);
	assert_false(c.bpf_sched_cls);
	assert_int_equal(mn_datapath_select(MN_EGRESS_AUTO, &c, NULL, 0), MN_DP_KERNEL);

	/* nothing named: nothing changes */
	c = caps_all;
	assert_int_equal(mn_caps_disable(&c, "", err, sizeof(err)), 0);
	assert_memory_equal(&c, &caps_all, sizeof(c));
}

static void caps_disable_unknown_name(void **state UNUSED)
{
	struct mn_caps c = caps_all;
	char err[ERRLEN];

	/* all or nothing: tcx before the typo stays available */
	assert_int_equal(mn_caps_disable(&c, "tcx,tcxx", err, sizeof(err)), -1);
	assert_string_equal(err,
			    "unknown capability \"tcxx\" (known: netkit, veth, tcx, clsact, btf, sched-cls)");
	assert_memory_equal(&c, &caps_all, sizeof(c));
	/* a prefix of a name is no name */
	assert_int_equal(mn_caps_disable(&c, "net", err, sizeof(err)), -1);
	assert_true(c.netkit);
}

static void select_btf_irrelevant(void **state UNUSED)
{
	struct mn_caps c = caps_host;

	c.btf = false;
	assert_int_equal(mn_datapath_select(MN_EGRESS_AUTO, &c, NULL, 0),
			 MN_DP_VETH_TCX);
}

static void select_unknown_mode(void **state UNUSED)
{
	char reason[ERRLEN];

	assert_int_equal(mn_datapath_select((enum mn_egress_mode)42, &caps_all,
					    reason, sizeof(reason)),
			 MN_DP_NONE);
	assert_string_equal(reason,
			    "none: egress mode 42 is unknown; expected auto, ebpf or kernel");
}

static void select_reason_buffers(void **state UNUSED)
{
	char reason[10];

	/* reason is optional */
	assert_int_equal(mn_datapath_select(MN_EGRESS_AUTO, &caps_host, NULL,
					    0),
			 MN_DP_VETH_TCX);
	memset(reason, 'Z', sizeof(reason));
	assert_int_equal(mn_datapath_select(MN_EGRESS_AUTO, &caps_host, reason,
					    0),
			 MN_DP_VETH_TCX);
	assert_int_equal(reason[0], 'Z');
	/* a short buffer gets a truncated, terminated reason */
	assert_int_equal(mn_datapath_select(MN_EGRESS_AUTO, &caps_host, reason,
					    sizeof(reason)),
			 MN_DP_VETH_TCX);
	assert_string_equal(reason, "veth-tcx:");
}

/* DESIGN.md §3 written as a table: what each eBPF datapath needs. */
static enum mn_datapath expected_ebpf(const struct mn_caps *c)
{
	if (!c->bpf_sched_cls)
		return MN_DP_NONE;
	if (c->netkit)
		return MN_DP_NETKIT;
	if (c->veth && c->tcx)
		return MN_DP_VETH_TCX;
	if (c->veth && c->clsact)
		return MN_DP_VETH_CLSACT;
	return MN_DP_NONE;
}

/*
 * Every combination of the six capabilities, in every mode: the pick
 * follows the preference order, auto only ever adds the kernel fallback,
 * and each reason starts with the name of what was picked.
 */
static void select_exhaustive(void **state UNUSED)
{
	static const enum mn_egress_mode modes[] = {
		MN_EGRESS_AUTO, MN_EGRESS_EBPF, MN_EGRESS_KERNEL,
	};

	for (unsigned int bits = 0; bits < 64; bits++) {
		struct mn_caps c = {
			.netkit = bits & 1, .veth = bits & 2,
			.tcx = bits & 4, .clsact = bits & 8,
			.btf = bits & 16, .bpf_sched_cls = bits & 32,
		};
		enum mn_datapath ebpf = expected_ebpf(&c);

		for (size_t m = 0; m < ARRAY_SIZE(modes); m++) {
			char reason[ERRLEN] = "", prefix[32];
			enum mn_datapath want, got;

			if (modes[m] == MN_EGRESS_KERNEL)
				want = MN_DP_KERNEL;
			else if (modes[m] == MN_EGRESS_EBPF)
				want = ebpf;
			else
				want = ebpf == MN_DP_NONE ? MN_DP_KERNEL
							  : ebpf;
			got = mn_datapath_select(modes[m], &c, reason,
						 sizeof(reason));
			if (got != want)
				fail_msg("caps 0x%02x mode %s: got %s, want %s",
					 bits, mn_egress_mode_name(modes[m]),
					 mn_datapath_name(got),
					 mn_datapath_name(want));
			snprintf(prefix, sizeof(prefix), "%s: ",
				 mn_datapath_name(got));
			assert_starts_with(reason, prefix);
			assert_null(strchr(reason, '\n'));
		}
	}
}

int main(void)
{
	const struct CMUnitTest kernel[] = {
		cmocka_unit_test(release_parse_valid),
		cmocka_unit_test(release_parse_garbage),
		cmocka_unit_test(release_parse_null_outputs),
		cmocka_unit_test(kernel_at_least),
	};
	const struct CMUnitTest datapath[] = {
		cmocka_unit_test(datapath_and_mode_names),
		cmocka_unit_test(enum_values_match_yang),
		cmocka_unit_test(select_all_caps),
		cmocka_unit_test(select_host_kernel),
		cmocka_unit_test(select_old_kernel),
		cmocka_unit_test(select_no_sched_cls),
		cmocka_unit_test(select_nothing),
		cmocka_unit_test(select_missing_veth_hooks),
		cmocka_unit_test(select_netkit_without_veth),
		cmocka_unit_test(select_btf_irrelevant),
		cmocka_unit_test(caps_disable_falls_back),
		cmocka_unit_test(caps_disable_unknown_name),
		cmocka_unit_test(select_unknown_mode),
		cmocka_unit_test(select_reason_buffers),
		cmocka_unit_test(select_exhaustive),
	};
	int failed = 0;

	unit_test_unbuffered();
	failed += cmocka_run_group_tests_name("kernel release", kernel, NULL,
					      NULL);
	failed += cmocka_run_group_tests_name("datapath selection", datapath,
					      NULL, NULL);
	return failed ? 1 : 0;
}
