// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Unit tests for frr-multinic/multinicd/multinic_names.c (cmocka): interface names, netns references, task device names.
 *
 * Run with "make check" at the top of the tree; the output of this program
 * (cmocka's summary per group) is in tests/unit/test_multinic_names.log.
 */
#include "unit_test.h"

#include "multinic_names.h"

#define IFNAMSIZ_TEST 16

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
	assert_int_equal(strlen(a), 15);
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
	assert_int_equal(strlen(b), 15);
	assert_true(mn_ifname_valid(b, NULL, 0));
	/* the 32-bit hash of 0.1 collided on these two; the 64-bit one does not */
	mn_task_ifname("job-000512789", a, sizeof(a));
	mn_task_ifname("job-000749192", b, sizeof(b));
	assert_string_not_equal(a, b);
}

static void task_ifname_variants_and_legacy(void **state)
{
	char v0[IFNAMSIZ_TEST], v1[IFNAMSIZ_TEST], v2[IFNAMSIZ_TEST], l1[IFNAMSIZ_TEST],
		l2[IFNAMSIZ_TEST];

	(void)state;
	/* a short name's variants are hashed names, distinct from each other */
	mn_task_ifname_variant("job1", 0, v0, sizeof(v0));
	mn_task_ifname_variant("job1", 1, v1, sizeof(v1));
	mn_task_ifname_variant("job1", 2, v2, sizeof(v2));
	assert_string_equal(v0, "mn-job1");
	assert_int_equal(strlen(v1), 15);
	assert_true(mn_ifname_valid(v1, NULL, 0));
	assert_string_not_equal(v1, v2);
	/* variant 0 of a long name is mn_task_ifname() */
	mn_task_ifname_variant("job-000512789", 0, v0, sizeof(v0));
	mn_task_ifname("job-000512789", v1, sizeof(v1));
	assert_string_equal(v0, v1);
	/* 0.1's names: the two that collided, and none for short names */
	assert_true(mn_task_ifname_legacy("job-000512789", l1, sizeof(l1)));
	assert_true(mn_task_ifname_legacy("job-000749192", l2, sizeof(l2)));
	assert_string_equal(l1, l2);
	assert_int_equal(strlen(l1), 10);
	assert_false(mn_task_ifname_legacy("job1", l1, sizeof(l1)));
}

static void task_device_names_are_recognised(void **state)
{
	char buf[IFNAMSIZ_TEST];

	(void)state;
	mn_task_ifname("job1", buf, sizeof(buf));
	assert_true(mn_ifname_is_task_device(buf));
	mn_task_ifname("job-000512789", buf, sizeof(buf));
	assert_true(mn_ifname_is_task_device(buf));
	mn_task_ifname_variant("job1", 3, buf, sizeof(buf));
	assert_true(mn_ifname_is_task_device(buf));
	assert_true(mn_task_ifname_legacy("job-000512789", buf, sizeof(buf)));
	assert_true(mn_ifname_is_task_device(buf));
	assert_false(mn_ifname_is_task_device("eth0"));
	assert_false(mn_ifname_is_task_device("mnic0"));
	assert_false(mn_ifname_is_task_device("mn-"));
	assert_false(mn_ifname_is_task_device("mn0"));
	assert_false(mn_ifname_is_task_device("mnabcdefghijkl8"));
}

static void task_alias_round_trip(void **state)
{
	char alias[64];

	(void)state;
	mn_task_alias("job1", alias, sizeof(alias));
	assert_string_equal(alias, "multinic task job1");
	assert_string_equal(mn_task_of_alias(alias), "job1");
	assert_null(mn_task_of_alias("multinic task "));
	assert_null(mn_task_of_alias("uplink to rack 3"));
	assert_null(mn_task_of_alias(""));
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
	const struct CMUnitTest task_names[] = {
		cmocka_unit_test(task_ifname_short_names_are_readable),
		cmocka_unit_test(task_ifname_long_names_are_hashed),
		cmocka_unit_test(task_ifname_variants_and_legacy),
		cmocka_unit_test(task_device_names_are_recognised),
		cmocka_unit_test(task_alias_round_trip),
	};
	int failed = 0;

	unit_test_unbuffered();
	failed += cmocka_run_group_tests_name("interface names", ifname, NULL,
					      NULL);
	failed += cmocka_run_group_tests_name("netns references", netns, NULL,
					      NULL);
	failed += cmocka_run_group_tests_name("task device names", task_names,
					      NULL, NULL);
	return failed ? 1 : 0;
}
