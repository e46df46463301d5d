// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * multinicd: the eBPF datapath's maps (bpf/multinic_maps.h is the
 * contract): NIC slots, the writers of mn_config, mn_nics, mn_maglev and
 * mn_addrs, and the packet counters (least-loaded's flow table:
 * multinic_ebpf_flows.h).
 *
 * Mechanism only: callers hand in NICs (struct mn_dp_nic) and addresses;
 * every map write goes through here, with privileges.
 */
#ifndef _MULTINIC_EBPF_MAPS_H
#define _MULTINIC_EBPF_MAPS_H

#include <net/if.h>

#include "lib/prefix.h"

#include "multinic_datapath_ops.h"

struct bpf_link;
struct mn_addr_key;

/* The key of an IPv4 or IPv6 address in mn_addrs and mn_steer_dsts. */
extern void mn_ebpf_addr_key(const struct prefix *p, struct mn_addr_key *key);

/* The map fds of the loaded (or adopted) programs. */
struct mn_ebpf_map_fds {
	int config, nics, maglev, addrs, nic_stats, task_stats;
};
extern void mn_ebpf_maps_set(const struct mn_ebpf_map_fds *fds);

/*
 * NIC slots: a NIC's index into mn_nics, mn_nic_stats and the Maglev
 * table.  A NIC keeps its slot while it is selected (and across a restart
 * of multinicd: the slots are read back from the pinned mn_nics).
 */
struct mn_ebpf_slot {
	ifindex_t ifindex; /* 0: free */
	char name[IFNAMSIZ];
	bool attached;	       /* mn_ingress is on the NIC */
	struct bpf_link *link; /* its pinned link (tcx), NULL on clsact */
	char pinned_as[IFNAMSIZ]; /* the name its link's pin path has */
};

extern struct mn_ebpf_slot *mn_ebpf_slot(uint32_t slot);
/* The slot of a NIC; MN_NIC_NONE when it has none. */
extern uint32_t mn_ebpf_slot_of(ifindex_t ifindex);
/* Take over the slots an earlier multinicd left in mn_nics; how many. */
extern unsigned int mn_ebpf_slots_adopt(void);
/*
 * Give every selected NIC a slot.  With free_unselected, the slots of
 * NICs no longer selected are freed, release() called on each first.
 */
extern void mn_ebpf_slots_assign(const struct mn_dp_nic *nics, unsigned int n,
				 bool free_unselected, void (*release)(struct mn_ebpf_slot *s));
extern void mn_ebpf_slots_clear(void);

/* Writers: each rewrites its map from what it is given. */
extern void mn_ebpf_config_write(const struct mn_dp_config *cfg);
/*
 * mn_config with placement hash and nothing else but the flow hash's seed
 * (kept for the next start): the datapath is off.
 */
extern void mn_ebpf_config_clear(void);
extern void mn_ebpf_nics_write(const struct mn_dp_nic *nics, unsigned int n);
extern void mn_ebpf_maglev_write(const struct mn_dp_nic *nics, unsigned int n);
/*
 * The Maglev table (MN_MAGLEV_SIZE slot numbers) over the selected NICs
 * whose slot is in members (a bit per slot); 0 or -1.
 */
extern int mn_ebpf_maglev_build(const struct mn_dp_nic *nics, unsigned int n, uint32_t members,
				uint32_t *table);

/* mn_addrs: the addresses the programs know (multinic_maps.h). */
struct mn_ebpf_addr_set;
extern struct mn_ebpf_addr_set *mn_ebpf_addr_set_new(void);
extern void mn_ebpf_addr_set_free(struct mn_ebpf_addr_set **set);
/* task_ifindex 0: a host address; pin_slot MN_NIC_NONE: not a per-NIC address. */
extern void mn_ebpf_addr_set_add(struct mn_ebpf_addr_set *set, const struct prefix *p,
				 uint32_t task_ifindex, uint32_t pin_slot);
/*
 * Write the set into mn_addrs; with trim, entries not in the set go
 * (without, the map is only added to: a restarted multinicd does not yet
 * know every address its predecessor's tasks use).
 */
extern void mn_ebpf_addrs_write(const struct mn_ebpf_addr_set *set, bool trim);
/* Delete the set's entries from mn_addrs. */
extern void mn_ebpf_addrs_delete(const struct mn_ebpf_addr_set *set);

/* Counters; false when there is no entry to read. */
extern bool mn_ebpf_nic_counters(uint32_t slot, struct mn_dp_counters *c);
extern bool mn_ebpf_task_counters(uint32_t task_ifindex, struct mn_dp_counters *c);
/* Made when its program is attached (the programs never create one). */
extern void mn_ebpf_task_counters_create(uint32_t task_ifindex);
/* A task's counters go with it (its ifindex may be reused). */
extern void mn_ebpf_task_counters_delete(uint32_t task_ifindex);
/* Delete the task counters keep() does not claim; how many went. */
extern unsigned int mn_ebpf_task_counters_reconcile(bool (*keep)(uint32_t task_ifindex,
								  void *arg),
						    void *arg);

#endif /* _MULTINIC_EBPF_MAPS_H */
