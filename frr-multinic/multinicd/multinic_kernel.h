// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * multinicd: kernel-mode egress datapath.
 *
 * One routing table, MN_EGRESS_TABLE, holds an IPv4 and an IPv6 default
 * route through zebra, each via a resilient nexthop group of the healthy
 * NICs' gateways (weighted by the NICs' weights); a source rule per task
 * VIP on the task's host device sends its traffic into that table.  The
 * kernel hashes each flow onto one NIC (L4 hash policy), and resilient
 * groups keep established flows in place when a NIC leaves or returns.
 *
 * Who owns what in the kernel (doc/architecture.md): the routes and
 * nexthop groups go through zebra, which keeps them across a restart of
 * multinicd (graceful restart, multinic_zapi.c); the rules are
 * multinicd's own (multinic_netlink.c, protocol multinic), because zebra
 * 10.3 deletes a client's rules the moment it disconnects.
 *
 * Registered with the datapath switch (multinic_datapath.h).
 */
#ifndef _MULTINIC_KERNEL_H
#define _MULTINIC_KERNEL_H

#include "multinic_datapath_ops.h"

#include "lib/prefix.h"

#define MN_EGRESS_TABLE	 4242
#define MN_RULE_PRIORITY 1000
/*
 * Per-NIC task addresses: table MN_NIC_TABLE_BASE + the NIC's ifindex
 * holds a default route via that NIC's gateway only (unreachable while
 * the NIC is down, so that such traffic never leaves through another
 * NIC); their rules come before the VIPs'.
 */
#define MN_NIC_TABLE_BASE    10000
#define MN_NIC_RULE_PRIORITY 999
#define MN_RESILIENT_BUCKETS 128

/* For "show multinic": the egress table's default routes are installed. */
extern bool mn_kernel_active(void);

/* Its operations, for the datapath switch (initializes it). */
extern const struct mn_datapath_ops *mn_kernel_datapath(void);

#endif /* _MULTINIC_KERNEL_H */
