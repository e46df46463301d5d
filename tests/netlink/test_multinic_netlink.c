// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Tests for multinicd's netlink mechanism (frr-multinic/multinicd/
 * multinic_netlink*.c; cmocka), against the real kernel.  The tests are
 * in test_*.c by object kind, their fixture in netlink_test.c; this file
 * has the namespace tests and the program.
 *
 * Every test gets two fresh network namespaces, "mnltest-PID-a" and
 * "mnltest-PID-b" (ip netns add), and works in them and on host links
 * named "mntPIDh0"... (the PID keeps parallel runs apart).  The teardown
 * removes them whether the test passed or not, and checks that the test
 * left this thread in its own namespace and leaked no file descriptor;
 * the last test checks that nothing at all is left behind.  What the
 * code under test did is checked from the outside with iproute2 (ip -N
 * prints protocol and scope numbers, independent of /etc/iproute2).
 *
 * On this project's test kernel netkit creation must fail cleanly with
 * -EOPNOTSUPP; on a kernel with netkit the pair is checked for real
 * (tests/vm/run-in-vm.sh boots Debian's 6.12 under qemu for that).
 *
 * Addresses are FRR's struct prefix, so the program is built against an
 * FRR build tree and libfrr (str2prefix, printfrr's %pFX): "make
 * check-netlink" at the top of our build tree, after FRR is built
 * (packaging/build-frr.sh build).  Needs root (CAP_NET_ADMIN and
 * CAP_SYS_ADMIN) and iproute2; otherwise the program exits 77, automake's
 * "skipped".
 */
#include "netlink_test.h"

/*
 * Namespaces
 */

void netns_open_paths(void **state)
{
	struct fixture *fx = *state;
	char path[64], err[ERRLEN];
	int fd;

	/* a missing namespace */
	err[0] = '\0';
	snprintf(path, sizeof(path), "/run/netns/%s-missing", ns_a);
	fd = mn_nl_netns_open(path, err, sizeof(err));
	assert_int_equal(fd, -ENOENT);
	assert_contains(err, path);
	assert_contains(err, "does not exist");
	assert_int_equal(mn_nl_netns_open(path, NULL, 0), -ENOENT);

	/* files that are not network namespaces */
	fd = mn_nl_netns_open("/proc/self/ns/mnt", err, sizeof(err));
	assert_int_equal(fd, -EINVAL);
	assert_string_equal(err, "/proc/self/ns/mnt is not a network namespace");
	fd = mn_nl_netns_open("/proc/self/status", err, sizeof(err));
	assert_int_equal(fd, -EINVAL);
	assert_contains(err, "is not a network namespace");
	assert_int_equal(mn_nl_netns_open("", err, sizeof(err)), -EINVAL);

	/* a namespace by /proc/PID path, and by name */
	snprintf(path, sizeof(path), "/proc/%d/ns/net", (int)getpid());
	fd = mn_nl_netns_open(path, err, sizeof(err));
	assert_true(fd >= 0);
	assert_true(fcntl(fd, F_GETFD) & FD_CLOEXEC);
	close(fd);
	assert_true(fx->a.fd >= 0 && fx->b.fd >= 0);
	assert_true(fcntl(fx->a.fd, F_GETFD) & FD_CLOEXEC);
}

/* Acting in a namespace that cannot be entered changes nothing. */
void netns_enter_fails(void **state)
{
	struct mn_nl_ns ghost = { .fd = 1000, .name = "ghost" };
	struct mn_nl_ns file = { .fd = -1, .name = "devnull" };
	struct prefix a = pfx("10.9.9.9/32");
	char err[ERRLEN];

	assert_true(fcntl(1000, F_GETFD) < 0);
	assert_int_equal(mn_nl_link_up(&ghost, "lo", 0, err, sizeof(err)), -EBADF);
	assert_string_equal(err, "cannot enter netns ghost: Bad file descriptor");
	assert_int_equal(mn_nl_link_index(&ghost, "lo"), -EBADF);

	file.fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
	assert_true(file.fd >= 0);
	assert_int_equal(mn_nl_addr_add(&file, "lo", &a, err, sizeof(err)), -EINVAL);
	assert_string_equal(err, "cannot enter netns devnull: Invalid argument");
	close(file.fd);

	/* err is optional */
	assert_int_equal(mn_nl_link_up(&ghost, "lo", 0, NULL, 0), -EBADF);
}

/*
 * The end: nothing of ours anywhere
 */

static void nothing_left_behind(void **state)
{
	char pat[64];

	cleanup(); /* what the last teardown did; must find nothing */
	snprintf(pat, sizeof(pat), "mnltest-%d-", (int)getpid());
	assert_not_contains(out("ip netns list 2>/dev/null"), pat);
	assert_not_contains(out("ip -o link show 2>/dev/null"), link_prefix);
}

int main(void)
{
#define NS_TEST(f) cmocka_unit_test_setup_teardown(f, setup, teardown)
	const struct CMUnitTest kernel[] = {
		NS_TEST(netns_open_paths),
		NS_TEST(netns_enter_fails),
		NS_TEST(veth_create_pair),
		NS_TEST(veth_default_mtu_host_peer),
		NS_TEST(veth_create_errors),
		NS_TEST(netkit_create),
		NS_TEST(link_up_and_mtu),
		NS_TEST(link_mac_read),
		NS_TEST(link_delete_pair),
		NS_TEST(link_index_lookup),
		NS_TEST(links_dump_kinds),
		NS_TEST(addr_v4),
		NS_TEST(addr_invalid),
		NS_TEST(addr_v6_nodad),
		NS_TEST(route_v4),
		NS_TEST(route_v4_errors),
		NS_TEST(route_v6),
		NS_TEST(neigh_permanent),
		NS_TEST(neigh_state_read),
		NS_TEST(rule_v4_iif),
		NS_TEST(rule_v6),
		NS_TEST(rules_dump_ours),
		NS_TEST(held_socket_series),
		cmocka_unit_test(nothing_left_behind),
	};

	/*
	 * One stream in order: cmocka's lines (CMOCKA_MESSAGE_OUTPUT=stdout)
	 * and the fixture's complaints on stderr, through a pipe.
	 */
	setvbuf(stdout, NULL, _IONBF, 0);
	names_init();
	if (geteuid() != 0) {
		printf("SKIP: the kernel tests need root (network namespaces)\n");
		return EXIT_SKIP;
	}
	if (run("ip -V") != 0) {
		printf("SKIP: iproute2 (ip) is not installed\n");
		return EXIT_SKIP;
	}
	if (run("ip netns add %s", ns_a) != 0) {
		printf("SKIP: cannot create a network namespace here\n");
		return EXIT_SKIP;
	}
	run("ip netns del %s", ns_a);

	cleanup_at_exit();
	return cmocka_run_group_tests_name("kernel", kernel, NULL, NULL);
}
