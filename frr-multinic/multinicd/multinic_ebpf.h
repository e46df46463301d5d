// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * multinicd: eBPF egress datapath (netkit, veth + tcx), DESIGN.md §3.
 *
 * mn_egress (bpf/egress.bpf.c) on each wired task's host-side device (the
 * peer hook of a netkit primary, or tcx ingress of a veth, or clsact
 * ingress where the kernel has no tcx) sends
 * the task's flows straight out of one NIC (weighted Maglev over the up
 * NICs); mn_ingress (bpf/ingress.bpf.c) on each selected NIC hands
 * packets for a task address straight into the task.  The kernel-mode
 * wiring (multinic_kernel.c) stays underneath: packets the programs pass
 * (no usable NIC) are routed by it.
 *
 * Maps and links are pinned under MN_PIN_ROOT, so that forwarding goes on
 * while multinicd is down; a restarted multinicd adopts them: it reuses
 * the maps, swaps its programs into the pinned links and rewrites the
 * maps only once it knows every NIC the pinned maps use (or after
 * MN_EBPF_SETTLE_SECS), so that a restart moves no flow.
 *
 * Same layer as multinic_kernel.c: called by task wiring and from the
 * mn_nics_changed hook, never calls back up.
 */
#ifndef _MULTINIC_EBPF_H
#define _MULTINIC_EBPF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "multinic_datapath_select.h"

struct mn_task;
struct mn_nic;

#define MN_EBPF_SETTLE_SECS 10

/* Packet counters of the programs, summed over the CPUs. */
struct mn_ebpf_counters {
	uint64_t tx_packets, tx_bytes;
	uint64_t rx_packets, rx_bytes;
	uint64_t fallback, local, redirect_errors;
};

/* egress-mode ebpf is usable with these capabilities; else why not. */
extern bool mn_ebpf_supported(char *why, size_t len);

/* The eBPF datapath carries task traffic now. */
extern bool mn_ebpf_active(void);

/* Attach mn_egress to a wired task's host device and learn its addresses. */
extern int mn_ebpf_task_attach(struct mn_task *task, char *err, size_t len);
extern void mn_ebpf_task_detach(struct mn_task *task);


/* For show commands; false when there is nothing to show. */
extern bool mn_ebpf_nic_counters(const struct mn_nic *nic, uint32_t *slot,
				 struct mn_ebpf_counters *c);
extern bool mn_ebpf_task_counters(const struct mn_task *task, struct mn_ebpf_counters *c);
/* The pin path of a NIC's link, "" when not attached or not pinned (clsact). */
extern const char *mn_ebpf_nic_link(const struct mn_nic *nic);
/* The hook mn_ingress is on ("tcx ingress", "clsact ingress"), "" when not. */
extern const char *mn_ebpf_nic_hook(const struct mn_nic *nic);
extern uint32_t mn_ebpf_prog_id(bool egress);
/* mn_egress is on the task's device. */
extern bool mn_ebpf_task_attached(const struct mn_task *task);
/*
 * The datapath carrying a wired task: its own device's (a task whose
 * netkit pair could not be created is on veth), kernel when not attached.
 */
extern enum mn_datapath mn_ebpf_task_datapath(const struct mn_task *task);
/* Its hook: "tcx ingress", "netkit peer", "clsact ingress". */
extern const char *mn_ebpf_task_hook(const struct mn_task *task);
/* How it is held there: "pinned PATH", or the clsact filter; "" when not attached. */
extern const char *mn_ebpf_task_where(const struct mn_task *task);

/* The configuration has been loaded (end of "vtysh -b" or a file). */
extern void mn_ebpf_config_end(void);

extern void mn_ebpf_init(void);
extern void mn_ebpf_terminate(void);

#endif /* _MULTINIC_EBPF_H */
