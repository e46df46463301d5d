// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * multinicd: the eBPF egress datapath (netkit, veth + tcx, veth + clsact),
 * DESIGN.md §3.
 *
 * mn_egress (bpf/egress.bpf.c) on each wired task's host-side device
 * sends the task's flows straight out of one NIC (weighted Maglev over the
 * up NICs, or least-loaded placement); mn_ingress (bpf/ingress.bpf.c) on
 * each selected NIC hands packets for a task address straight into the
 * task.  The kernel datapath (multinic_kernel.c) stays underneath:
 * packets the programs pass (no usable NIC) are routed by it.
 *
 * Maps and links are pinned under MN_PIN_ROOT, so that forwarding goes on
 * while multinicd is down; a restarted multinicd adopts them: it reuses
 * the maps, swaps its programs into the pinned links, and only adds to
 * the maps until the task layer says every task is wired again
 * (tasks_settled), so that a restart moves no flow.
 *
 * Files: this one loads, adopts and keeps the per-task records;
 * multinic_ebpf_link.c attaches; multinic_ebpf_maps.c writes the maps.
 * Registered with the datapath switch (multinic_datapath.h).
 */
#ifndef _MULTINIC_EBPF_H
#define _MULTINIC_EBPF_H

#include "multinic_datapath_ops.h"

/*
 * bpffs on /sys/fs/bpf (mounted when it is not) and MN_PIN_ROOT, for
 * whatever pins there (receive steering too); with privileges raised.
 * 0 or a negative errno.
 */
extern int mn_ebpf_bpffs_ready(void);

/* Its operations, for the datapath switch (initializes it). */
extern const struct mn_datapath_ops *mn_ebpf_datapath(void);

#endif /* _MULTINIC_EBPF_H */
