// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * multinicd: what a NIC offers for receive steering in hardware
 * (doc/numa.md), read through the SIOCETHTOOL ioctl, which carries both
 * RSS contexts and ntuple rules (ethtool netlink has no ntuple messages),
 * and /proc/irq for where its queues' interrupts run.
 * Read-only: this release probes and shows, and programs nothing into
 * the NIC ("receive-steering hardware" is refused).
 *
 * Mechanism only, for multinic_steer.c: no tasks, no policy.
 */
#ifndef _MULTINIC_STEER_HW_H
#define _MULTINIC_STEER_HW_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "multinic_numa_policy.h"

struct prefix;

/*
 * The NIC's receive queues and RSS indirection table, whether it can
 * create RSS contexts and take ntuple rules and has the ntuple feature
 * on, and its interrupts with their CPUs and node in topo (caps->xdp is
 * not touched).  found gets a sentence of what was seen, e.g. "4 receive
 * queues, RSS table 128, RSS contexts: no (EOPNOTSUPP), ntuple rules: no
 * (EOPNOTSUPP), ntuple off, 9 interrupts on 2 nodes".
 */
extern void mn_steer_hw_probe(const char *ifname, const struct mn_numa_topology *topo,
			      struct mn_steer_caps *caps, char *found, size_t len);

#endif /* _MULTINIC_STEER_HW_H */
