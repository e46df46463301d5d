// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Unit tests for frr-multinic/multinicd/multinic_addr_policy.c (cmocka):
 * which addresses a task may take.
 *
 * Run with "make check" at the top of the tree; the output of this program
 * is in tests/unit/test_multinic_addr_policy.log.
 */
#include "unit_test.h"

#include <arpa/inet.h>
#include <sys/socket.h>

#include "multinic_addr_policy.h"

static const char *refusal(const char *text)
{
	struct in6_addr a6;
	struct in_addr a4;

	if (inet_pton(AF_INET, text, &a4) == 1)
		return mn_task_addr_refusal(AF_INET, &a4);
	assert_int_equal(inet_pton(AF_INET6, text, &a6), 1);
	return mn_task_addr_refusal(AF_INET6, &a6);
}

#define assert_refused(text, why) assert_contains(refusal(text) ? refusal(text) : "(taken)", why)
#define assert_taken(text) assert_null(refusal(text))

static void task_addresses_ipv4(void **state UNUSED)
{
	assert_taken("10.200.0.1");
	assert_taken("192.0.2.7");
	assert_taken("100.64.0.1");
	assert_taken("223.255.255.254");
	assert_refused("0.0.0.0", "0.0.0.0/8");
	assert_refused("0.1.2.3", "0.0.0.0/8");
	assert_refused("127.0.0.1", "loopback");
	assert_refused("127.255.0.9", "loopback");
	assert_refused("169.254.1.1", "task gateway");
	assert_refused("169.254.169.254", "metadata");
	assert_refused("169.254.7.7", "link-local");
	assert_refused("224.0.0.1", "multicast");
	assert_refused("239.255.255.255", "multicast");
	assert_refused("240.0.0.1", "reserved");
	assert_refused("255.255.255.254", "reserved");
	assert_refused("255.255.255.255", "broadcast");
}

static void task_addresses_ipv6(void **state UNUSED)
{
	assert_taken("fd00:200::1");
	assert_taken("2001:db8::1");
	assert_refused("::", "unspecified");
	assert_refused("::1", "loopback");
	assert_refused("fe80::1", "task gateway");
	assert_refused("febf::5", "link-local");
	assert_refused("ff02::1", "multicast");
	assert_refused("::ffff:127.0.0.1", "IPv4-mapped");
	assert_taken("::ffff:10.0.0.1");
	assert_taken("fec0::1"); /* site-local was deprecated, not reserved */
}

static void bad_arguments(void **state UNUSED)
{
	struct in_addr a = { 0 };

	assert_non_null(mn_task_addr_refusal(AF_INET, NULL));
	assert_non_null(mn_task_addr_refusal(AF_UNIX, &a));
}

static void vip_ranges(void **state UNUSED)
{
	assert_non_null(mn_vip_range_refusal(AF_INET, 0));
	assert_non_null(mn_vip_range_refusal(AF_INET6, 0));
	assert_null(mn_vip_range_refusal(AF_INET, 8));
	assert_null(mn_vip_range_refusal(AF_INET6, 48));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(task_addresses_ipv4),
		cmocka_unit_test(task_addresses_ipv6),
		cmocka_unit_test(bad_arguments),
		cmocka_unit_test(vip_ranges),
	};

	unit_test_unbuffered();
	return cmocka_run_group_tests_name("task addresses", tests, NULL, NULL);
}
