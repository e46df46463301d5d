// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * multinicd: daemon-wide definitions.
 *
 * Layering (DESIGN.md §6, doc/architecture.md), events flow down only:
 *   multinic_zebra.c, multinic_nb_config.c (events: zebra, commits)
 *     -> multinic_nic.c, multinic_task.c (NIC and task state)
 *     -> multinic_datapath.c (the datapath switch)
 *     -> multinic_kernel.c, multinic_ebpf*.c (the datapaths)
 *     -> multinic_zapi.c, multinic_netlink*.c, BPF maps (the kernel, zebra).
 * multinic_vty.c and multinic_nb_state.c only read state.
 */
#ifndef _MULTINICD_H
#define _MULTINICD_H

#include "lib/memory.h"
#include "lib/privs.h"

#include "multinic_datapath_select.h"
#include "multinic_numa_policy.h"

#define MULTINICD_VERSION "0.1.0"
#define MULTINIC_VTY_PORT 2624

DECLARE_MGROUP(MULTINICD);

extern struct event_loop *master;
extern struct zebra_privs_t multinic_privs;

/* Daemon-wide configuration, written only by the northbound apply phase. */
struct multinic_config {
	bool configured; /* the "multinic" presence container exists */
	enum mn_egress_mode egress_mode;
	enum mn_placement_mode placement;
	/* placement least-loaded (0: the datapath's default) */
	uint32_t flowlet_timeout_ms;
	uint32_t rebalance_interval_ms;
	/* NUMA (multinic_numa.h) */
	enum mn_numa_policy numa_policy;
	uint8_t spill_threshold; /* % of a NIC's speed; 0: spill only when down */
	enum mn_steering_mode steering;
};

extern struct multinic_config multinic_cfg;

#endif /* _MULTINICD_H */
