// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * multinicd: debugging, as in any FRR daemon ("debug multinic ...",
 * written to the running configuration, "show debugging multinic").
 *
 * Every state transition logs a zlog_debug behind one of these:
 *   zebra          what zebra reports (interfaces, default routes,
 *                  neighbours) and what multinicd sends it;
 *   nic            NIC selection and state (selected, up/down, speed,
 *                  gateway);
 *   task           task wiring (scheduled, wired, failed, unwired, settled);
 *   datapath       the datapath switch (which datapath, fall-backs) and
 *                  the kernel datapath's objects;
 *   bpf            the eBPF datapath (load, adoption, attach, maps);
 *   authorization  the policy handed to bgpd_multinic;
 *   ingress        the NICs and task prefixes handed to bgpd_multinic.
 */
#ifndef _MULTINIC_DEBUG_H
#define _MULTINIC_DEBUG_H

#include "lib/debug.h"

extern struct debug mn_dbg_zebra;
extern struct debug mn_dbg_nic;
extern struct debug mn_dbg_task;
extern struct debug mn_dbg_datapath;
extern struct debug mn_dbg_bpf;
extern struct debug mn_dbg_authz;
extern struct debug mn_dbg_ingress;
extern struct debug mn_dbg_numa;

extern void multinic_debug_init(void);

#endif /* _MULTINIC_DEBUG_H */
