/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * frr-multinic BPF programs: what forwarding owes the packets it takes
 * past the kernel's IP layer.  Both programs route (task -> NIC, NIC ->
 * task), so they do what ip_forward() and ip6_forward() would: decrement
 * the TTL or hop limit, and leave to the kernel the packets for which it
 * must answer with an ICMP error (time exceeded, fragmentation needed or
 * packet too big), since only the kernel sends those.
 */
#ifndef MN_FWD_BPF_H
#define MN_FWD_BPF_H

#include <stddef.h>

#include "mn_parse.bpf.h"

/* The kernel forwards only packets whose TTL is above 1. */
static __always_inline bool mn_ttl_expires(const struct mn_pkt *pkt)
{
	return pkt->ttl <= 1;
}

/*
 * TTL - 1, IPv4 header checksum updated (RFC 1624): the TTL and the
 * checksum change by opposite amounts, so a CHECKSUM_COMPLETE sum over
 * the header stays right.  The hop limit of IPv6 has no checksum, but a
 * CHECKSUM_COMPLETE sum (NIC ingress) covers it: BPF_F_RECOMPUTE_CSUM
 * keeps that sum right.  Non-zero if the packet could not be written.
 */
static __always_inline int mn_ttl_decrement(struct __sk_buff *skb,
					    const struct mn_pkt *pkt)
{
	__u8 ttl = pkt->ttl - 1;
	__be16 old_word, new_word;

	if (pkt->key.family == MN_AF_INET6)
		return bpf_skb_store_bytes(skb,
					   ETH_HLEN + offsetof(struct ipv6hdr,
							       hop_limit),
					   &ttl, 1, BPF_F_RECOMPUTE_CSUM);
	/* the 16-bit word of the header that holds TTL and protocol */
	old_word = bpf_htons((__u16)pkt->ttl << 8 | pkt->key.proto);
	new_word = bpf_htons((__u16)ttl << 8 | pkt->key.proto);
	if (bpf_skb_store_bytes(skb, ETH_HLEN + offsetof(struct iphdr, ttl),
				&ttl, 1, 0))
		return -1;
	return bpf_l3_csum_replace(skb, ETH_HLEN + offsetof(struct iphdr, check),
				   old_word, new_word, sizeof(__u16));
}

/*
 * Whether the packet fits the MTU of the device it is sent out of: its
 * length, or every segment of a GSO packet (BPF_MTU_CHK_SEGS).  A device
 * that does not exist (any more) cannot be checked: the redirect fails
 * on its own then.
 */
static __always_inline bool mn_fits_mtu(struct __sk_buff *skb, __u32 ifindex)
{
	__u32 mtu_len = 0;

	return bpf_check_mtu(skb, ifindex, &mtu_len, 0, BPF_MTU_CHK_SEGS) <= 0;
}

#endif /* MN_FWD_BPF_H */
