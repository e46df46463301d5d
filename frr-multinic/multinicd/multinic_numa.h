// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * multinicd: the NUMA facet of the NIC and task layers (doc/numa.md).
 *
 *  - the host's topology: its nodes and their CPUs, read once at start
 *    from /sys/devices/system/node (MULTINICD_NUMA_SYSFS names another
 *    directory of the same shape: tests fake a two-node host with it);
 *  - each NIC's load: its transmit rate, from the counter the NIC layer
 *    samples every second while a spill threshold applies, marks it
 *    loaded (the NIC layer reads the NIC's node from sysfs itself);
 *  - each task's node: "numa-node N", else the one node its processes'
 *    cpusets allow (found through the processes in its netns), else
 *    unknown; looked up again every MN_NUMA_TASK_RECHECK_S.
 *
 * The nodes reach the datapaths inside the descriptions the NIC and task
 * layers hand down (struct mn_dp_nic, struct mn_task_wiring).
 */
#ifndef _MULTINIC_NUMA_H
#define _MULTINIC_NUMA_H

#include <stdbool.h>
#include <stdint.h>

#include "multinic_numa_policy.h"

/* Tests only: a directory replacing /sys/devices/system/node. */
#define MN_NUMA_SYSFS_ENV "MULTINICD_NUMA_SYSFS"
#define MN_NUMA_TASK_RECHECK_S 5

/* The NUMA state of a selected NIC (struct mn_nic). */
struct mn_nic_numa {
	int node_read;	   /* from sysfs; MN_NUMA_NODE_NONE when unknown */
	char node_path[128]; /* the sysfs file it came from; "" when none */
	bool loaded;	   /* past the spill threshold */
	uint64_t tx_bps;   /* transmit rate at the last sample */
	uint64_t tx_bytes; /* counter at the last sample */
	int64_t sampled_ms; /* monotonic time of the last sample; 0: none */
};

/* How a task's node was found (struct mn_task). */
enum mn_task_numa_source {
	MN_TASK_NUMA_UNKNOWN,
	MN_TASK_NUMA_CONFIGURED,
	MN_TASK_NUMA_CGROUP,
};

struct mn_task_numa {
	int node_cfg; /* "numa-node N"; MN_NUMA_NODE_NONE when not configured */
	int node;     /* in use (handed down); MN_NUMA_NODE_NONE when unknown */
	enum mn_task_numa_source source;
	/* what the cgroup lookup found: processes, cpuset file, its nodes */
	unsigned int pids;
	int pid;	   /* the first process found */
	char cpuset[160];  /* the file read */
	char mems[64];	   /* its contents */
	char why[160];	   /* why the node is unknown, "" when known */
};

/* The host */
extern const struct mn_numa_topology *mn_numa_host(void);
extern bool mn_numa_node_exists(int node);
/* Where the topology was read ("/sys/devices/system/node" or the test directory). */
extern const char *mn_numa_host_source(void);

/*
 * A NIC's load, from its transmit counter as the NIC layer samples it
 * (multinic_nic.c): the rate since the last sample, and loaded when past
 * the spill threshold.  True when loaded changed.
 */
extern bool mn_numa_nic_load_sample(struct mn_nic_numa *n, bool oper_up, uint64_t tx_bytes,
				    uint32_t speed_mbps, int64_t now_ms);
/* Not sampled any more; true when it was loaded. */
extern bool mn_numa_nic_load_clear(struct mn_nic_numa *n);
/* Whether NIC loads matter: policy prefer, a spill threshold, more than one node. */
extern bool mn_numa_spill_sampling_wanted(void);

/*
 * A task's node from the cgroups of the processes in its netns; fills
 * everything of numa but node_cfg.
 */
extern void mn_numa_task_detect(const char *netns, struct mn_task_numa *numa);

struct mn_task;
/*
 * The task's node in use, from its configuration or its processes;
 * handed down to the datapaths when a wired task's node changed.
 */
extern void mn_task_numa_resolve(struct mn_task *task);
/* "numa-node N" (MN_NUMA_NODE_NONE: removed). */
extern void mn_task_numa_node_set(struct mn_task *task, int node);

extern void mn_numa_init(void);
extern void mn_numa_terminate(void);

#endif /* _MULTINIC_NUMA_H */
