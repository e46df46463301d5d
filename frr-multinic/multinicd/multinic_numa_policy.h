// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * multinicd: what NUMA placement and receive steering decide from plain
 * facts (doc/numa.md).  Pure helpers (no FRR, no syscalls), unit-tested
 * with cmocka in tests/unit/test_multinic_numa.c; the topology reader
 * (multinic_numa.c), the task layer and the datapaths use them.
 *
 *  - CPU and node lists ("0-3,8-11", as sysfs and cgroups write them);
 *  - where a task's cpuset lives, from /proc/PID/cgroup and the cgroup
 *    mounts in /proc/self/mountinfo (cgroup v2, v1, or a hybrid of both);
 *  - which NICs a task's new flows may use under a numa-policy;
 *  - when a NIC counts as loaded past the spill threshold;
 *  - which receive-steering method a NIC gets.
 */
#ifndef _MULTINIC_NUMA_POLICY_H
#define _MULTINIC_NUMA_POLICY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* A node multinicd does not know (virtual NIC, task of no single node). */
#define MN_NUMA_NODE_NONE (-1)
/* Nodes and CPUs multinicd tells apart (sets of fixed size). */
#define MN_NUMA_NODES_MAX 64
#define MN_NUMA_CPUS_MAX  1024

/*
 * A set of CPUs or nodes: bit i of w[i / 64].  Nodes use the first word
 * only (MN_NUMA_NODES_MAX).
 */
struct mn_numa_set {
	uint64_t w[MN_NUMA_CPUS_MAX / 64];
};

static inline void mn_numa_set_add(struct mn_numa_set *s, unsigned int i)
{
	if (i < MN_NUMA_CPUS_MAX)
		s->w[i / 64] |= 1ULL << (i % 64);
}

static inline bool mn_numa_set_has(const struct mn_numa_set *s, unsigned int i)
{
	return i < MN_NUMA_CPUS_MAX && (s->w[i / 64] >> (i % 64)) & 1;
}

unsigned int mn_numa_set_count(const struct mn_numa_set *s);
/* The lowest member, or -1 when empty. */
int mn_numa_set_first(const struct mn_numa_set *s);
/* The lowest member above i, or -1. */
int mn_numa_set_next(const struct mn_numa_set *s, int i);

/*
 * Parse a list as the kernel writes it (cpulist, cpuset.mems.effective):
 * "0-3,8,10-11", "" (empty set), a trailing newline allowed.  Returns 0,
 * or -1 with the reason in err (a member at or above max, a reversed
 * range, anything else) and set untouched.
 */
int mn_numa_list_parse(const char *s, unsigned int max, struct mn_numa_set *set, char *err,
		       size_t errlen);
/* The set as such a list ("0-3,8"; "" when empty, truncated to len). */
const char *mn_numa_list_format(const struct mn_numa_set *set, char *buf, size_t len);

/*
 * The host's NUMA topology: its nodes that have CPUs, and their CPUs.
 */
struct mn_numa_topology {
	struct mn_numa_set nodes;		     /* node ids (below MN_NUMA_NODES_MAX) */
	struct mn_numa_set cpus[MN_NUMA_NODES_MAX]; /* the CPUs of each node */
};

/* The node of a CPU; MN_NUMA_NODE_NONE when no node lists it. */
int mn_numa_cpu_node(const struct mn_numa_topology *topo, unsigned int cpu);

/*
 * The node all of a set of CPUs are on (an interrupt's affinity); NONE
 * when it is empty, spans nodes, or names a CPU no node lists.
 */
int mn_numa_node_of_cpus(const struct mn_numa_topology *topo, const struct mn_numa_set *cpus);

/*
 * The task's node from the nodes its cpuset lets it use: the node when
 * there is exactly one, else MN_NUMA_NODE_NONE (a task spread over
 * nodes has no single local node).
 */
int mn_numa_node_of_mems(const struct mn_numa_set *mems);

/*
 * A process whose cpuset allows every node of a host of several nodes
 * is not pinned anywhere (a shell someone entered the task's netns with,
 * "ip netns exec" from the host): it says nothing of the task's node.
 */
bool mn_numa_mems_unpinned(const struct mn_numa_set *mems, const struct mn_numa_topology *topo);

/*
 * cgroups
 */

/* A cgroup hierarchy holding the cpuset controller, from mountinfo. */
enum mn_cgroup_kind {
	MN_CGROUP_NONE = 0, /* not a cgroup mount, or v1 without cpuset */
	MN_CGROUP_V2,	    /* the unified hierarchy (cgroup2) */
	MN_CGROUP_V1_CPUSET,
};

/*
 * One line of /proc/self/mountinfo: whether it mounts a cgroup2 or a v1
 * hierarchy with cpuset, and then its mount point and the cgroup path it
 * exposes (its root, "/" unless a container mounted a sub-tree).
 */
enum mn_cgroup_kind mn_mountinfo_cgroup(const char *line, char *mnt, size_t mntlen, char *root,
					size_t rootlen);

/*
 * /proc/PID/cgroup: the process's cgroup in the unified hierarchy ("0::"
 * line) and in the v1 hierarchy that has cpuset ("N:...cpuset...:" line);
 * "" for what it does not list.
 */
void mn_proc_cgroup_parse(const char *content, char *v2, size_t v2len, char *v1_cpuset,
			  size_t v1len);

/*
 * The directory of a cgroup on the host: mount point + the cgroup's path
 * below the mount's root.  False when the cgroup lies outside the mount
 * (another container's view) or the result does not fit.
 */
bool mn_cgroup_dir(const char *mnt, const char *root, const char *cgroup, char *buf, size_t len);

/*
 * The file of a hierarchy that holds a cgroup's memory nodes in effect:
 * cpuset.mems.effective (v2), cpuset.effective_mems (v1).
 */
const char *mn_cgroup_mems_file(enum mn_cgroup_kind kind);

/*
 * The parent of a cgroup directory, for the walk up to a cgroup that has
 * the file (v2: cpuset is enabled only in some sub-trees): false at the
 * mount point itself.
 */
bool mn_cgroup_dir_parent(char *dir, const char *mnt);

/*
 * NUMA placement of egress flows
 */

/* Same values as the YANG enumeration numa-policy. */
enum mn_numa_policy {
	MN_NUMA_PREFER = 0,
	MN_NUMA_STRICT = 1,
	MN_NUMA_IGNORE = 2,
};

const char *mn_numa_policy_name(enum mn_numa_policy policy);

/* A NIC as NUMA placement sees it. */
struct mn_numa_nic {
	int node;    /* MN_NUMA_NODE_NONE when unknown */
	bool usable; /* up, and has a gateway of the family in question */
	bool loaded; /* past the spill threshold (mn_numa_nic_loaded()) */
};

/* What a task's new flows use, and why. */
enum mn_numa_choice {
	MN_NUMA_ALL,	       /* every NIC: policy ignore, or the task's node unknown */
	MN_NUMA_LOCAL,	       /* the NICs of the task's node */
	MN_NUMA_SPILL_NO_NIC,  /* prefer: the node has no NIC: every NIC */
	MN_NUMA_SPILL_DOWN,    /* prefer: no NIC of the node is up: every NIC */
	MN_NUMA_SPILL_LOADED,  /* prefer: every usable NIC of the node is loaded: every NIC */
	MN_NUMA_STRICT_NO_NIC, /* strict: the node has no NIC: no egress */
	MN_NUMA_STRICT_DOWN,   /* strict: no NIC of the node is up: no egress */
};

/* A phrase for show commands, e.g. "local NICs (node 1)". */
const char *mn_numa_choice_name(enum mn_numa_choice choice);

/*
 * A NIC is local to a task's node when it sits on that node, or when its
 * own node is unknown (never known to be remote: a host whose firmware
 * reports no node for a NIC, or a single-node host, behaves as without
 * NUMA placement).
 */
bool mn_numa_nic_local(int nic_node, int task_node);

/*
 * The NICs a task on node task_node places its new flows on: a bit per
 * index of nics[] (n <= 64), down NICs included among the members (a
 * datapath that keeps them in its table with "down", as the Maglev
 * table does, moves only their flows; the caller intersects with
 * usable).  0 with choice MN_NUMA_STRICT_*: the task has no egress.
 */
uint64_t mn_numa_members(enum mn_numa_policy policy, int task_node, const struct mn_numa_nic *nics,
			 unsigned int n, enum mn_numa_choice *choice);

/* The members of nics[] local to task_node (a bit per index). */
uint64_t mn_numa_local_members(int task_node, const struct mn_numa_nic *nics, unsigned int n);

/*
 * Spill on load: a NIC is loaded once its transmit rate reaches
 * threshold_pct of its speed, and stays loaded until the rate falls
 * MN_NUMA_SPILL_HYSTERESIS points below, or half the threshold below
 * when that is less (so that a node does not flap between local and
 * spilled placement at the threshold, and an idle NIC is never loaded).
 * A NIC of unknown speed (0) is never loaded.
 */
#define MN_NUMA_SPILL_HYSTERESIS   10
#define MN_NUMA_SPILL_DEFAULT_PCT  90
bool mn_numa_nic_loaded(bool was, uint64_t tx_bps, uint32_t speed_mbps, unsigned int threshold_pct);

/*
 * Receive steering
 */

/* Same values as the YANG enumeration receive-steering. */
enum mn_steering_mode {
	MN_STEER_OFF = 0,
	MN_STEER_AUTO = 1,
	MN_STEER_XDP = 2,
	MN_STEER_HARDWARE = 3,
};

const char *mn_steering_mode_name(enum mn_steering_mode mode);

/* How one NIC's received task packets reach their task's node. */
enum mn_steer_method {
	MN_STEER_M_NONE = 0,
	MN_STEER_M_XDP,	     /* the steering program and a cpumap */
	MN_STEER_M_HARDWARE, /* an RSS context per node and an ntuple rule per VIP */
};

const char *mn_steer_method_name(enum mn_steer_method method);

/* One interrupt of a NIC (its queues', mostly) and where it runs. */
#define MN_STEER_IRQS_MAX 16
struct mn_steer_irq {
	unsigned int irq;
	char name[32]; /* its handler, as /proc/irq/N/ names it; "" when none */
	char cpus[32]; /* smp_affinity_list */
	int node;      /* the node of all its CPUs; MN_NUMA_NODE_NONE when not one */
};

/* What the probe found on a NIC (ethtool, /proc/irq) and on the host. */
struct mn_steer_caps {
	bool xdp;	    /* the host can run the steering program (cpumap, XDP) */
	bool rss_contexts;  /* the NIC can create additional RSS contexts */
	bool ntuple;	    /* the NIC takes ntuple rules (ETHTOOL_GRXCLSRLCNT answers) */
	bool ntuple_on;	    /* and the ntuple feature is on (ethtool -K X ntuple on) */
	unsigned int rings; /* its receive queues */
	unsigned int indir_size; /* its RSS indirection table; 0: none or unknown */
	unsigned int n_irqs;	 /* its interrupts found (at most MN_STEER_IRQS_MAX) */
	struct mn_steer_irq irq[MN_STEER_IRQS_MAX];
};

/*
 * The nodes the NIC's interrupts are pinned to, one each (an interrupt
 * spread over nodes is not counted): an RSS context for a node needs
 * queues there, and steering by node in the NIC needs more than one.
 */
unsigned int mn_steer_irq_nodes(const struct mn_steer_caps *caps);

/*
 * The method a NIC gets under a mode: hardware where the NIC has RSS
 * contexts, ntuple rules (the feature on) and queues whose interrupts
 * are pinned to more than one node, XDP otherwise (auto), none when off.  Writes why into why.
 */
enum mn_steer_method mn_steer_method_pick(enum mn_steering_mode mode,
					  const struct mn_steer_caps *caps, char *why,
					  size_t len);

/*
 * The CPU of a node a flow is steered to: CPUs are taken in order,
 * hash % their count, so that one flow always lands on one CPU (no
 * reordering) and the flows of a node spread over its CPUs.  -1 when
 * the node has no CPU.
 */
int mn_steer_cpu(const struct mn_numa_set *node_cpus, uint32_t hash);

#ifdef __cplusplus
}
#endif

#endif /* _MULTINIC_NUMA_POLICY_H */
