// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Unit tests for frr-multinic/multinicd/multinic_util.c (cmocka).
 *
 * Run with "make check" at the top of the tree; the output of this program
 * (cmocka's summary per group) is in tests/unit/test_multinic_util.log.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "multinic_util.h"

#define IFNAMSIZ_TEST 16

#define UNUSED __attribute__((unused))
#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

/* Big enough for every message the helpers write. */
#define ERRLEN 512

#define assert_contains(haystack, needle)                                     \
	do {                                                                  \
		const char *h_ = (haystack), *n_ = (needle);                  \
		if (!strstr(h_, n_))                                          \
			fail_msg("\"%s\" does not contain \"%s\"", h_, n_);   \
	} while (0)

#define assert_starts_with(s, prefix)                                         \
	do {                                                                  \
		const char *s_ = (s), *p_ = (prefix);                         \
		if (strncmp(s_, p_, strlen(p_)) != 0)                         \
			fail_msg("\"%s\" does not start with \"%s\"", s_, p_);\
	} while (0)

/* A string of n copies of c (n < sizeof(buf)). */
static char *repeat(char *buf, char c, size_t n)
{
	memset(buf, c, n);
	buf[n] = '\0';
	return buf;
}

/*
 * mn_ifname_valid
 */

static void ifname_valid_names(void **state UNUSED)
{
	static const char *const ok[] = {
		"eth0",	       "a",	      "enp1s0f0np0",
		"eth0.100",    "veth-job1_0", "br@x",
		"...",	       "a.b",	      "abcdefghijklmno", /* 15 */
		"eth\xc3\xa9", /* "ethé": UTF-8 is fine for the kernel */
	};
	char err[ERRLEN];

	for (size_t i = 0; i < ARRAY_SIZE(ok); i++) {
		err[0] = '\0';
		if (!mn_ifname_valid(ok[i], err, sizeof(err)))
			fail_msg("\"%s\" refused: %s", ok[i], err);
	}
	/* err is optional */
	assert_true(mn_ifname_valid("eth0", NULL, 0));
}

static void ifname_empty(void **state UNUSED)
{
	char err[ERRLEN];

	assert_false(mn_ifname_valid("", err, sizeof(err)));
	assert_string_equal(err, "interface name is empty");
	assert_false(mn_ifname_valid(NULL, err, sizeof(err)));
	assert_string_equal(err, "interface name is empty");
}

static void ifname_length(void **state UNUSED)
{
	char err[ERRLEN], name[64];

	assert_true(mn_ifname_valid(repeat(name, 'x', 15), err, sizeof(err)));
	assert_false(mn_ifname_valid(repeat(name, 'x', 16), err, sizeof(err)));
	assert_string_equal(err,
			    "interface name \"xxxxxxxxxxxxxxxx\" is 16 characters long; the kernel allows at most 15");
	assert_false(mn_ifname_valid(repeat(name, 'y', 40), err, sizeof(err)));
	assert_contains(err, "is 40 characters long");
}

static void ifname_dot_dotdot(void **state UNUSED)
{
	char err[ERRLEN];

	assert_false(mn_ifname_valid(".", err, sizeof(err)));
	assert_string_equal(err,
			    "interface name \".\" is not allowed: the kernel refuses \".\" and \"..\"");
	assert_false(mn_ifname_valid("..", err, sizeof(err)));
	assert_contains(err, "interface name \"..\" is not allowed");
}

static void ifname_bad_characters(void **state UNUSED)
{
	char err[ERRLEN];

	assert_false(mn_ifname_valid("a/b", err, sizeof(err)));
	assert_string_equal(err, "interface name \"a/b\" contains '/'");
	assert_false(mn_ifname_valid("/", err, sizeof(err)));
	assert_string_equal(err, "interface name \"/\" contains '/'");
	assert_false(mn_ifname_valid("eth0:1", err, sizeof(err)));
	assert_string_equal(err, "interface name \"eth0:1\" contains ':'");
	assert_false(mn_ifname_valid("a b", err, sizeof(err)));
	assert_string_equal(err, "interface name \"a b\" contains white space");
	assert_false(mn_ifname_valid("eth0 ", err, sizeof(err)));
	assert_contains(err, "contains white space");
	/* Invisible characters are shown escaped, so the user sees them. */
	assert_false(mn_ifname_valid("a\tb", err, sizeof(err)));
	assert_string_equal(err,
			    "interface name \"a\\tb\" contains white space");
	assert_false(mn_ifname_valid("a\nb", err, sizeof(err)));
	assert_contains(err, "\"a\\nb\"");
	assert_false(mn_ifname_valid("a\vb", err, sizeof(err)));
	assert_false(mn_ifname_valid("a\fb", err, sizeof(err)));
	assert_false(mn_ifname_valid("a\rb", err, sizeof(err)));
	/* The kernel's isspace() also counts 0xa0, as in UTF-8 "à". */
	assert_false(mn_ifname_valid("eth\xc3\xa0", err, sizeof(err)));
	assert_string_equal(err,
			    "interface name \"eth\\xc3\\xa0\" contains white space");
	/* Quotes in the name do not break the message's quoting. */
	assert_false(mn_ifname_valid("a\"b/", err, sizeof(err)));
	assert_string_equal(err, "interface name \"a\\\"b/\" contains '/'");
}

static void ifname_small_err_buffer(void **state UNUSED)
{
	char err[8];

	memset(err, 'Z', sizeof(err));
	assert_false(mn_ifname_valid("a/b", err, sizeof(err)));
	/* truncated, but always a C string */
	assert_string_equal(err, "interfa");

	/* errlen 0: nothing is written at all */
	memset(err, 'Z', sizeof(err));
	assert_false(mn_ifname_valid("a/b", err, 0));
	assert_int_equal(err[0], 'Z');
}

/*
 * mn_netns_ref_valid
 */

static void netns_valid_names(void **state UNUSED)
{
	static const char *const ok[] = {
		"job1", "A", "cni-1f2e3d4c-aaaa-bbbb", "job_1.2-3", "...", "a..",
	};
	char err[ERRLEN], name[300];

	for (size_t i = 0; i < ARRAY_SIZE(ok); i++)
		if (!mn_netns_ref_valid(ok[i], err, sizeof(err)))
			fail_msg("\"%s\" refused: %s", ok[i], err);
	assert_true(mn_netns_ref_valid(repeat(name, 'n', 255), err,
				       sizeof(err)));
	assert_true(mn_netns_ref_valid("job1", NULL, 0));
}

static void netns_valid_paths(void **state UNUSED)
{
	static const char *const ok[] = {
		"/run/netns/job1",
		"/proc/1234/ns/net",
		"/var/run/docker/netns/1a2b3c4d5e6f",
		"/a/.hidden",
		"/a/..b",
		"/a/b..",
		"/a/.../b",
		"/a//b",
		"/with:colon/and@at",
	};
	char err[ERRLEN];

	for (size_t i = 0; i < ARRAY_SIZE(ok); i++)
		if (!mn_netns_ref_valid(ok[i], err, sizeof(err)))
			fail_msg("\"%s\" refused: %s", ok[i], err);
}

static void netns_empty(void **state UNUSED)
{
	char err[ERRLEN];

	assert_false(mn_netns_ref_valid("", err, sizeof(err)));
	assert_string_equal(err,
			    "netns reference is empty; give a name in /run/netns/ or an absolute path");
	assert_false(mn_netns_ref_valid(NULL, err, sizeof(err)));
	assert_contains(err, "is empty");
}

static void netns_dot_names(void **state UNUSED)
{
	char err[ERRLEN];

	assert_false(mn_netns_ref_valid(".", err, sizeof(err)));
	assert_starts_with(err, "netns name \".\" is not allowed");
	assert_false(mn_netns_ref_valid("..", err, sizeof(err)));
	assert_starts_with(err, "netns name \"..\" is not allowed");
	assert_contains(err, "directory");
}

static void netns_bad_name_characters(void **state UNUSED)
{
	char err[ERRLEN];

	assert_false(mn_netns_ref_valid("job 1", err, sizeof(err)));
	assert_string_equal(err,
			    "netns name \"job 1\" contains ' '; a name may contain only letters, digits, '_', '.' and '-'");
	assert_false(mn_netns_ref_valid("job:1", err, sizeof(err)));
	assert_contains(err, "contains ':'");
	assert_false(mn_netns_ref_valid("job\t1", err, sizeof(err)));
	assert_contains(err, "\"job\\t1\" contains '\\t'");
	assert_false(mn_netns_ref_valid("job\x01", err, sizeof(err)));
	assert_contains(err, "contains '\\x01'");
	assert_false(mn_netns_ref_valid("j\xc3\xa9", err, sizeof(err)));
	assert_contains(err, "contains '\\xc3'");
	assert_false(mn_netns_ref_valid("job@1", err, sizeof(err)));
	assert_false(mn_netns_ref_valid("job1\\", err, sizeof(err)));
}

static void netns_relative_paths(void **state UNUSED)
{
	static const char *const bad[] = {
		"a/b", "./job1", "../job1", "job1/", "run/netns/job1",
	};
	char err[ERRLEN];

	for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
		err[0] = '\0';
		if (mn_netns_ref_valid(bad[i], err, sizeof(err)))
			fail_msg("\"%s\" accepted", bad[i]);
		assert_contains(err, "is a relative path");
	}
	assert_false(mn_netns_ref_valid("a/b", err, sizeof(err)));
	assert_string_equal(err,
			    "netns reference \"a/b\" is a relative path; give a name in /run/netns/ (without '/') or an absolute path");
}

static void netns_dot_components(void **state UNUSED)
{
	static const struct {
		const char *path;
		const char *component;
	} bad[] = {
		{ "/a/../b", "\"..\"" }, { "/a/./b", "\".\"" },
		{ "/..", "\"..\"" },	 { "/.", "\".\"" },
		{ "/a/..", "\"..\"" },	 { "/a/.", "\".\"" },
		{ "/../a", "\"..\"" },	 { "/a//./b", "\".\"" },
	};
	char err[ERRLEN];

	for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
		err[0] = '\0';
		if (mn_netns_ref_valid(bad[i].path, err, sizeof(err)))
			fail_msg("\"%s\" accepted", bad[i].path);
		assert_contains(err, "contains a ");
		assert_contains(err, bad[i].component);
	}
	assert_false(mn_netns_ref_valid("/a/../b", err, sizeof(err)));
	assert_string_equal(err,
			    "netns path \"/a/../b\" contains a \"..\" component; give the path without \".\" or \"..\" components");
}

static void netns_bad_paths(void **state UNUSED)
{
	char err[ERRLEN];

	assert_false(mn_netns_ref_valid("/", err, sizeof(err)));
	assert_contains(err, "ends with '/'");
	assert_false(mn_netns_ref_valid("/run/netns/", err, sizeof(err)));
	assert_string_equal(err,
			    "netns path \"/run/netns/\" ends with '/'; it must name a namespace file, not a directory");
	assert_false(mn_netns_ref_valid("/a b", err, sizeof(err)));
	assert_contains(err, "contains ' '");
	assert_false(mn_netns_ref_valid("/a\nb", err, sizeof(err)));
	assert_contains(err, "contains '\\n'");
	assert_false(mn_netns_ref_valid("/a\x7f", err, sizeof(err)));
	/* UTF-8 is fine in paths */
	assert_true(mn_netns_ref_valid("/run/netns/j\xc3\xa9", err,
				       sizeof(err)));
}

static void netns_too_long(void **state UNUSED)
{
	char err[ERRLEN], name[300], path[5000];

	assert_false(mn_netns_ref_valid(repeat(name, 'n', 256), err,
					sizeof(err)));
	assert_contains(err, "is 256 characters long; at most 255 are allowed");

	repeat(path, 'p', 4095);
	path[0] = '/';
	assert_true(mn_netns_ref_valid(path, err, sizeof(err)));
	repeat(path, 'p', 4096);
	path[0] = '/';
	assert_false(mn_netns_ref_valid(path, err, sizeof(err)));
	assert_contains(err, "is 4096 characters long; at most 4095 are allowed");
	/* The value is cut in the message, which stays readable. */
	assert_starts_with(err, "netns path \"/ppp");
	assert_contains(err, "ppp\"... is 4096");
	assert_true(strlen(err) < 200);
}

/*
 * mn_netns_path
 */

static void netns_path_names_and_paths(void **state UNUSED)
{
	char buf[64];

	assert_int_equal(mn_netns_path("job1", buf, sizeof(buf)), 0);
	assert_string_equal(buf, "/run/netns/job1");
	assert_int_equal(mn_netns_path("/proc/42/ns/net", buf, sizeof(buf)),
			 0);
	assert_string_equal(buf, "/proc/42/ns/net");
	assert_int_equal(mn_netns_path("/run/netns/job1", buf, sizeof(buf)),
			 0);
	assert_string_equal(buf, "/run/netns/job1");
}

static void netns_path_longest_name(void **state UNUSED)
{
	char name[300], buf[300];

	repeat(name, 'n', 255);
	assert_int_equal(mn_netns_path(name, buf, sizeof(buf)), 0);
	assert_int_equal(strlen(buf), strlen("/run/netns/") + 255);
	assert_starts_with(buf, "/run/netns/nnn");
}

static void netns_path_small_buffers(void **state UNUSED)
{
	char buf[64];

	/* "/run/netns/job1" is 15 characters: exactly fits in 16 */
	assert_int_equal(mn_netns_path("job1", buf, 16), 0);
	assert_string_equal(buf, "/run/netns/job1");
	memset(buf, 'Z', sizeof(buf));
	assert_int_equal(mn_netns_path("job1", buf, 15), -1);
	/* no truncated path is left behind */
	assert_string_equal(buf, "");
	memset(buf, 'Z', sizeof(buf));
	assert_int_equal(mn_netns_path("job1", buf, 1), -1);
	assert_string_equal(buf, "");

	/* "/proc/1/ns/net" is 14 characters */
	assert_int_equal(mn_netns_path("/proc/1/ns/net", buf, 15), 0);
	assert_string_equal(buf, "/proc/1/ns/net");
	assert_int_equal(mn_netns_path("/proc/1/ns/net", buf, 14), -1);
	assert_string_equal(buf, "");

	memset(buf, 'Z', sizeof(buf));
	assert_int_equal(mn_netns_path("job1", buf, 0), -1);
	assert_int_equal(buf[0], 'Z');
	assert_int_equal(mn_netns_path("job1", NULL, 64), -1);
}

static void netns_path_invalid_refs(void **state UNUSED)
{
	static const char *const bad[] = {
		"", ".", "..", "a/b", "job 1", "/a/../b", "/a/./b", "/",
	};
	char buf[64];

	for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
		strcpy(buf, "stale");
		if (mn_netns_path(bad[i], buf, sizeof(buf)) != -1)
			fail_msg("\"%s\" resolved to \"%s\"", bad[i], buf);
		assert_string_equal(buf, "");
	}
	assert_int_equal(mn_netns_path(NULL, buf, sizeof(buf)), -1);
}

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
 * mn_weight_from_speed
 */

static void weight_from_speed(void **state UNUSED)
{
	static const struct {
		uint32_t mbps;
		uint16_t weight;
	} cases[] = {
		{ 0, MN_WEIGHT_DEFAULT },   /* unknown */
		{ 1, 1 },		    /* clamped up: never 0 */
		{ 499, 1 },
		{ 500, 1 },		    /* 0.5 Gbit/s rounds up */
		{ 1000, 1 },
		{ 1499, 1 },
		{ 1500, 2 },
		{ 2500, 3 },
		{ 10000, 10 },
		{ 25000, 25 },
		{ 100000, 100 },
		{ 400000, 400 },
		{ 999499, 999 },
		{ 999500, MN_WEIGHT_MAX },
		{ 1000000, MN_WEIGHT_MAX },
		{ 10000000, MN_WEIGHT_MAX }, /* clamped down */
		/* no overflow when rounding near the top of the range */
		{ UINT32_MAX - 1, MN_WEIGHT_MAX },
		{ UINT32_MAX, MN_WEIGHT_MAX },
	};

	assert_int_equal(MN_WEIGHT_DEFAULT, 100);
	assert_int_equal(MN_WEIGHT_MAX, 1000);
	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		uint16_t w = mn_weight_from_speed(cases[i].mbps);

		if (w != cases[i].weight)
			fail_msg("%u Mbit/s: weight %u, expected %u",
				 cases[i].mbps, w, cases[i].weight);
	}
}

/* An unknown NIC weighs as much as a 100G one (the header's promise). */
static void weight_default_is_100g(void **state UNUSED)
{
	assert_int_equal(mn_weight_from_speed(0), mn_weight_from_speed(100000));
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
 * Task device names
 */

static void task_ifname_short_names_are_readable(void **state)
{
	char buf[IFNAMSIZ_TEST];

	(void)state;
	mn_task_ifname("job1", buf, sizeof(buf));
	assert_string_equal(buf, "mn-job1");
	/* 12 characters is the longest name that still fits "mn-" */
	mn_task_ifname("abcdefghijkl", buf, sizeof(buf));
	assert_string_equal(buf, "mn-abcdefghijkl");
	assert_int_equal(strlen(buf), 15);
	assert_true(mn_ifname_valid(buf, NULL, 0));
}

static void task_ifname_long_names_are_hashed(void **state)
{
	char a[IFNAMSIZ_TEST], b[IFNAMSIZ_TEST], again[IFNAMSIZ_TEST];

	(void)state;
	mn_task_ifname("abcdefghijklm", a, sizeof(a));
	assert_int_equal(strlen(a), 10);
	assert_memory_equal(a, "mn", 2);
	assert_null(strchr(a, '-'));
	assert_true(mn_ifname_valid(a, NULL, 0));
	/* deterministic: a restarted daemon finds its devices again */
	mn_task_ifname("abcdefghijklm", again, sizeof(again));
	assert_string_equal(a, again);
	/* distinct names give distinct devices */
	mn_task_ifname("abcdefghijkln", b, sizeof(b));
	assert_string_not_equal(a, b);
	mn_task_ifname("a-32-character-long-task-name-xx", b, sizeof(b));
	assert_int_equal(strlen(b), 10);
	assert_true(mn_ifname_valid(b, NULL, 0));
}

int main(void)
{
	const struct CMUnitTest ifname[] = {
		cmocka_unit_test(ifname_valid_names),
		cmocka_unit_test(ifname_empty),
		cmocka_unit_test(ifname_length),
		cmocka_unit_test(ifname_dot_dotdot),
		cmocka_unit_test(ifname_bad_characters),
		cmocka_unit_test(ifname_small_err_buffer),
	};
	const struct CMUnitTest netns[] = {
		cmocka_unit_test(netns_valid_names),
		cmocka_unit_test(netns_valid_paths),
		cmocka_unit_test(netns_empty),
		cmocka_unit_test(netns_dot_names),
		cmocka_unit_test(netns_bad_name_characters),
		cmocka_unit_test(netns_relative_paths),
		cmocka_unit_test(netns_dot_components),
		cmocka_unit_test(netns_bad_paths),
		cmocka_unit_test(netns_too_long),
		cmocka_unit_test(netns_path_names_and_paths),
		cmocka_unit_test(netns_path_longest_name),
		cmocka_unit_test(netns_path_small_buffers),
		cmocka_unit_test(netns_path_invalid_refs),
	};
	const struct CMUnitTest kernel[] = {
		cmocka_unit_test(release_parse_valid),
		cmocka_unit_test(release_parse_garbage),
		cmocka_unit_test(release_parse_null_outputs),
		cmocka_unit_test(kernel_at_least),
	};
	const struct CMUnitTest weight[] = {
		cmocka_unit_test(weight_from_speed),
		cmocka_unit_test(weight_default_is_100g),
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
	const struct CMUnitTest task_names[] = {
		cmocka_unit_test(task_ifname_short_names_are_readable),
		cmocka_unit_test(task_ifname_long_names_are_hashed),
	};
	int failed = 0;

	/*
	 * cmocka writes progress to stdout and verdicts to stderr; both go
	 * to one log file under "make check", where a buffered stdout would
	 * put every verdict before the tests it belongs to.
	 */
	setvbuf(stdout, NULL, _IONBF, 0);

	failed += cmocka_run_group_tests_name("interface names", ifname, NULL,
					      NULL);
	failed += cmocka_run_group_tests_name("netns references", netns, NULL,
					      NULL);
	failed += cmocka_run_group_tests_name("kernel release", kernel, NULL,
					      NULL);
	failed += cmocka_run_group_tests_name("NIC weight", weight, NULL, NULL);
	failed += cmocka_run_group_tests_name("datapath selection", datapath,
					      NULL, NULL);
	failed += cmocka_run_group_tests_name("NIC rules", rules, NULL, NULL);
	failed += cmocka_run_group_tests_name("task device names", task_names,
					      NULL, NULL);
	return failed ? 1 : 0;
}
