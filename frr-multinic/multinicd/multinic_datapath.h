// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * multinicd: the egress datapath switch (DESIGN.md §3 "Datapath
 * selection", §6).
 *
 * The NIC and task layers hand their state down here and nowhere else:
 * the selected NICs (mn_datapath_nics_set()), each wired task as a wiring
 * description (mn_datapath_task_attach()), the daemon's configuration
 * (mn_datapath_config_set()).  This file decides which datapath carries
 * the tasks and passes everything on to the datapaths behind struct
 * mn_datapath_ops (multinic_datapath_ops.h):
 *
 *   - the kernel datapath (multinic_kernel.c): resilient nexthop groups
 *     through zebra plus a source rule per task address; always in place
 *     while multinicd is configured, under the eBPF datapath too, where it
 *     routes what the programs pass to the kernel;
 *   - the eBPF datapath (multinic_ebpf.c): programs on the task devices and
 *     the NICs, used whenever egress-mode and the kernel's capabilities
 *     allow it.
 *
 * A datapath reports a failure by its return code and never calls back
 * up; under egress-mode auto this file then takes the eBPF datapath off
 * (the kernel one carries on) and says why in "show multinic".  Each
 * datapath keeps its own per-task records: the task layer's structs never
 * reach a datapath.
 */
#ifndef _MULTINIC_DATAPATH_H
#define _MULTINIC_DATAPATH_H

#include "multinic_datapath_ops.h"

/*
 * Handed down by the layers above
 */

/*
 * Northbound apply: the daemon's configuration.  retry_ebpf: egress-mode
 * was configured (again), so egress-mode auto tries eBPF again after a
 * fall-back.
 */
extern void mn_datapath_config_set(const struct mn_dp_config *cfg, bool retry_ebpf);
/* NIC layer: the selected NICs after every recomputation. */
extern void mn_datapath_nics_set(const struct mn_dp_nic *nics, unsigned int n);
/*
 * Task layer: steer a wired task's traffic, or stop.  Returns 0, or a
 * negative errno with the reason in err (the task then fails).
 */
extern int mn_datapath_task_attach(const struct mn_task_wiring *w, char *err, size_t len);
extern void mn_datapath_task_detach(const char *name);
/* Task layer: a wired task's NUMA node changed. */
extern void mn_datapath_task_numa_set(const char *name, int node);
/* Task layer: the configuration is loaded and every task settled. */
extern void mn_datapath_tasks_settled(void);

/*
 * Read by show commands
 */

/* The datapath tasks use now, and why (a sentence). */
extern enum mn_datapath mn_datapath_in_use(char *reason, size_t len);
/* egress-mode ebpf is possible with these capabilities; else why not. */
extern bool mn_datapath_ebpf_possible(char *why, size_t len);
/* The eBPF datapath carries task traffic now. */
extern bool mn_datapath_ebpf_active(void);
/* The datapath carrying an attached task (kernel when eBPF is not on it). */
extern enum mn_datapath mn_datapath_of_task(const char *name);
/* The objects every datapath made for a task. */
extern void mn_datapath_task_objects(const char *name, mn_dp_object_fn fn, void *arg);
/* eBPF counters; false when there is nothing to show. */
extern bool mn_datapath_task_counters(const char *name, struct mn_dp_counters *c);
extern bool mn_datapath_nic_view(ifindex_t ifindex, struct mn_dp_nic_view *v);
/* Placement least-loaded's flows (eBPF); -1 when there is no flow table. */
extern int mn_datapath_flows(mn_dp_flow_fn fn, void *arg);
/* Egress packets by NUMA locality (eBPF); false when there is nothing to show. */
extern bool mn_datapath_task_numa_counters(const char *name, struct mn_dp_numa_counters *c);
/* How a NIC steers what it receives; false when receive steering is off. */
extern bool mn_datapath_nic_steering(ifindex_t ifindex, struct mn_dp_steer_view *v);

extern void mn_datapath_init(void);
extern void mn_datapath_terminate(void);

#endif /* _MULTINIC_DATAPATH_H */
