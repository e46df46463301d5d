// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * multinicd: the eBPF datapath's maps (see multinic_ebpf_maps.h).
 */
#include <zebra.h>

#include <sys/random.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "lib/log.h"
#include "lib/memory.h"
#include "lib/network.h"

#include "multinicd.h"
#include "multinic_ebpf_maps.h"
#include "multinic_errors.h"
#include "multinic_maglev.h"
#include "multinicd/bpf/multinic_maps.h"

DEFINE_MTYPE_STATIC(MULTINICD, MN_EBPF_ADDRS, "multinic eBPF address set");
DEFINE_MTYPE_STATIC(MULTINICD, MN_EBPF_COUNTERS, "multinic eBPF per-CPU counters");

static struct mn_ebpf_map_fds fds = {
	.config = -1, .nics = -1, .maglev = -1, .addrs = -1, .nic_stats = -1, .task_stats = -1,
};
static struct mn_ebpf_slot slots[MN_MAX_NICS];
/* The flow hash's seed in use; 0: not known yet (see hash_seed()). */
static uint32_t seed;

void mn_ebpf_maps_set(const struct mn_ebpf_map_fds *f)
{
	fds = *f;
	seed = 0;
}

/*
 * NIC slots
 */

struct mn_ebpf_slot *mn_ebpf_slot(uint32_t slot)
{
	return slot < MN_MAX_NICS ? &slots[slot] : NULL;
}

uint32_t mn_ebpf_slot_of(ifindex_t ifindex)
{
	uint32_t slot;

	for (slot = 0; slot < MN_MAX_NICS; slot++)
		if (slots[slot].ifindex == ifindex)
			return slot;
	return MN_NIC_NONE;
}

unsigned int mn_ebpf_slots_adopt(void)
{
	unsigned int adopted = 0;
	struct mn_bpf_nic val;
	uint32_t slot;

	for (slot = 0; slot < MN_MAX_NICS; slot++) {
		if (bpf_map_lookup_elem(fds.nics, &slot, &val) < 0 || !val.ifindex)
			continue;
		slots[slot].ifindex = val.ifindex;
		if (!if_indextoname(val.ifindex, slots[slot].name))
			slots[slot].name[0] = '\0';
		adopted++;
	}
	return adopted;
}

static const struct mn_dp_nic *nic_of(const struct mn_dp_nic *nics, unsigned int n,
				      ifindex_t ifindex)
{
	unsigned int i;

	for (i = 0; i < n && ifindex; i++)
		if (nics[i].ifindex == ifindex)
			return &nics[i];
	return NULL;
}

void mn_ebpf_slots_assign(const struct mn_dp_nic *nics, unsigned int n, bool free_unselected,
			  void (*release)(struct mn_ebpf_slot *s))
{
	const struct mn_dp_nic *nic;
	uint32_t slot;
	unsigned int i;

	for (slot = 0; slot < MN_MAX_NICS && free_unselected; slot++) {
		if (!slots[slot].ifindex || nic_of(nics, n, slots[slot].ifindex))
			continue;
		release(&slots[slot]);
		memset(&slots[slot], 0, sizeof(slots[slot]));
	}
	for (i = 0; i < n; i++) {
		nic = &nics[i];
		if (nic->ifindex == IFINDEX_INTERNAL)
			continue;
		slot = mn_ebpf_slot_of(nic->ifindex);
		if (slot == MN_NIC_NONE)
			slot = mn_ebpf_slot_of(0);
		if (slot == MN_NIC_NONE) {
			flog_err(EC_MULTINIC_BPF, "eBPF datapath: more than %u NICs, %s left out",
				 MN_MAX_NICS, nic->name);
			continue;
		}
		slots[slot].ifindex = nic->ifindex;
		strlcpy(slots[slot].name, nic->name, sizeof(slots[slot].name));
	}
}

void mn_ebpf_slots_clear(void)
{
	memset(slots, 0, sizeof(slots));
}

/*
 * Writers
 */

/*
 * The seed of the flow hash (bpf/multinic_maps.h): the one in the pinned
 * mn_config when there is one (a restarted multinicd keeps every flow on
 * its NIC), else a new random one, never 0 (0 is "none yet").  Random per
 * host, so that nobody outside can craft flows that all hash onto one
 * NIC.  It goes with the pins (egress-mode kernel, a new maps layout).
 */
static uint32_t hash_seed(void)
{
	struct mn_config have;
	uint32_t zero = 0;
	int ret;

	if (seed)
		return seed;
	frr_with_privs (&multinic_privs)
		ret = bpf_map_lookup_elem(fds.config, &zero, &have);
	if (ret == 0 && have.hash_seed) {
		seed = have.hash_seed;
		return seed;
	}
	while (!seed)
		if (getrandom(&seed, sizeof(seed), 0) != sizeof(seed)) {
			flog_err(EC_MULTINIC_BPF, "eBPF datapath: no random hash seed: %s",
				 safe_strerror(errno));
			seed = frr_weak_random() | 1;
		}
	return seed;
}

static void config_map_write(struct mn_config *cfg)
{
	uint32_t zero = 0;
	int ret;

	cfg->hash_seed = hash_seed();
	frr_with_privs (&multinic_privs)
		ret = bpf_map_update_elem(fds.config, &zero, cfg, BPF_ANY);
	if (ret < 0)
		flog_err(EC_MULTINIC_BPF, "eBPF datapath: mn_config: %s", safe_strerror(errno));
}

void mn_ebpf_config_write(const struct mn_dp_config *dp)
{
	struct mn_config cfg = {
		.placement = dp->placement == MN_PLACEMENT_LEAST_LOADED ? MN_PLACE_LEAST_LOADED
									: MN_PLACE_HASH,
		.flowlet_timeout_us = dp->flowlet_timeout_ms * 1000,
		.rebalance_interval_us = dp->rebalance_interval_ms * 1000,
	};

	config_map_write(&cfg);
}

void mn_ebpf_config_clear(void)
{
	struct mn_config cfg = {};

	config_map_write(&cfg);
}

/* The NIC in a slot, among those selected now. */
static const struct mn_dp_nic *slot_nic(const struct mn_dp_nic *nics, unsigned int n,
					uint32_t slot)
{
	return nic_of(nics, n, slots[slot].ifindex);
}

static void nic_entry(const struct mn_dp_nic *nic, struct mn_bpf_nic *e)
{
	memset(e, 0, sizeof(*e));
	if (!nic)
		return;
	e->ifindex = nic->ifindex;
	e->weight = nic->weight; /* the one NIC weight scale, 1..MN_WEIGHT_MAX */
	if (nic->up)
		e->flags |= MN_NIC_F_UP;
	if (nic->has_gw[AFI_IP]) {
		e->flags |= MN_NIC_F_GW4;
		e->gw4 = nic->gw[AFI_IP].ipv4.s_addr;
	}
	if (nic->has_gw[AFI_IP6]) {
		e->flags |= MN_NIC_F_GW6;
		memcpy(e->gw6, &nic->gw[AFI_IP6].ipv6, sizeof(e->gw6));
	}
}

/*
 * Readers see an element being rewritten torn: another NIC goes into a
 * slot as flags 0, contents, then flags (multinic_maps.h).
 */
static void nic_slot_write(uint32_t slot, struct mn_bpf_nic *want)
{
	struct mn_bpf_nic have;

	if (bpf_map_lookup_elem(fds.nics, &slot, &have) < 0)
		memset(&have, 0, sizeof(have));
	if (!memcmp(want, &have, sizeof(*want)))
		return;
	if (have.ifindex != want->ifindex) {
		uint32_t flags = want->flags;

		have.flags = 0;
		bpf_map_update_elem(fds.nics, &slot, &have, BPF_ANY);
		want->flags = 0;
		bpf_map_update_elem(fds.nics, &slot, want, BPF_ANY);
		want->flags = flags;
	}
	if (bpf_map_update_elem(fds.nics, &slot, want, BPF_ANY) < 0)
		flog_err(EC_MULTINIC_BPF, "eBPF datapath: mn_nics[%u]: %s", slot,
			 safe_strerror(errno));
}

void mn_ebpf_nics_write(const struct mn_dp_nic *nics, unsigned int n)
{
	struct mn_bpf_nic want;
	uint32_t slot;

	frr_with_privs (&multinic_privs) {
		for (slot = 0; slot < MN_MAX_NICS; slot++) {
			nic_entry(slot_nic(nics, n, slot), &want);
			nic_slot_write(slot, &want);
		}
	}
}

int mn_ebpf_maglev_build(const struct mn_dp_nic *nics, unsigned int n, uint32_t members,
			 uint32_t *table)
{
	struct mn_maglev_nic mnics[MN_MAX_NICS];
	uint32_t slot_of_idx[MN_MAX_NICS], slot, i;
	const struct mn_dp_nic *nic;
	unsigned int k = 0;

	/*
	 * Down NICs stay in with up = false: then only their own entries move
	 * (and return), whereas leaving them out would reshuffle a few more.
	 */
	for (slot = 0; slot < MN_MAX_NICS; slot++) {
		nic = slot_nic(nics, n, slot);
		if (!nic || !((members >> slot) & 1))
			continue;
		mnics[k].name = slots[slot].name;
		mnics[k].weight = nic->weight;
		mnics[k].up = nic->up;
		slot_of_idx[k++] = slot;
	}
	if (mn_maglev_build(mnics, k, table, MN_MAGLEV_SIZE) < 0) {
		flog_err(EC_MULTINIC_BPF, "eBPF datapath: cannot build the Maglev table");
		return -1;
	}
	for (i = 0; i < MN_MAGLEV_SIZE; i++)
		if (table[i] != MN_NIC_NONE)
			table[i] = slot_of_idx[table[i]];
	return 0;
}

void mn_ebpf_maglev_write(const struct mn_dp_nic *nics, unsigned int n)
{
	static uint32_t table[MN_MAGLEV_SIZE], keys[MN_MAGLEV_SIZE];
	uint32_t i, count = MN_MAGLEV_SIZE;
	int ret;

	if (mn_ebpf_maglev_build(nics, n, ~0U, table) < 0)
		return;
	for (i = 0; i < MN_MAGLEV_SIZE; i++)
		keys[i] = i;
	frr_with_privs (&multinic_privs)
		ret = bpf_map_update_batch(fds.maglev, keys, table, &count, NULL);
	if (ret < 0)
		flog_err(EC_MULTINIC_BPF, "eBPF datapath: mn_maglev: %s", safe_strerror(errno));
}

/*
 * mn_addrs
 */

struct mn_ebpf_addr_entry {
	struct mn_addr_key key;
	struct mn_addr val;
};

/* Grows as entries come: one task's few, or the whole map's. */
struct mn_ebpf_addr_set {
	unsigned int n, size;
	struct mn_ebpf_addr_entry *e;
};

struct mn_ebpf_addr_set *mn_ebpf_addr_set_new(void)
{
	return XCALLOC(MTYPE_MN_EBPF_ADDRS, sizeof(struct mn_ebpf_addr_set));
}

void mn_ebpf_addr_set_free(struct mn_ebpf_addr_set **set)
{
	if (*set)
		XFREE(MTYPE_MN_EBPF_ADDRS, (*set)->e);
	XFREE(MTYPE_MN_EBPF_ADDRS, *set);
}

void mn_ebpf_addr_key(const struct prefix *p, struct mn_addr_key *key)
{
	memset(key, 0, sizeof(*key));
	if (p->family == AF_INET) {
		key->family = MN_AF_INET;
		memcpy(key->addr, &p->u.prefix4, 4);
	} else {
		key->family = MN_AF_INET6;
		memcpy(key->addr, &p->u.prefix6, 16);
	}
}

void mn_ebpf_addr_set_add(struct mn_ebpf_addr_set *set, const struct prefix *p,
			  uint32_t task_ifindex, uint32_t pin_slot)
{
	if (set->n >= MN_MAX_ADDRS || (p->family != AF_INET && p->family != AF_INET6))
		return;
	if (set->n == set->size) {
		set->size = set->size ? 2 * set->size : 8;
		set->e = XREALLOC(MTYPE_MN_EBPF_ADDRS, set->e, set->size * sizeof(*set->e));
	}
	mn_ebpf_addr_key(p, &set->e[set->n].key);
	set->e[set->n].val.task_ifindex = task_ifindex;
	set->e[set->n].val.pin_slot = pin_slot;
	set->n++;
}

static bool addr_set_has(const struct mn_ebpf_addr_set *set, const struct mn_addr_key *key)
{
	unsigned int i;

	for (i = 0; i < set->n; i++)
		if (!memcmp(&set->e[i].key, key, sizeof(*key)))
			return true;
	return false;
}

void mn_ebpf_addrs_write(const struct mn_ebpf_addr_set *set, bool trim)
{
	struct mn_addr_key key, next;
	unsigned int i;
	bool more;

	frr_with_privs (&multinic_privs) {
		for (i = 0; i < set->n; i++)
			if (bpf_map_update_elem(fds.addrs, &set->e[i].key, &set->e[i].val,
						BPF_ANY) < 0)
				flog_err(EC_MULTINIC_BPF, "eBPF datapath: mn_addrs: %s",
					 safe_strerror(errno));
		/* The next key is read before the current one is deleted. */
		for (more = bpf_map_get_next_key(fds.addrs, NULL, &key) == 0; more && trim;
		     key = next) {
			more = bpf_map_get_next_key(fds.addrs, &key, &next) == 0;
			if (!addr_set_has(set, &key))
				bpf_map_delete_elem(fds.addrs, &key);
		}
	}
}

void mn_ebpf_addrs_delete(const struct mn_ebpf_addr_set *set)
{
	unsigned int i;

	frr_with_privs (&multinic_privs)
		for (i = 0; i < set->n; i++)
			bpf_map_delete_elem(fds.addrs, &set->e[i].key);
}

/*
 * Counters
 */

static bool counters_read(int fd, const void *key, struct mn_dp_counters *c)
{
	int ncpu = libbpf_num_possible_cpus(), i;
	struct mn_stats *v;
	bool ok;

	memset(c, 0, sizeof(*c));
	if (ncpu <= 0 || fd < 0)
		return false;
	v = XCALLOC(MTYPE_MN_EBPF_COUNTERS, ncpu * sizeof(*v));
	frr_with_privs (&multinic_privs)
		ok = bpf_map_lookup_elem(fd, key, v) == 0;
	for (i = 0; ok && i < ncpu; i++) {
		c->tx_packets += v[i].tx_packets;
		c->tx_bytes += v[i].tx_bytes;
		c->rx_packets += v[i].rx_packets;
		c->rx_bytes += v[i].rx_bytes;
		c->fallback += v[i].fallback;
		c->local += v[i].local;
		c->redirect_errors += v[i].redirect_errors;
		c->flows_placed += v[i].flows_placed;
		c->moved_in += v[i].moved_in;
		c->moved_out += v[i].moved_out;
		c->spoofed += v[i].spoofed;
		c->tagged += v[i].tagged;
		c->ttl_expired += v[i].ttl_expired;
		c->too_big += v[i].too_big;
	}
	XFREE(MTYPE_MN_EBPF_COUNTERS, v);
	return ok;
}

bool mn_ebpf_nic_counters(uint32_t slot, struct mn_dp_counters *c)
{
	return counters_read(fds.nic_stats, &slot, c);
}

bool mn_ebpf_task_counters(uint32_t task_ifindex, struct mn_dp_counters *c)
{
	return counters_read(fds.task_stats, &task_ifindex, c);
}

/*
 * The programs only update a task's entry (bpf/multinic_maps.h); one
 * that exists already (a restarted multinicd re-attaching) keeps its
 * counts.
 */
void mn_ebpf_task_counters_create(uint32_t task_ifindex)
{
	int ncpu = libbpf_num_possible_cpus(), ret;
	struct mn_stats *zero;

	if (ncpu <= 0)
		return;
	zero = XCALLOC(MTYPE_MN_EBPF_COUNTERS, ncpu * sizeof(*zero));
	frr_with_privs (&multinic_privs)
		ret = bpf_map_update_elem(fds.task_stats, &task_ifindex, zero, BPF_NOEXIST);
	if (ret < 0 && errno != EEXIST)
		flog_err(EC_MULTINIC_BPF, "eBPF datapath: mn_task_stats[%u]: %s", task_ifindex,
			 safe_strerror(errno));
	XFREE(MTYPE_MN_EBPF_COUNTERS, zero);
}

void mn_ebpf_task_counters_delete(uint32_t task_ifindex)
{
	frr_with_privs (&multinic_privs)
		bpf_map_delete_elem(fds.task_stats, &task_ifindex);
}

unsigned int mn_ebpf_task_counters_reconcile(bool (*keep)(uint32_t task_ifindex, void *arg),
					     void *arg)
{
	uint32_t key, next;
	unsigned int removed = 0;
	bool more;

	frr_with_privs (&multinic_privs) {
		/* the next key is read before the current one is deleted */
		for (more = bpf_map_get_next_key(fds.task_stats, NULL, &key) == 0; more;
		     key = next) {
			more = bpf_map_get_next_key(fds.task_stats, &key, &next) == 0;
			if (keep(key, arg))
				continue;
			if (bpf_map_delete_elem(fds.task_stats, &key) == 0)
				removed++;
		}
	}
	return removed;
}
