// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * multinicd: NUMA placement in the kernel datapath (doc/numa.md).
 *
 * A task whose node is known has its VIP rules look up its node's table,
 * MN_NUMA_TABLE_BASE + node, instead of the shared egress table.  That
 * table holds an IPv4 and an IPv6 default route via a resilient nexthop
 * group of the NICs numa-policy gives the node (mn_numa_members(): the
 * node's NICs, every NIC once they are down or loaded under prefer, the
 * node's only under strict, where no NIC up means an unreachable route),
 * through zebra like the egress table.  The rules follow the task's node
 * only, never the policy or the NICs' state: those change the tables,
 * in place.  Tables exist for the nodes attached tasks are on.
 *
 * Part of the kernel datapath (multinic_kernel.c), which calls it.
 */
#ifndef _MULTINIC_KERNEL_NUMA_H
#define _MULTINIC_KERNEL_NUMA_H

#include "multinic_datapath_ops.h"
#include "multinic_zapi.h"

#define MN_NUMA_TABLE_BASE 4300

/* The table a task on this node looks up (the egress table when unknown). */
extern uint32_t mn_kernel_numa_table(int node);

/*
 * The healthy NICs among members (a bit per index of nics[]) with a
 * gateway of this family, as weighted next hops; how many.
 */
extern unsigned int mn_kernel_nexthops(const struct mn_dp_nic *nics, unsigned int n,
				       uint64_t members, afi_t afi, struct mn_zapi_nh *nh,
				       unsigned int max);

/*
 * Bring the node tables in line: one per node in used while wanted,
 * each with the NICs the policy gives it now; the others go.
 */
extern void mn_kernel_numa_update(const struct mn_dp_nic *nics, unsigned int n,
				  enum mn_numa_policy policy, const struct mn_numa_set *used,
				  bool wanted);

/* For show: a node table's group ("id N (M NICs: local NICs), default route of table T"). */
extern bool mn_kernel_numa_describe(int node, afi_t afi, char *buf, size_t len);

#endif /* _MULTINIC_KERNEL_NUMA_H */
