// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * multinicd: which addresses a task may take as a VIP or a per-NIC
 * address.  Pure helpers (no FRR, no syscalls), unit-tested with cmocka in
 * tests/unit; the northbound validation uses them.
 */
#ifndef _MULTINIC_ADDR_POLICY_H
#define _MULTINIC_ADDR_POLICY_H

#include <netinet/in.h>

#ifdef __cplusplus
extern "C" {
#endif

/*
 * NULL when a task may take the address (family AF_INET: addr is a
 * struct in_addr, AF_INET6: a struct in6_addr); else why not, as a
 * phrase ("a loopback address (127.0.0.0/8)").  Refused: addresses that
 * are not a host's own unicast address on a network (unspecified,
 * loopback, multicast, reserved, broadcast) and link-local ones (the task
 * gateways 169.254.1.1 and fe80::1 live there, and so does 169.254.169.254,
 * the metadata service of cloud hosts).
 */
const char *mn_task_addr_refusal(int family, const void *addr);

/*
 * NULL when an authorization vip-range of that length may be configured;
 * else why not: a default route's range (/0) would authorize every
 * address.
 */
const char *mn_vip_range_refusal(int family, unsigned int prefixlen);

#ifdef __cplusplus
}
#endif

#endif /* _MULTINIC_ADDR_POLICY_H */
