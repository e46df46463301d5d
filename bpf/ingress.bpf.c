// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * frr-multinic ingress: NIC -> task fast path.
 *
 * Attached to each NIC's tcx ingress (or clsact ingress).  A packet to a
 * task address (mn_addrs, task_ifindex != 0) is handed with
 * bpf_redirect_peer() to the peer of the task's host-side device, that is
 * straight into the task's netns: no host routing, no backlog queue.
 * Everything else (the host's own traffic, BGP, ARP/ND, other VIPs) is
 * not ours and goes on untouched (MN_ACT_PASS), and so do VLAN-tagged
 * frames, frames for another MAC, packets whose TTL would expire and
 * packets larger than the task's link (multinic_maps.h, "What the programs refuse").  The TTL or hop limit of
 * what goes in is decremented, as the kernel's forwarding would.
 *
 * Under least-loaded placement it also follows the acknowledgements of
 * the tasks' TCP flows (mn_flow_peer_tcp()): a flow with nothing
 * unacknowledged may move to another NIC without any reordering.
 */
#include "mn_maps.bpf.h"
#include "mn_parse.bpf.h"
#include "mn_flow.bpf.h"
#include "mn_fwd.bpf.h"

char LICENSE[] SEC("license") = "Dual BSD/GPL";

/*
 * The slot of the NIC this packet came in on, for the per-NIC counters;
 * MN_NIC_NONE if it is not in mn_nics.  A scan of MN_MAX_NICS array
 * entries, cheaper than keeping a second map (ifindex -> slot) in sync.
 */
static __always_inline __u32 mn_nic_slot_of(__u32 ifindex)
{
	__u32 slot;

	for (slot = 0; slot < MN_MAX_NICS; slot++) {
		/*
		 * The key is a copy: with the loop counter itself on the
		 * stack (its address taken), older verifiers (6.12) lose
		 * its value and reject the loop as infinite.
		 */
		__u32 key = slot;
		struct mn_bpf_nic *nic = bpf_map_lookup_elem(&mn_nics, &key);

		if (nic && nic->ifindex == ifindex)
			return slot;
	}
	return MN_NIC_NONE;
}

SEC("tc")
int mn_ingress(struct __sk_buff *skb)
{
	const struct mn_config *cfg = mn_config_get();
	struct mn_stats *task_stats, *nic_stats;
	const struct mn_addr *dst;
	struct mn_addr_key akey;
	struct mn_pkt pkt;
	__u32 task_ifindex;
	bool follow_acks;
	long ret;

	/*
	 * Only frames plainly for this host: not VLAN-tagged (a VLAN of the
	 * NIC belongs to the kernel's VLAN devices), addressed to the NIC's
	 * MAC (not another host's, seen in promiscuous mode).
	 */
	if (mn_frame_tagged(skb) || skb->pkt_type != PACKET_HOST)
		return MN_ACT_PASS;

	/* only least-loaded needs more than the addresses */
	follow_acks = cfg && cfg->placement == MN_PLACE_LEAST_LOADED;
	if (mn_parse(skb, &pkt, follow_acks))
		return MN_ACT_PASS;

	mn_addr_key_set(&akey, pkt.key.family, pkt.key.daddr);
	dst = bpf_map_lookup_elem(&mn_addrs, &akey);
	if (!dst || !dst->task_ifindex)
		return MN_ACT_PASS;
	task_ifindex = dst->task_ifindex;
	if (follow_acks && pkt.key.proto == IPPROTO_TCP && !pkt.fragment)
		mn_flow_peer_tcp(&pkt);

	task_stats = mn_task_stats_get(task_ifindex);
	nic_stats = mn_nic_stats_get(mn_nic_slot_of(skb->ifindex));

	/* routed into the task: the kernel sends time exceeded */
	if (mn_ttl_expires(&pkt)) {
		mn_count_ttl_expired(task_stats);
		mn_count_ttl_expired(nic_stats);
		return MN_ACT_PASS;
	}
	/*
	 * Larger than the task's link (its MTU may be below the NIC's):
	 * bpf_redirect_peer() skips the MTU check of a forward, so the
	 * kernel gets it and sends "fragmentation needed" or "packet too
	 * big" instead of a task device silently dropping it.
	 */
	if (!mn_fits_mtu(skb, task_ifindex)) {
		mn_count_too_big(task_stats);
		mn_count_too_big(nic_stats);
		return MN_ACT_PASS;
	}
	ret = mn_ttl_decrement(skb, &pkt) ? TC_ACT_SHOT
					  : bpf_redirect_peer(task_ifindex, 0);
	if (ret != TC_ACT_REDIRECT) {
		mn_count_redirect_errors(task_stats);
		mn_count_redirect_errors(nic_stats);
		return MN_ACT_PASS;
	}
	mn_count_rx(task_stats, skb->len);
	mn_count_rx(nic_stats, skb->len);
	return MN_ACT_REDIRECT;
}
