/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * frr-multinic: NUMA placement in the egress program, the layouts shared
 * by bpf/egress.bpf.c (bpf/mn_numa.bpf.h) and multinicd
 * (multinic_ebpf_numa.c).  Kept apart from multinic_maps.h: these maps
 * are new and add to the others without changing any of their layouts.
 *
 * multinicd decides everything (doc/numa.md): for each NUMA node that
 * attached tasks are on, which NIC slots its tasks' new flows may use
 * (numa-policy: the node's NICs, all of them when spilling, the node's
 * only under strict) and which slots are local; the program follows:
 *
 *  - mn_numa_tasks[task_ifindex]: the task's node, when it has one;
 *    no entry means all NICs (the Maglev table mn_maglev, placement as
 *    without NUMA);
 *  - mn_numa_nodes[node]: the node's member and local slots;
 *  - mn_maglev_node[node * MN_MAGLEV_SIZE + hash % MN_MAGLEV_SIZE]: a
 *    Maglev table over the node's members (placement hash);
 *    least-loaded placement picks among the members only;
 *  - mn_numa_stats[task_ifindex] (per-CPU): the task's packets and bytes
 *    sent through a NIC of its node, and through another node's; the
 *    entry is multinicd's (created with the task's node entry, deleted
 *    with the task), the program only updates it, as mn_task_stats.
 *
 * multinicd writes a node's table and mn_numa_nodes entry before any
 * task entry names the node.
 */
#ifndef MULTINIC_NUMA_MAPS_H
#define MULTINIC_NUMA_MAPS_H

#include <linux/types.h>

/* Nodes with a table of their own (tasks on higher nodes use all NICs). */
#define MN_NUMA_TABLES 8

/* mn_numa_tasks[task_ifindex] (hash, MN_MAX_TASKS) */
struct mn_numa_task {
	__u32 node; /* < MN_NUMA_TABLES */
	__u32 pad;
};

/* mn_numa_nodes[node] (array, MN_NUMA_TABLES): bit s is NIC slot s. */
struct mn_numa_node {
	__u32 members; /* slots new flows may use */
	__u32 local;   /* slots on the node (or of unknown node) */
};

/* mn_numa_stats[task_ifindex] (per-CPU hash, MN_MAX_TASKS) */
struct mn_numa_stats {
	__u64 local_packets;
	__u64 local_bytes;
	__u64 remote_packets;
	__u64 remote_bytes;
};

#ifndef __cplusplus
_Static_assert(sizeof(struct mn_numa_task) == 8, "struct mn_numa_task layout");
_Static_assert(sizeof(struct mn_numa_node) == 8, "struct mn_numa_node layout");
_Static_assert(sizeof(struct mn_numa_stats) == 32, "struct mn_numa_stats layout");
#endif

#endif /* MULTINIC_NUMA_MAPS_H */
