/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * frr-multinic egress: NUMA placement (bpf/multinic_numa_maps.h).  The
 * egress program looks its task's node up once per packet; a task with
 * a node places its flows among its node's members and counts where
 * each packet left.
 */
#ifndef MN_NUMA_BPF_H
#define MN_NUMA_BPF_H

#include "mn_defs.bpf.h"
#include "multinic_numa_maps.h"

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, MN_MAX_TASKS);
	__type(key, __u32);
	__type(value, struct mn_numa_task);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} mn_numa_tasks SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, MN_NUMA_TABLES);
	__type(key, __u32);
	__type(value, struct mn_numa_node);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} mn_numa_nodes SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, MN_NUMA_TABLES * MN_MAGLEV_SIZE);
	__type(key, __u32);
	__type(value, __u32);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} mn_maglev_node SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_HASH);
	__uint(max_entries, MN_MAX_TASKS);
	__type(key, __u32);
	__type(value, struct mn_numa_stats);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} mn_numa_stats SEC(".maps");

/* A task's NUMA placement: its node, and that node's NIC slots. */
struct mn_numa {
	__u32 node;    /* MN_NUMA_NONE: no node, all NICs */
	__u32 members; /* slots new flows may use (all when no node) */
	__u32 local;   /* slots of its node */
};

#define MN_NUMA_NONE 0xffffffffU

static __always_inline void mn_numa_of_task(__u32 task_ifindex, struct mn_numa *numa)
{
	const struct mn_numa_task *t = bpf_map_lookup_elem(&mn_numa_tasks, &task_ifindex);
	const struct mn_numa_node *n = NULL;
	__u32 node;

	numa->node = MN_NUMA_NONE;
	numa->members = numa->local = ~0U;
	if (!t)
		return;
	node = t->node;
	n = bpf_map_lookup_elem(&mn_numa_nodes, &node);
	if (!n)
		return;
	numa->node = node;
	numa->members = n->members;
	numa->local = n->local;
}

static __always_inline bool mn_numa_member(const struct mn_numa *numa, __u32 slot)
{
	return slot < 32 && (numa->members >> slot) & 1;
}

/* Placement hash: the node's Maglev table; MN_NIC_NONE without one. */
static __always_inline __u32 mn_numa_place_hash(const struct mn_numa *numa, __u32 hash)
{
	__u32 idx = numa->node * MN_MAGLEV_SIZE + hash % MN_MAGLEV_SIZE;
	__u32 *slot = bpf_map_lookup_elem(&mn_maglev_node, &idx);

	return slot ? *slot : MN_NIC_NONE;
}

/*
 * A packet sent through slot: local or remote to its task's node.  The
 * entry is multinicd's, created when the task gets its node and deleted
 * with the task (as mn_task_stats): a packet still on its way never
 * brings a detached task's counters back.
 */
static __always_inline void mn_numa_count(__u32 task_ifindex, const struct mn_numa *numa,
					  __u32 slot, __u32 len)
{
	struct mn_numa_stats *s;

	if (numa->node == MN_NUMA_NONE)
		return;
	s = bpf_map_lookup_elem(&mn_numa_stats, &task_ifindex);
	if (!s)
		return;
	if (slot < 32 && (numa->local >> slot) & 1) {
		s->local_packets++;
		s->local_bytes += len;
	} else {
		s->remote_packets++;
		s->remote_bytes += len;
	}
}

#endif /* MN_NUMA_BPF_H */
