/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * frr-multinic receive steering: the layouts shared by bpf/steer.bpf.c
 * (program "mn_steer") and multinicd (multinic_steer.c).
 *
 * mn_steer runs in XDP on each NIC (receive-steering xdp, or auto where
 * the NIC cannot steer in hardware).  A packet for a task address is
 * moved, through a cpumap, to a CPU of its task's NUMA node, unless the
 * CPU it arrived on is already on that node: the skb is then built and
 * the whole receive path (the ingress program, the task's socket) runs
 * there.  The CPU is one of the node's, by the flow's hash
 * (multinic_hash.h, seed 0), so that a flow always lands on one CPU and
 * is not reordered.  Everything else passes untouched.
 *
 * Maps (pinned by name under MN_PIN_MAPS, like the datapath's):
 *  - mn_steer_dsts[mn_addr_key]: a task address and its node (only
 *    tasks with a node);
 *  - mn_steer_cpu_node[cpu]: the node of each CPU (MN_STEER_NO_NODE);
 *  - mn_steer_node_cpus[node]: a node's CPUs, in ascending order;
 *  - mn_steer_cpumap: an entry per CPU of the nodes, MN_STEER_QSIZE;
 *  - mn_steer_stats[NIC ifindex] (per-CPU): what mn_steer did.
 */
#ifndef MULTINIC_STEER_MAPS_H
#define MULTINIC_STEER_MAPS_H

#include <linux/types.h>

#define MN_STEER_MAX_CPUS  1024 /* CPU ids below this */
#define MN_STEER_NODES	   64	/* node ids below this */
#define MN_STEER_NODE_CPUS 256	/* CPUs a node steers to, at most (a power of 2) */
#define MN_STEER_NO_NODE   0xffffffffU
/* Frames a CPU's cpumap queue holds (the kernel's samples use 2048). */
#define MN_STEER_QSIZE 2048

/* mn_steer_dsts[addr] (hash, MN_MAX_ADDRS) */
struct mn_steer_dst {
	__u32 node;
	__u32 pad;
};

/* mn_steer_node_cpus[node] (array, MN_STEER_NODES) */
struct mn_steer_cpus {
	__u32 count;
	__u32 cpu[MN_STEER_NODE_CPUS];
};

/* mn_steer_stats[ifindex] (per-CPU hash) */
struct mn_steer_stats {
	__u64 steered;	/* redirected to a CPU of the task's node */
	__u64 on_node;	/* arrived on a CPU of the task's node already */
	__u64 no_cpu;	/* the task's node has no CPU: left where it was */
	__u64 errors;	/* the redirect failed: left where it was */
};

#ifndef __cplusplus
_Static_assert(sizeof(struct mn_steer_dst) == 8, "struct mn_steer_dst layout");
_Static_assert(sizeof(struct mn_steer_stats) == 32, "struct mn_steer_stats layout");
#endif

#endif /* MULTINIC_STEER_MAPS_H */
