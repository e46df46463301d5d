// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * multinicd: NUMA placement in the eBPF datapath (doc/numa.md): the
 * writers of bpf/multinic_numa_maps.h (per-node member slots and Maglev
 * tables, each task's node) and the readers of its counters.
 *
 * Part of the eBPF datapath (multinic_ebpf.c), which hands in the NICs,
 * the policy and each attached task's node.  Like the other maps, the
 * tables are rewritten only once the tasks have settled after a restart;
 * before that, what the previous multinicd wrote stays in force.
 */
#ifndef _MULTINIC_EBPF_NUMA_H
#define _MULTINIC_EBPF_NUMA_H

#include "multinic_datapath_ops.h"

struct mn_ebpf_numa_fds {
	int tasks, nodes, maglev, stats;
	int task_stats; /* mn_task_stats: the receive CPUs */
};
extern void mn_ebpf_numa_maps_set(const struct mn_ebpf_numa_fds *fds);

/* An attached task and its node (MN_NUMA_NODE_NONE: all NICs). */
extern void mn_ebpf_numa_task_set(uint32_t task_ifindex, int node);
extern void mn_ebpf_numa_task_del(uint32_t task_ifindex);

/*
 * The node tables of the tasks' nodes, then the tasks' entries, from
 * what was handed down; with settled, also entries nobody claims go.
 */
extern void mn_ebpf_numa_sync(const struct mn_dp_nic *nics, unsigned int n,
			      enum mn_numa_policy policy, bool settled);
/* The same for one task (attached, or its node changed). */
extern void mn_ebpf_numa_task_sync(uint32_t task_ifindex, const struct mn_dp_nic *nics,
				   unsigned int n, enum mn_numa_policy policy, bool settled);

/* A task's counters (false when it has none); receive by the node of the CPU. */
extern bool mn_ebpf_numa_counters(uint32_t task_ifindex, int node,
				  const struct mn_numa_topology *topo,
				  struct mn_dp_numa_counters *c);

/* multinicd stops or the datapath goes off: forget (the maps stay). */
extern void mn_ebpf_numa_clear(void);

#endif /* _MULTINIC_EBPF_NUMA_H */
