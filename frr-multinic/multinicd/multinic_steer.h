// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * multinicd: receive steering (receive-steering, doc/numa.md): a task's
 * received packets are handled on CPUs of its NUMA node.
 *
 * Per selected NIC, by what the probe found (multinic_steer_hw.c) and
 * the mode: the steering program (bpf/steer.bpf.c) in XDP, redirecting
 * through a cpumap to a CPU of the task's node (native XDP where the
 * driver has it, else generic); or, where the NIC has RSS contexts and
 * ntuple rules, the NIC itself.  Tasks of unknown node are not steered.
 *
 * Behind struct mn_datapath_ops like the egress datapaths, beside them:
 * the datapath switch hands it the same NICs, tasks and configuration.
 * Its maps are pinned with the datapath's (MN_PIN_MAPS), its XDP links
 * under MN_STEER_PIN_LINKS, so that steering goes on while multinicd
 * restarts; a restarted multinicd swaps its program into the links.
 */
#ifndef _MULTINIC_STEER_H
#define _MULTINIC_STEER_H

#include "multinic_datapath_ops.h"

#define MN_STEER_PIN_LINKS "/sys/fs/bpf/multinic/steer"

/* Whether the steering program loads here (XDP, cpumap); else why not. */
extern bool mn_steer_possible(char *why, size_t len);

/* Its operations, for the datapath switch (initializes it). */
extern const struct mn_datapath_ops *mn_steer_datapath(void);

#endif /* _MULTINIC_STEER_H */
