// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * multinicd: anti-spoofing that the kernel enforces, in nftables.
 *
 * A task may send only from its own addresses (its VIPs and per-NIC
 * addresses); everything else it sends is dropped and counted before
 * routing, whichever egress datapath carries it (the eBPF program drops
 * the same packets earlier, see bpf/multinic_maps.h, "What the programs
 * refuse").  One table of our own, "inet multinic": a prerouting chain
 * at raw priority returns for packets from devices not under guard, and
 * for a guarded device's own sources (device . address in a set) and
 * IPv6 neighbour discovery from link-local or unspecified sources to
 * link-local or multicast destinations; the rest is dropped and counted
 * per device (a dynamic set with a counter per element).  A task is a
 * few set elements, so its cost does not grow with the number of tasks.
 * Nothing else of the host's nftables ruleset is touched.
 */
#ifndef _MULTINIC_NFT_H
#define _MULTINIC_NFT_H

#include "lib/prefix.h"

/*
 * Guard a task's host-side device: only sources in allowed[] (host
 * addresses) pass.  Again for a guarded device: allowed[] is added to
 * its sources, the counter kept.  0, or a negative errno and err.
 */
extern int mn_nft_task_guard(const char *host_ifname, const struct prefix *allowed, unsigned int n,
			     char *err, size_t len);
/* Off the device, with the sources it was guarded with; its counter goes too. */
extern void mn_nft_task_unguard(const char *host_ifname, const struct prefix *allowed,
				unsigned int n);
/* Packets dropped as spoofed; false when the device is not guarded. */
extern bool mn_nft_task_spoofed(const char *host_ifname, uint64_t *packets);
/*
 * After a restart, once the tasks are attached: every device that
 * claimed(dev, NULL) does not own, and every source that
 * claimed(dev, source) does not, is removed (and what the previous
 * layout of the table left); with no device owned, the table goes.  How
 * many devices were removed.
 */
extern unsigned int mn_nft_reconcile(bool (*claimed)(const char *host_ifname,
						     const struct prefix *source, void *arg),
				     void *arg);
/* The last guarded task went: the table goes. */
extern void mn_nft_table_remove(void);
/* multinicd stops: memory only, the table stays (hitless stop). */
extern void mn_nft_terminate(void);

#endif /* _MULTINIC_NFT_H */
