// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * multinicd: kernel-mode egress datapath.
 *
 * One routing table, MN_EGRESS_TABLE, holds an IPv4 and an IPv6 default
 * route through zebra, each via a resilient nexthop group of the healthy
 * NICs' gateways (weighted by the NICs' weights); a source rule per task
 * VIP on the task's host device sends its traffic into that table.  The
 * kernel hashes each flow onto one NIC (L4 hash policy), and resilient
 * groups keep established flows in place when a NIC leaves or returns.
 */
#ifndef _MULTINIC_KERNEL_H
#define _MULTINIC_KERNEL_H

#include "lib/prefix.h"

#include "multinic_datapath_select.h"

struct mn_task;

#define MN_EGRESS_TABLE	 4242
#define MN_RULE_PRIORITY 1000
/*
 * Per-NIC task addresses: table MN_NIC_TABLE_BASE + the NIC's ifindex
 * holds a default route via that NIC's gateway only (unreachable while
 * the NIC is down, so that such traffic never leaves through another
 * NIC); their rules come before the VIPs'.
 */
#define MN_NIC_TABLE_BASE    10000
#define MN_NIC_RULE_PRIORITY 999
#define MN_RESILIENT_BUCKETS 128

/* The NIC set or a NIC's health/weight/gateway changed. */
extern void mn_kernel_nics_changed(void);

/* Steer a wired task's VIPs into the egress table, or stop. */
extern int mn_kernel_task_attach(struct mn_task *task, char *err, size_t len);
extern void mn_kernel_task_detach(struct mn_task *task);

/* For show commands. */
extern uint32_t mn_kernel_nhg_id(afi_t afi);
extern unsigned int mn_kernel_nhg_members(afi_t afi);
extern bool mn_kernel_active(void);

/*
 * The datapath tasks use under the configured egress-mode, and why: ebpf
 * and auto use the best eBPF datapath the kernel has (auto: unless it fell
 * back, below), else kernel.
 */
extern enum mn_datapath mn_datapath_in_use(char *reason, size_t len);

/*
 * egress-mode auto: the eBPF datapath failed at runtime (why), tasks use
 * the kernel datapath from now on; until the egress-mode is configured
 * again (reset) or multinicd restarts.
 */
extern void mn_datapath_auto_fall_back(const char *why);
extern void mn_datapath_auto_reset(void);

extern void mn_kernel_init(void);
extern void mn_kernel_terminate(void);

#endif /* _MULTINIC_KERNEL_H */
