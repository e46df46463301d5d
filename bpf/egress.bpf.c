// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * frr-multinic egress: task -> one of all healthy NICs, per flow.
 *
 * Attached to the task's host-side device: tcx ingress (or clsact ingress)
 * of the host-side veth, or BPF_NETKIT_PEER on the netkit primary; the
 * same object serves all three (SEC("tc"), SCHED_CLS).  In every case
 * skb->ifindex is the host-side device (netkit switches skb->dev to the
 * primary before the peer program runs), which is the task's key in
 * mn_addrs and mn_task_stats.
 *
 * A packet is steered when its source is a task address of this device
 * (mn_addrs): a per-NIC address goes out of its NIC; any other flow gets
 * a NIC from the placement in mn_config; bpf_redirect_neigh() then sends
 * it out of that NIC with its gateway as next hop, the source address
 * unchanged (the task's VIP).  Everything else, and task packets that no
 * usable NIC can take, is left to the kernel stack (MN_ACT_PASS).
 */
#include "mn_maps.bpf.h"
#include "mn_numa.bpf.h"
#include "mn_parse.bpf.h"
#include "multinic_hash.h"

char LICENSE[] SEC("license") = "Dual BSD/GPL";

#define MN_EEXIST 17

/* Placement hash: hash % MN_MAGLEV_SIZE -> NIC slot, built by multinicd. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, MN_MAGLEV_SIZE);
	__type(key, __u32);
	__type(value, __u32);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} mn_maglev SEC(".maps");

/*
 * Placement least-loaded: the NIC of each flow.  One LRU shared by all
 * CPUs (not per-CPU): a flow's packets come from any CPU and must all see
 * the same placement.
 */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, MN_MAX_FLOWS);
	__type(key, struct mn_flow_key);
	__type(value, struct mn_flow);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} mn_flows SEC(".maps");

/*
 * Placement least-loaded: recent bytes per NIC.  Shared, not per-CPU: a
 * BPF program sees only its own CPU's copy of a per-CPU map, and the
 * placement must compare the NICs' whole load.  One atomic add per skb
 * (a GSO skb carries up to 64 KiB), only in this placement.
 */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, MN_MAX_NICS);
	__type(key, __u32);
	__type(value, struct mn_load);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} mn_nic_load SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct mn_config);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} mn_config SEC(".maps");

/*
 * The NIC in slot if it can take a packet of this family now: present,
 * up, with a gateway (an IPv4 packet may use the IPv6 gateway, as with
 * BGP unnumbered).  NULL otherwise, MN_NIC_NONE included.
 */
static __always_inline struct mn_nic *mn_nic_usable(__u32 slot, __u32 family)
{
	struct mn_nic *nic = bpf_map_lookup_elem(&mn_nics, &slot);

	if (!nic || !nic->ifindex || !(nic->flags & MN_NIC_F_UP))
		return NULL;
	if (family == MN_AF_INET)
		return nic->flags & (MN_NIC_F_GW4 | MN_NIC_F_GW6) ? nic : NULL;
	return nic->flags & MN_NIC_F_GW6 ? nic : NULL;
}

static __always_inline __u64 mn_load_window(const struct mn_config *cfg)
{
	return cfg->load_window_ns ? cfg->load_window_ns
				   : MN_LOAD_WINDOW_DEFAULT_NS;
}

/* Whole windows since load was last decayed (0 when stamped "later"). */
static __always_inline __u64 mn_load_halvings(const struct mn_load *load,
					      __u64 now, __u64 window)
{
	return now > load->stamp_ns ? (now - load->stamp_ns) / window : 0;
}

/* The NIC's recent bytes as of now: halved once per elapsed window. */
static __always_inline __u64 mn_load_now(const struct mn_load *load, __u64 now,
					 __u64 window)
{
	__u64 halvings = mn_load_halvings(load, now, window);

	return halvings >= 64 ? 0 : load->bytes >> halvings;
}

/*
 * Account a packet to its NIC's recent load.  The decay step is a plain
 * read-modify-write: when two CPUs race on it a few bytes are lost, which
 * a load estimate can afford; the add itself is atomic.
 */
static __always_inline void mn_load_add(__u32 slot, __u32 len, __u64 now,
					__u64 window)
{
	struct mn_load *load = bpf_map_lookup_elem(&mn_nic_load, &slot);
	__u64 halvings;

	if (!load)
		return;
	halvings = mn_load_halvings(load, now, window);
	if (halvings >= 64) {
		load->bytes = 0;
		load->stamp_ns = now;
	} else if (halvings) {
		load->bytes >>= halvings;
		load->stamp_ns += halvings * window;
	}
	__sync_fetch_and_add(&load->bytes, len);
}

/*
 * Tie-break between NICs with equal load per weight (idle NICs): a rank
 * from the flow hash and the slot, distinct per slot (an odd multiplier
 * is a bijection), so that ties go to every NIC alike, whatever slots
 * are in use.
 */
static __always_inline __u32 mn_tie_rank(__u32 hash, __u32 slot)
{
	return (hash ^ slot) * 0x9e3779b1U;
}

/* State of the least-loaded scan, one bpf_loop() step per slot. */
struct mn_ll_scan {
	__u64 now;
	__u64 window;
	__u64 best_load;
	__u32 family;
	__u32 hash;
	__u32 best;
	__u32 best_weight;
	__u32 best_rank;
	__u32 members; /* NUMA: the slots this task may use (mn_numa.bpf.h) */
};

/*
 * One slot of the least-loaded scan.  A bpf_loop() callback rather than a
 * bounded loop: the verifier checks the callback once, whereas a loop
 * carrying "best so far" would be walked once per combination of
 * outcomes (2^16 paths, beyond the verifier's 1M instruction budget).
 */
static long mn_ll_step(__u64 index, void *ctx)
{
	struct mn_ll_scan *scan = ctx;
	__u32 slot = index, weight, rank;
	struct mn_load *load;
	__u64 bytes = 0, lhs, rhs;
	struct mn_nic *nic;

	nic = mn_nic_usable(slot, scan->family);
	if (!nic || slot >= 32 || !((scan->members >> slot) & 1))
		return 0;
	weight = nic->weight;
	if (!weight)
		return 0;
	load = bpf_map_lookup_elem(&mn_nic_load, &slot);
	if (load)
		bytes = mn_load_now(load, scan->now, scan->window);
	rank = mn_tie_rank(scan->hash, slot);
	/* bytes / weight vs best_load / best_weight, without division */
	lhs = bytes * scan->best_weight;
	rhs = scan->best_load * weight;
	if (scan->best == MN_NIC_NONE || lhs < rhs ||
	    (lhs == rhs && rank < scan->best_rank)) {
		scan->best = slot;
		scan->best_load = bytes;
		scan->best_weight = weight;
		scan->best_rank = rank;
	}
	return 0;
}

/*
 * The usable NIC with the least recent load per weight (weight 0: takes
 * no new flows).  MN_NIC_NONE when no NIC is usable.
 */
static __always_inline __u32 mn_least_loaded(__u32 family, __u32 hash,
					     __u64 now, __u64 window,
					     __u32 members)
{
	struct mn_ll_scan scan = {
		.now = now,
		.window = window,
		.family = family,
		.hash = hash,
		.best = MN_NIC_NONE,
		.members = members,
	};

	bpf_loop(MN_MAX_NICS, mn_ll_step, &scan, 0);
	return scan.best;
}

/*
 * Placement least-loaded: a known flow keeps its NIC while that NIC is
 * usable; a new flow, or one whose NIC became unusable, goes to the least
 * loaded NIC and is recorded there.  So a NIC going down moves only its
 * own flows.  When two CPUs place one new flow at once, the first record
 * wins and the other follows it.
 */
static __always_inline __u32
mn_place_least_loaded(const struct mn_flow_key *key, __u32 hash, __u64 now,
		      __u64 window, const struct mn_numa *numa)
{
	struct mn_flow *flow, new_flow = {};
	__u32 slot;

	flow = bpf_map_lookup_elem(&mn_flows, key);
	if (flow) {
		slot = flow->slot;
		/* NUMA: a flow off its task's members (strict) is placed again */
		if (mn_nic_usable(slot, key->family) && mn_numa_member(numa, slot)) {
			/* LRU recency comes from the lookup; the stamp is
			 * for users, refreshed once a second at most */
			if (now - flow->last_seen_ns >= MN_FLOW_TOUCH_NS)
				flow->last_seen_ns = now;
			return slot;
		}
	}

	slot = mn_least_loaded(key->family, hash, now, window, numa->members);
	if (slot == MN_NIC_NONE)
		return slot;
	mn_load_add(slot, MN_NEW_FLOW_CHARGE, now, window);

	if (flow) {
		flow->slot = slot;
		flow->last_seen_ns = now;
		return slot;
	}
	new_flow.slot = slot;
	new_flow.last_seen_ns = now;
	if (bpf_map_update_elem(&mn_flows, key, &new_flow, BPF_NOEXIST) ==
	    -MN_EEXIST) {
		flow = bpf_map_lookup_elem(&mn_flows, key);
		if (flow)
			slot = flow->slot;
	}
	return slot;
}

/* Placement hash: the Maglev table entry of the flow's hash. */
static __always_inline __u32 mn_place_hash(__u32 hash)
{
	__u32 idx = hash % MN_MAGLEV_SIZE;
	__u32 *slot = bpf_map_lookup_elem(&mn_maglev, &idx);

	return slot ? *slot : MN_NIC_NONE;
}

/* The NIC slot for this packet; it may turn out to be unusable. */
static __always_inline __u32 mn_select_slot(const struct mn_flow_key *key,
					    const struct mn_addr *src,
					    const struct mn_config *cfg,
					    __u64 now,
					    const struct mn_numa *numa)
{
	__u32 hash;

	if (src->pin_slot != MN_NIC_NONE)
		return src->pin_slot;
	hash = mn_flow_hash(key, cfg->hash_seed);
	if (cfg->placement == MN_PLACE_LEAST_LOADED)
		return mn_place_least_loaded(key, hash, now,
					     mn_load_window(cfg), numa);
	if (numa->node != MN_NUMA_NONE)
		return mn_numa_place_hash(numa, hash);
	return mn_place_hash(hash);
}

/*
 * Out of the NIC to its gateway; the kernel resolves the gateway's MAC
 * (and keeps the neighbour entry fresh) and writes the Ethernet header.
 * Returns TC_ACT_REDIRECT, or TC_ACT_SHOT if the helper refused.
 */
static __always_inline long mn_redirect_neigh(const struct mn_nic *nic,
					      __u32 family)
{
	struct bpf_redir_neigh nh = {};

	if (family == MN_AF_INET && (nic->flags & MN_NIC_F_GW4)) {
		nh.nh_family = MN_AF_INET;
		nh.ipv4_nh = nic->gw4;
	} else {
		nh.nh_family = MN_AF_INET6;
		__builtin_memcpy(nh.ipv6_nh, nic->gw6, sizeof(nh.ipv6_nh));
	}
	return bpf_redirect_neigh(nic->ifindex, &nh, sizeof(nh), 0);
}

static __always_inline struct mn_addr *mn_addr_lookup(__u32 family,
						      const __u8 *addr)
{
	struct mn_addr_key akey;

	mn_addr_key_set(&akey, family, addr);
	return bpf_map_lookup_elem(&mn_addrs, &akey);
}

/*
 * Task traffic that stays on the host: no gateway takes it (multicast,
 * link-local: bpf_redirect_neigh() would drop a multicast MAC anyway), or
 * it is for another task or the host itself (an address in mn_addrs).
 */
static __always_inline bool mn_stays_local(const struct mn_pkt *pkt)
{
	return pkt->l2_multicast || mn_dst_is_link_scope(&pkt->key) ||
	       mn_addr_lookup(pkt->key.family, pkt->key.daddr);
}

SEC("tc")
int mn_egress(struct __sk_buff *skb)
{
	struct mn_stats *task_stats, *nic_stats;
	const struct mn_config *cfg;
	const struct mn_addr *src;
	struct mn_numa numa;
	struct mn_nic *nic;
	struct mn_pkt pkt;
	__u32 zero = 0, slot, family;
	__u64 now;
	long ret;

	if (mn_parse(skb, &pkt, true))
		return MN_ACT_PASS;
	family = pkt.key.family;

	/* Only a task's own addresses, sent from its own device, are ours. */
	src = mn_addr_lookup(family, pkt.key.saddr);
	if (!src || !src->task_ifindex || src->task_ifindex != skb->ifindex)
		return MN_ACT_PASS;
	task_stats = mn_task_stats_get(skb->ifindex);

	if (mn_stays_local(&pkt)) {
		mn_count_local(task_stats);
		return MN_ACT_PASS;
	}

	cfg = bpf_map_lookup_elem(&mn_config, &zero);
	if (!cfg)
		return MN_ACT_PASS;
	now = bpf_ktime_get_ns();
	mn_numa_of_task(skb->ifindex, &numa);
	slot = mn_select_slot(&pkt.key, src, cfg, now, &numa);
	nic_stats = mn_nic_stats_get(slot);

	/* No usable NIC: the kernel routes it (kernel-mode datapath). */
	nic = mn_nic_usable(slot, family);
	if (!nic) {
		mn_count_fallback(task_stats);
		mn_count_fallback(nic_stats);
		return MN_ACT_PASS;
	}

	ret = mn_redirect_neigh(nic, family);
	if (ret != TC_ACT_REDIRECT) {
		mn_count_redirect_error(task_stats);
		mn_count_redirect_error(nic_stats);
		return MN_ACT_PASS;
	}
	mn_count_tx(task_stats, skb->len);
	mn_count_tx(nic_stats, skb->len);
	mn_numa_count(skb->ifindex, &numa, slot, skb->len);
	if (cfg->placement == MN_PLACE_LEAST_LOADED)
		mn_load_add(slot, skb->len, now, mn_load_window(cfg));
	return MN_ACT_REDIRECT;
}
