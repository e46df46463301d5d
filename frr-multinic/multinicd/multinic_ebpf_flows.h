// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * multinicd: placement least-loaded's flow table, from userspace (part of
 * the eBPF datapath, beside multinic_ebpf_maps.c).
 *
 * The accounting itself runs in the datapath (bpf/multinic_maps.h,
 * "Least-loaded placement"): packets book, promote, retire and move
 * flows, and a bpf_timer sweeps the flow table every re-balance interval.
 * Userspace has two jobs only: start that timer when least-loaded is
 * written into mn_config (it then keeps running in the pinned maps while
 * multinicd restarts), and read the flow table and the per-NIC loads for
 * the show commands (through the datapath switch).
 */
#ifndef _MULTINIC_EBPF_FLOWS_H
#define _MULTINIC_EBPF_FLOWS_H

#include "multinic_datapath_ops.h"

/* The fds of the loaded (or adopted) programs: maps, the sweep's arming. */
extern void mn_ebpf_flows_set(int flows_fd, int nic_load_fd, int sweep_arm_fd);

/*
 * Start the datapath's sweep timer (or point it at the loaded program, or
 * restart its countdown); needs nothing but the programs loaded.
 */
extern void mn_ebpf_flows_sweep_start(void);

/* The load of the NIC in a map slot; false (load->valid too) when none. */
extern bool mn_ebpf_flows_nic_load(uint32_t slot, struct mn_dp_nic_load *load);

/*
 * Every booked flow, NIC by NIC in slot order, fastest first (young flows,
 * without a rate, by bytes); returns how many.
 */
extern int mn_ebpf_flows_walk(mn_dp_flow_fn fn, void *arg);

#endif /* _MULTINIC_EBPF_FLOWS_H */
