/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * frr-multinic BPF programs: least-loaded placement's per-flow accounting
 * (multinic_maps.h, "Least-loaded placement"), shared by the egress
 * program (which books, promotes, retires and moves flows) and the
 * ingress program (which follows their acknowledgements and sees the
 * peer's RST).
 *
 * State changes of a flow go through mn_flow_transition(): a
 * compare-and-swap on mn_flow.state, so that of two CPUs changing one
 * flow at once only one moves its NIC's units.  What still races (a move
 * and a state change at the same instant, an LRU eviction) is healed by
 * the next sweep, which recounts the units from the table.
 */
#ifndef MN_FLOW_BPF_H
#define MN_FLOW_BPF_H

#include "mn_maps.bpf.h"
#include "mn_parse.bpf.h"

/* The units a flow in this state counts on its NIC. */
static __always_inline __u32 mn_flow_units(__u32 state)
{
	if (state & MN_FLOW_S_CLOSED)
		return 0;
	return state & MN_FLOW_S_HEAVY ? MN_UNITS_HEAVY : MN_UNITS_LIGHT;
}

static __always_inline void mn_units_add(__u32 slot, __s64 units)
{
	struct mn_nic_load *load = bpf_map_lookup_elem(&mn_nic_load, &slot);

	if (load && units)
		__sync_fetch_and_add(&load->units_delta, units);
}

/*
 * Set and clear state bits; the flow's NIC gains or loses the units that
 * changes.  False when there was nothing to change, or another CPU
 * changed the state first (then this CPU's change is dropped: it was
 * about the same packet train, the other's stands).
 */
static __always_inline bool mn_flow_transition(struct mn_flow *flow, __u32 set,
					       __u32 clear)
{
	__u32 old = flow->state, new = (old | set) & ~clear;

	if (old == new)
		return false;
	if (__sync_val_compare_and_swap(&flow->state, old, new) != old)
		return false;
	mn_units_add(flow->slot,
		     (__s64)mn_flow_units(new) - (__s64)mn_flow_units(old));
	return true;
}

/* TCP sequence space: a after b (RFC 1982 serial arithmetic). */
static __always_inline bool mn_seq_after(__u32 a, __u32 b)
{
	return (__s32)(a - b) > 0;
}

/* Sequence space a TCP segment takes: its payload, SYN and FIN. */
static __always_inline __u32 mn_tcp_seq_end(const struct mn_pkt *pkt)
{
	return pkt->tcp_seq + pkt->payload +
	       !!(pkt->tcp_flags & MN_TCP_SYN) + !!(pkt->tcp_flags & MN_TCP_FIN);
}

/*
 * Egress, a TCP segment of a booked flow: advance snd_nxt.  Returns true
 * when the flow had nothing unacknowledged before this segment (every
 * byte it sent has been acknowledged: none of it is in any queue).
 */
static __always_inline bool mn_flow_tcp_sent(struct mn_flow *flow,
					     const struct mn_pkt *pkt)
{
	__u32 end = mn_tcp_seq_end(pkt);
	bool drained;

	if (pkt->key.proto != IPPROTO_TCP || pkt->fragment)
		return false;
	if (!(flow->state & MN_FLOW_S_TCP_SEQ))
		return false;
	drained = flow->snd_una == flow->snd_nxt;
	if (mn_seq_after(end, flow->snd_nxt))
		flow->snd_nxt = end;
	return drained;
}

/* A new flow's TCP sequence state, from its first packet. */
static __always_inline void mn_flow_tcp_init(struct mn_flow *flow,
					     const struct mn_pkt *pkt)
{
	if (pkt->key.proto != IPPROTO_TCP || pkt->fragment)
		return;
	flow->state |= MN_FLOW_S_TCP_SEQ;
	flow->snd_una = pkt->tcp_seq;
	flow->snd_nxt = mn_tcp_seq_end(pkt);
}

/*
 * Ingress, a TCP segment from the peer of a task flow: the flow is the
 * task's (reversed) 5-tuple.  An acknowledgement advances snd_una (never
 * past what was sent); a RST takes the flow off its NIC's books.  The
 * peer's FIN does not: the task may still send (a half-close).
 */
static __always_inline void mn_flow_peer_tcp(const struct mn_pkt *pkt)
{
	struct mn_flow_key key = {
		.family = pkt->key.family,
		.sport = pkt->key.dport,
		.dport = pkt->key.sport,
		.proto = IPPROTO_TCP,
	};
	struct mn_flow *flow;

	__builtin_memcpy(key.saddr, pkt->key.daddr, sizeof(key.saddr));
	__builtin_memcpy(key.daddr, pkt->key.saddr, sizeof(key.daddr));
	flow = bpf_map_lookup_elem(&mn_flows, &key);
	if (!flow)
		return;
	if (pkt->tcp_flags & MN_TCP_RST) {
		mn_flow_transition(flow, MN_FLOW_S_CLOSED, 0);
		return;
	}
	if ((pkt->tcp_flags & MN_TCP_ACK) && (flow->state & MN_FLOW_S_TCP_SEQ) &&
	    mn_seq_after(pkt->tcp_ack, flow->snd_una) &&
	    !mn_seq_after(pkt->tcp_ack, flow->snd_nxt))
		flow->snd_una = pkt->tcp_ack;
}

#endif /* MN_FLOW_BPF_H */
