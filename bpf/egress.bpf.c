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
 * a NIC from the placement in mn_config (hash: the Maglev table;
 * least-loaded: the flow table, see multinic_maps.h); bpf_redirect_neigh()
 * then sends it out of that NIC with its gateway as next hop, the source
 * address unchanged (the task's VIP).  Everything else, and task packets that no
 * usable NIC can take, is left to the kernel stack (MN_ACT_PASS).
 * A packet from a source that is not the task's, and a VLAN-tagged frame,
 * is dropped (multinic_maps.h, "What the programs refuse").
 */
#include "mn_maps.bpf.h"
#include "mn_numa.bpf.h"
#include "mn_parse.bpf.h"
#include "mn_flow.bpf.h"
#include "mn_fwd.bpf.h"
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
 * The NIC in slot if it can take a packet of this family now: present,
 * up, with a gateway (an IPv4 packet may use the IPv6 gateway, as with
 * BGP unnumbered).  NULL otherwise, MN_NIC_NONE included.
 */
static __always_inline struct mn_bpf_nic *mn_nic_usable(__u32 slot,
							__u32 family)
{
	struct mn_bpf_nic *nic = bpf_map_lookup_elem(&mn_nics, &slot);

	if (!nic || !nic->ifindex || !(nic->flags & MN_NIC_F_UP))
		return NULL;
	if (family == MN_AF_INET)
		return nic->flags & (MN_NIC_F_GW4 | MN_NIC_F_GW6) ? nic : NULL;
	return nic->flags & MN_NIC_F_GW6 ? nic : NULL;
}

static __always_inline __u64 mn_flowlet_ns(const struct mn_config *cfg)
{
	return (__u64)(cfg->flowlet_timeout_us ?: MN_FLOWLET_TIMEOUT_DEFAULT_US) *
	       1000;
}

static __always_inline __u64 mn_interval_ns(const struct mn_config *cfg)
{
	return (__u64)(cfg->rebalance_interval_us ?:
			       MN_REBALANCE_INTERVAL_DEFAULT_US) *
	       1000;
}

/* A NIC's load in units now: the last sweep's count plus what changed. */
static __always_inline __u64 mn_load_units(const struct mn_nic_load *load)
{
	__s64 units = (__s64)load->units + load->units_delta;

	return units > 0 ? units : 0;
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
	__u64 best_units;
	__u64 best_rate;
	__u32 family;
	__u32 hash;
	__u32 best;
	__u32 best_weight;
	__u32 best_rank;
	__u32 members; /* NUMA: the slots this task may use (mn_numa.bpf.h) */
};

/*
 * Whether a NIC (units, rate, weight, rank) beats the scan's best: less
 * load per weight; on a tie, less rate per weight (a NIC whose bulk flows
 * are slower has room left); then the rank.  Compared without division
 * (units < 2^21, rates < 2^40, weights <= 1000 < 2^10).
 */
static __always_inline bool mn_ll_better(const struct mn_ll_scan *scan,
					 __u64 units, __u64 rate, __u32 weight,
					 __u32 rank)
{
	__u64 lhs = units * scan->best_weight, rhs = scan->best_units * weight;

	if (scan->best == MN_NIC_NONE || lhs != rhs)
		return scan->best == MN_NIC_NONE || lhs < rhs;
	lhs = rate * scan->best_weight;
	rhs = scan->best_rate * weight;
	if (lhs != rhs)
		return lhs < rhs;
	return rank < scan->best_rank;
}

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
	struct mn_nic_load *load;
	__u64 units = 0, rate = 0;
	struct mn_bpf_nic *nic;

	nic = mn_nic_usable(slot, scan->family);
	if (!nic || slot >= 32 || !((scan->members >> slot) & 1))
		return 0;
	weight = nic->weight;
	if (!weight)
		return 0;
	load = bpf_map_lookup_elem(&mn_nic_load, &slot);
	if (load) {
		units = mn_load_units(load);
		rate = load->rate;
	}
	rank = mn_tie_rank(scan->hash, slot);
	if (mn_ll_better(scan, units, rate, weight, rank)) {
		scan->best = slot;
		scan->best_units = units;
		scan->best_rate = rate;
		scan->best_weight = weight;
		scan->best_rank = rank;
	}
	return 0;
}

/*
 * The usable NIC among members (NUMA, mn_numa.bpf.h) with the least load
 * per weight (weight 0: takes no new flows); scan->best is MN_NIC_NONE
 * when no member is usable.
 */
static __always_inline void mn_least_loaded(struct mn_ll_scan *scan,
					    __u32 family, __u32 hash,
					    __u32 members)
{
	__builtin_memset(scan, 0, sizeof(*scan));
	scan->family = family;
	scan->hash = hash;
	scan->members = members;
	scan->best = MN_NIC_NONE;
	bpf_loop(MN_MAX_NICS, mn_ll_step, scan, 0);
}

/* Per-NIC placement counters (per-CPU: plain increments). */
static __always_inline void mn_count_placed(__u32 slot)
{
	struct mn_stats *stats = mn_nic_stats_get(slot);

	if (stats)
		stats->flows_placed++;
}

static __always_inline void mn_count_moved(__u32 from, __u32 to)
{
	struct mn_stats *stats = mn_nic_stats_get(from);

	if (stats)
		stats->moved_out++;
	stats = mn_nic_stats_get(to);
	if (stats)
		stats->moved_in++;
}

/* A segment that carries bulk data (a GSO packet carries several). */
static __always_inline bool mn_is_bulk(struct __sk_buff *skb,
				       const struct mn_pkt *pkt)
{
	return pkt->payload >= MN_BULK_PAYLOAD || skb->gso_segs > 1;
}

/*
 * A flow seen for the first time (or a closed flow's 5-tuple opening a
 * new connection): onto the least loaded NIC, booked there from this
 * packet on.  When two CPUs place one new flow at once, the first record
 * wins and the other follows it.
 */
static __always_inline __u32 mn_flow_new(struct __sk_buff *skb,
					 const struct mn_pkt *pkt, __u32 hash,
					 __u64 now, bool reuse,
					 const struct mn_numa *numa)
{
	struct mn_flow flow = { .first_ns = now, .last_ns = now };
	struct mn_ll_scan scan;
	struct mn_flow *raced;

	mn_least_loaded(&scan, pkt->key.family, hash, numa->members);
	if (scan.best == MN_NIC_NONE)
		return MN_NIC_NONE;
	flow.slot = scan.best;
	if (mn_is_bulk(skb, pkt))
		flow.state |= MN_FLOW_S_HEAVY;
	if (pkt->payload)
		flow.bytes = skb->len;
	mn_flow_tcp_init(&flow, pkt);
	if (bpf_map_update_elem(&mn_flows, &pkt->key, &flow,
				reuse ? BPF_ANY : BPF_NOEXIST) == -MN_EEXIST) {
		raced = bpf_map_lookup_elem(&mn_flows, &pkt->key);
		return raced ? raced->slot : flow.slot;
	}
	mn_units_add(flow.slot, mn_flow_units(flow.state));
	mn_count_placed(flow.slot);
	return flow.slot;
}

/*
 * Its NIC became unusable, or is no longer one its task may use (NUMA:
 * the node's NICs came back, or numa-policy strict): the flow goes to
 * the least loaded usable member now (what was in the old NIC's queue is
 * lost anyway), with its units.
 */
static __always_inline __u32 mn_flow_replace(struct mn_flow *flow,
					     __u32 family, __u32 hash,
					     __u64 now,
					     const struct mn_numa *numa)
{
	__u32 from = flow->slot, units = mn_flow_units(flow->state);
	struct mn_ll_scan scan;

	mn_least_loaded(&scan, family, hash, numa->members);
	if (scan.best == MN_NIC_NONE)
		return MN_NIC_NONE;
	if (__sync_val_compare_and_swap(&flow->slot, from, scan.best) != from)
		return flow->slot; /* another CPU moved it */
	mn_units_add(from, -(__s64)units);
	mn_units_add(scan.best, units);
	flow->moved_ns = now;
	mn_count_placed(scan.best);
	return scan.best;
}

/*
 * Whether moving a flow of u units from NIC s (U_s units, weight w_s) to
 * NIC d (U_d, w_d) is clearly worth it (cautious, as in Hermes):
 *  - the flow has company on s, at least a heavy flow's worth of units
 *    besides itself: a flow alone on its NIC stays (moving it would only
 *    empty that NIC; and at the start of a burst, when the flows around
 *    it are not heavy yet, it may look alone and is best left alone);
 *  - the busier of the two, per weight, is less loaded after the move
 *    than s is now by at least half of what the flow weighs on d,
 *      U_s/w_s - max((U_s-u)/w_s, (U_d+u)/w_d) >= u/(2 w_d),
 *    multiplied out by 2 w_s w_d (units < 2^21, weights <= 1000).
 * Two heavy flows on s and none on d: yes; one on each: no; three on a
 * NIC of weight 2 and none on one of weight 1: yes.  A NIC of weight 0 is
 * being drained: always.
 */
static __always_inline bool mn_move_pays(__s64 us, __s64 ws, __s64 ud, __s64 wd,
					 __s64 u)
{
	__s64 after_s = (us - u) * wd, after_d = (ud + u) * ws;

	if (!ws)
		return true;
	if (us - u < MN_UNITS_HEAVY)
		return false;
	return 2 * us * wd - u * ws >= 2 * (after_s > after_d ? after_s : after_d);
}

/* At a flowlet boundary: move the flow if another NIC is clearly better. */
static __always_inline __u32 mn_flow_rebalance(struct mn_flow *flow,
					       __u32 family, __u32 hash,
					       __u64 now,
					       const struct mn_numa *numa)
{
	__u32 from = flow->slot, units = mn_flow_units(flow->state);
	struct mn_nic_load *load;
	struct mn_bpf_nic *nic;
	struct mn_ll_scan scan;

	mn_least_loaded(&scan, family, hash, numa->members);
	if (scan.best == MN_NIC_NONE || scan.best == from)
		return from;
	nic = bpf_map_lookup_elem(&mn_nics, &from);
	load = bpf_map_lookup_elem(&mn_nic_load, &from);
	if (!nic || !load ||
	    !mn_move_pays(mn_load_units(load), nic->weight, scan.best_units,
			  scan.best_weight, units))
		return from;
	if (__sync_val_compare_and_swap(&flow->slot, from, scan.best) != from)
		return flow->slot;
	mn_units_add(from, -(__s64)units);
	mn_units_add(scan.best, units);
	flow->moves++;
	flow->moved_ns = now;
	mn_count_moved(from, scan.best);
	return scan.best;
}

/*
 * Placement least-loaded (multinic_maps.h): a known flow keeps its NIC,
 * is retired by its FIN or RST, promoted to heavy by a bulk segment
 * while it has no rate yet or at a flowlet boundary, re-placed when its
 * NIC becomes unusable (so a NIC going down moves only its own flows)
 * or leaves its task's NUMA members, and may move among the members at
 * a flowlet boundary; an unknown flow is placed among the members and
 * booked.
 */
static __always_inline __u32 mn_place_least_loaded(struct __sk_buff *skb,
						   const struct mn_pkt *pkt,
						   __u32 hash,
						   const struct mn_config *cfg,
						   __u64 now,
						   const struct mn_numa *numa)
{
	__u32 family = pkt->key.family, slot;
	bool drained, boundary;
	struct mn_flow *flow;
	__u64 gap;

	flow = bpf_map_lookup_elem(&mn_flows, &pkt->key);
	if (!flow)
		return mn_flow_new(skb, pkt, hash, now, false, numa);
	if ((flow->state & MN_FLOW_S_CLOSED) &&
	    (pkt->tcp_flags & (MN_TCP_SYN | MN_TCP_ACK)) == MN_TCP_SYN)
		return mn_flow_new(skb, pkt, hash, now, true, numa);

	gap = now > flow->last_ns ? now - flow->last_ns : 0;
	flow->last_ns = now;
	if (pkt->payload)
		__sync_fetch_and_add(&flow->bytes, skb->len);
	drained = mn_flow_tcp_sent(flow, pkt);

	slot = flow->slot;
	if (!mn_nic_usable(slot, family) || !mn_numa_member(numa, slot))
		slot = mn_flow_replace(flow, family, hash, now, numa);
	if (flow->state & MN_FLOW_S_CLOSED)
		return slot;
	if (pkt->tcp_flags & (MN_TCP_FIN | MN_TCP_RST)) {
		mn_flow_transition(flow, MN_FLOW_S_CLOSED, 0);
		return slot;
	}
	/*
	 * A flowlet boundary: nothing of the flow can still be queued on
	 * its NIC.  A bulk segment makes the flow heavy while it is too
	 * young to have a rate, and at a boundary: a flow that paused was
	 * rated light during its pause, and is a bulk flow again now.
	 */
	boundary = gap >= mn_flowlet_ns(cfg) || (drained && pkt->payload);
	if (!(flow->state & MN_FLOW_S_HEAVY) && mn_is_bulk(skb, pkt) &&
	    (boundary || !(flow->state & MN_FLOW_S_RATED)))
		mn_flow_transition(flow, MN_FLOW_S_HEAVY, 0);

	/* heavy flows move at a boundary, not too soon after a move */
	if (!boundary || !(flow->state & MN_FLOW_S_HEAVY))
		return slot;
	if (flow->moved_ns && now - flow->moved_ns < mn_interval_ns(cfg))
		return slot;
	return mn_flow_rebalance(flow, family, hash, now, numa);
}

/* Placement hash: the Maglev table entry of the flow's hash. */
static __always_inline __u32 mn_place_hash(__u32 hash)
{
	__u32 idx = hash % MN_MAGLEV_SIZE;
	__u32 *slot = bpf_map_lookup_elem(&mn_maglev, &idx);

	return slot ? *slot : MN_NIC_NONE;
}

/* The NIC slot for this packet; it may turn out to be unusable. */
static __always_inline __u32 mn_select_slot(struct __sk_buff *skb,
					    const struct mn_pkt *pkt,
					    const struct mn_addr *src,
					    const struct mn_config *cfg,
					    const struct mn_numa *numa)
{
	__u32 hash;

	if (src->pin_slot != MN_NIC_NONE)
		return src->pin_slot;
	hash = mn_flow_hash(&pkt->key, cfg->hash_seed);
	if (cfg->placement == MN_PLACE_LEAST_LOADED)
		return mn_place_least_loaded(skb, pkt, hash, cfg,
					     bpf_ktime_get_ns(), numa);
	if (numa->node != MN_NUMA_NONE)
		return mn_numa_place_hash(numa, hash);
	return mn_place_hash(hash);
}

/*
 * Out of the NIC to its gateway; the kernel resolves the gateway's MAC
 * (and keeps the neighbour entry fresh) and writes the Ethernet header.
 * Returns TC_ACT_REDIRECT, or TC_ACT_SHOT if the helper refused.
 */
static __always_inline long mn_redirect_neigh(const struct mn_bpf_nic *nic,
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

/*
 * The only packets a task may send from an address that is not its own
 * (multinic_maps.h, "What the programs refuse"): IPv6 neighbour
 * discovery and MLD, from its link-local address or, during duplicate
 * address detection, from ::, to a link-local or multicast destination.
 * The kernel never routes a link-local source off the link.
 */
static __always_inline bool mn_link_only_v6(const struct mn_pkt *pkt)
{
	const __u8 *s = pkt->key.saddr;
	__u64 hi, lo;

	if (pkt->key.family != MN_AF_INET6 || !mn_dst_is_link_scope(&pkt->key))
		return false;
	if (s[0] == 0xfe && (s[1] & 0xc0) == 0x80)
		return true;
	__builtin_memcpy(&hi, s, 8);
	__builtin_memcpy(&lo, s + 8, 8);
	return !hi && !lo;
}

/* The source is an address of the task sending it (of this device). */
static __always_inline const struct mn_addr *
mn_task_source(const struct __sk_buff *skb, const struct mn_pkt *pkt)
{
	const struct mn_addr *src =
		mn_addr_lookup(pkt->key.family, pkt->key.saddr);

	if (!src || !src->task_ifindex || src->task_ifindex != skb->ifindex)
		return NULL;
	return src;
}

/*
 * Out of the chosen NIC, as the kernel would forward it: the TTL or hop
 * limit decremented; left to the kernel when it would expire or the
 * packet exceeds the NIC's MTU, so that the kernel sends the ICMP error.
 */
static __always_inline long mn_forward(struct __sk_buff *skb,
				       const struct mn_pkt *pkt,
				       const struct mn_bpf_nic *nic,
				       struct mn_stats *task_stats,
				       struct mn_stats *nic_stats)
{
	if (mn_ttl_expires(pkt)) {
		mn_count_ttl_expired(task_stats);
		return MN_ACT_PASS;
	}
	if (!mn_fits_mtu(skb, nic->ifindex)) {
		mn_count_too_big(task_stats);
		mn_count_too_big(nic_stats);
		return MN_ACT_PASS;
	}
	if (mn_ttl_decrement(skb, pkt) ||
	    mn_redirect_neigh(nic, pkt->key.family) != TC_ACT_REDIRECT) {
		mn_count_redirect_errors(task_stats);
		mn_count_redirect_errors(nic_stats);
		return MN_ACT_PASS;
	}
	mn_count_tx(task_stats, skb->len);
	mn_count_tx(nic_stats, skb->len);
	return MN_ACT_REDIRECT;
}

SEC("tc")
int mn_egress(struct __sk_buff *skb)
{
	struct mn_stats *task_stats = mn_task_stats_get(skb->ifindex);
	const struct mn_config *cfg;
	const struct mn_addr *src;
	struct mn_bpf_nic *nic;
	struct mn_numa numa;
	struct mn_pkt pkt;
	__u32 slot;
	long ret;
	int parsed;

	/* Every packet here comes from the task (its host-side device). */
	if (mn_frame_tagged(skb)) {
		mn_count_tagged(task_stats);
		return MN_ACT_DROP;
	}
	parsed = mn_parse(skb, &pkt, true);
	if (!pkt.key.family)
		return MN_ACT_PASS; /* not IP: ARP, or what the kernel drops */

	/* Only a task's own addresses, sent from its own device, are ours. */
	src = mn_task_source(skb, &pkt);
	if (!src) {
		if (mn_link_only_v6(&pkt)) {
			mn_count_local(task_stats);
			return MN_ACT_PASS;
		}
		mn_count_spoofed(task_stats);
		return MN_ACT_DROP;
	}
	if (parsed)
		return MN_ACT_PASS; /* malformed: the kernel drops it */

	if (mn_stays_local(&pkt)) {
		mn_count_local(task_stats);
		return MN_ACT_PASS;
	}

	cfg = mn_config_get();
	if (!cfg)
		return MN_ACT_PASS;
	mn_numa_of_task(skb->ifindex, &numa);
	slot = mn_select_slot(skb, &pkt, src, cfg, &numa);

	/* No usable NIC: the kernel routes it (kernel-mode datapath). */
	nic = mn_nic_usable(slot, pkt.key.family);
	if (!nic) {
		mn_count_fallback(task_stats);
		mn_count_fallback(mn_nic_stats_get(slot));
		return MN_ACT_PASS;
	}
	ret = mn_forward(skb, &pkt, nic, task_stats, mn_nic_stats_get(slot));
	if (ret == MN_ACT_REDIRECT)
		mn_numa_count(skb->ifindex, &numa, slot, skb->len);
	return ret;
}

/*
 * The sweep of least-loaded placement (multinic_maps.h): every re-balance
 * interval, from a bpf_timer in the pinned map mn_sweep, so that it goes
 * on while multinicd is down.  multinicd starts it with mn_sweep_arm
 * (run once through BPF_PROG_TEST_RUN; arming again only restarts the
 * countdown and points the timer at the newest program); it stops by
 * itself under placement hash.  mn_sweep_now runs one sweep at once
 * (tests).
 */
#include "mn_sweep.bpf.h"
