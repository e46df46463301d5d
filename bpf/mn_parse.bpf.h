/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * frr-multinic BPF programs: packet parsing into struct mn_flow_key.
 *
 * Framing: every device the programs run on carries an Ethernet header at
 * offset 0.  The NICs and veth are Ethernet devices; netkit is one too in
 * both modes (netkit_setup() calls ether_setup(); "mode l3" only keeps
 * IFF_NOARP and a zero MAC), and netkit_xmit() pulls ETH_HLEN and resets
 * the MAC header before the peer program runs, then strips it again on
 * pass.  So no "L3 device" knob: it would have nothing to do on the
 * devices we attach to.  Worse, bpf_redirect_neigh() itself pulls an
 * Ethernet header (and drops the packet when there is none or its
 * destination MAC is multicast), so a headerless device could not be
 * served by it anyway.  As a guard, a packet whose Ethernet type field
 * disagrees with skb->protocol is left alone (a headerless L3 device
 * would show an IP header there).
 *
 * Loads go through bpf_skb_load_bytes() rather than direct packet access:
 * it copes with headers outside the linear area (GRO packets, some
 * drivers) and with the variable offsets of IPv6 extension headers,
 * without bounds gymnastics for the verifier.
 */
#ifndef MN_PARSE_BPF_H
#define MN_PARSE_BPF_H

#include "mn_defs.bpf.h"

struct mn_pkt {
	struct mn_flow_key key;
	__u8 l2_multicast; /* destination MAC is multicast or broadcast */
	__u8 fragment;	   /* part of a fragmented datagram */
	__u8 tcp_flags;	   /* TCP: the header's flags byte (else 0) */
	__u8 ttl;	   /* IPv4 TTL, IPv6 hop limit */
	/* with want_ports only: */
	__u32 payload; /* L4 payload bytes (GSO: of all segments) */
	__u32 tcp_seq; /* TCP, host order */
	__u32 tcp_ack;
};

/* TCP flags (the 14th byte of the header). */
#define MN_TCP_FIN 0x01
#define MN_TCP_SYN 0x02
#define MN_TCP_RST 0x04
#define MN_TCP_ACK 0x10

/* The TCP header up to its flags, as bpf_skb_load_bytes() reads it. */
struct mn_tcp_head {
	__be16 sport;
	__be16 dport;
	__be32 seq;
	__be32 ack;
	__u8 doff_res; /* data offset in 32-bit words, high nibble */
	__u8 flags;
};

/* The first two bytes of every IPv6 extension header we skip. */
struct mn_ipv6_ext {
	__u8 nexthdr;
	__u8 hdrlen;
};

static __always_inline bool mn_has_ports(__u8 proto)
{
	return proto == IPPROTO_TCP || proto == IPPROTO_UDP;
}

/* Bytes of skb from off to its end (GSO: all segments), 0 if none. */
static __always_inline __u32 mn_bytes_from(struct __sk_buff *skb, __u32 off)
{
	return skb->len > off ? skb->len - off : 0;
}

/*
 * The L4 header at off: ports of TCP and UDP (both start with them), and
 * for TCP its sequence, acknowledgement and flags, which least-loaded
 * placement follows; the payload length (skb->len counts every segment
 * of a GSO packet).
 */
static __always_inline int mn_load_l4(struct __sk_buff *skb, __u32 off,
				      struct mn_pkt *pkt)
{
	struct mn_flow_key *key = &pkt->key;
	struct mn_tcp_head th;
	__be16 ports[2];

	if (key->proto == IPPROTO_TCP) {
		if (bpf_skb_load_bytes(skb, off, &th, sizeof(th)))
			return -1;
		if ((th.doff_res >> 4) < 5)
			return -1;
		key->sport = th.sport;
		key->dport = th.dport;
		pkt->tcp_seq = bpf_ntohl(th.seq);
		pkt->tcp_ack = bpf_ntohl(th.ack);
		pkt->tcp_flags = th.flags;
		pkt->payload = mn_bytes_from(skb, off + (th.doff_res >> 4) * 4);
		return 0;
	}
	if (bpf_skb_load_bytes(skb, off, ports, sizeof(ports)))
		return -1;
	key->sport = ports[0];
	key->dport = ports[1];
	pkt->payload = mn_bytes_from(skb, off + 8);
	return 0;
}

/*
 * IPv4.  A fragmented datagram (MF set or a non-zero offset) is hashed on
 * addresses and protocol only, its first fragment too: later fragments
 * carry no ports, and all fragments must take one NIC.
 */
static __always_inline int mn_parse_ipv4(struct __sk_buff *skb,
					 struct mn_pkt *pkt, bool want_ports)
{
	struct mn_flow_key *key = &pkt->key;
	struct iphdr iph;

	if (bpf_skb_load_bytes(skb, ETH_HLEN, &iph, sizeof(iph)))
		return -1;
	if (iph.version != 4 || iph.ihl < 5)
		return -1;

	key->family = MN_AF_INET;
	pkt->ttl = iph.ttl;
	__builtin_memcpy(key->saddr, &iph.saddr, 4);
	__builtin_memcpy(key->daddr, &iph.daddr, 4);
	key->proto = iph.protocol;

	pkt->payload = mn_bytes_from(skb, ETH_HLEN + iph.ihl * 4);
	if (iph.frag_off & bpf_htons(IP_MF | IP_OFFSET)) {
		pkt->fragment = 1;
		return 0;
	}
	if (want_ports && mn_has_ports(key->proto))
		return mn_load_l4(skb, ETH_HLEN + iph.ihl * 4, pkt);
	return 0;
}

static __always_inline bool mn_ipv6_is_ext(__u8 nexthdr)
{
	switch (nexthdr) {
	case NEXTHDR_HOP:
	case NEXTHDR_ROUTING:
	case NEXTHDR_FRAGMENT:
	case NEXTHDR_AUTH:
	case NEXTHDR_DEST:
		return true;
	default:
		return false;
	}
}

/* Length of an extension header from its hdrlen field (RFC 8200, 4302). */
static __always_inline __u32 mn_ipv6_ext_len(__u8 nexthdr, __u8 hdrlen)
{
	if (nexthdr == NEXTHDR_FRAGMENT)
		return 8;
	if (nexthdr == NEXTHDR_AUTH)
		return ((__u32)hdrlen + 2) * 4;
	return ((__u32)hdrlen + 1) * 8;
}

/*
 * IPv6: skip hop-by-hop, routing, destination options and AH headers (at
 * most MN_IPV6_MAX_EXT_HDRS, a bounded loop) to the upper-layer protocol.
 * A fragment header ends the walk: every fragment of the datagram, the
 * first too, is hashed on addresses and the fragment header's next header
 * (the same value in all fragments); the headers behind it are not parsed
 * (in later fragments they are not there).  A chain longer than the bound
 * is hashed on addresses and the last header type: the same for every
 * packet of the flow, so it still takes one NIC.
 */
static __always_inline int mn_parse_ipv6(struct __sk_buff *skb,
					 struct mn_pkt *pkt, bool want_ports)
{
	struct mn_flow_key *key = &pkt->key;
	__u32 off = ETH_HLEN + sizeof(struct ipv6hdr);
	struct ipv6hdr ip6;
	__u8 nexthdr;
	int i;

	if (bpf_skb_load_bytes(skb, ETH_HLEN, &ip6, sizeof(ip6)))
		return -1;
	if (ip6.version != 6)
		return -1;

	key->family = MN_AF_INET6;
	pkt->ttl = ip6.hop_limit;
	__builtin_memcpy(key->saddr, &ip6.saddr, 16);
	__builtin_memcpy(key->daddr, &ip6.daddr, 16);
	nexthdr = ip6.nexthdr;
	if (!want_ports) {
		key->proto = nexthdr;
		return 0;
	}

	for (i = 0; i < MN_IPV6_MAX_EXT_HDRS; i++) {
		struct mn_ipv6_ext ext;

		if (!mn_ipv6_is_ext(nexthdr))
			break;
		if (bpf_skb_load_bytes(skb, off, &ext, sizeof(ext)))
			return -1;
		if (nexthdr == NEXTHDR_FRAGMENT) {
			pkt->fragment = 1;
			nexthdr = ext.nexthdr;
			break;
		}
		off += mn_ipv6_ext_len(nexthdr, ext.hdrlen);
		nexthdr = ext.nexthdr;
	}
	key->proto = nexthdr;
	pkt->payload = mn_bytes_from(skb, off);

	if (!pkt->fragment && mn_has_ports(nexthdr))
		return mn_load_l4(skb, off, pkt);
	return 0;
}

/*
 * Parse an Ethernet frame into pkt (zeroed first: the key is hashed and
 * used as a map key byte for byte).  want_ports: the egress program needs
 * the 5-tuple (and, for TCP, sequence numbers and flags); ingress only
 * the addresses, unless least-loaded placement follows acknowledgements.
 * Returns 0, or -1 for anything that is not IPv4/IPv6 in Ethernet, or is
 * truncated or malformed (a TCP header shorter than 14 bytes or with a
 * data offset below 5 words too).  pkt->key.family is set (non-zero) as
 * soon as the IP header was read: then the addresses and the TTL are
 * valid even when the rest was not, so that the egress program can check
 * the source of a malformed packet too (the kernel would route it).
 */
static __always_inline int mn_parse(struct __sk_buff *skb, struct mn_pkt *pkt,
				    bool want_ports)
{
	struct ethhdr eth;

	__builtin_memset(pkt, 0, sizeof(*pkt));
	if (bpf_skb_load_bytes(skb, 0, &eth, sizeof(eth)))
		return -1;
	if ((__u32)eth.h_proto != skb->protocol)
		return -1;
	pkt->l2_multicast = eth.h_dest[0] & 1;

	if (eth.h_proto == bpf_htons(ETH_P_IP))
		return mn_parse_ipv4(skb, pkt, want_ports);
	if (eth.h_proto == bpf_htons(ETH_P_IPV6))
		return mn_parse_ipv6(skb, pkt, want_ports);
	return -1;
}

/*
 * A VLAN tag: offloaded (skb->vlan_present) or in the frame (802.1Q,
 * 802.1ad), whatever tags the frame carries behind it.
 */
static __always_inline bool mn_frame_tagged(const struct __sk_buff *skb)
{
	return skb->vlan_present || skb->protocol == bpf_htons(ETH_P_8021Q) ||
	       skb->protocol == bpf_htons(ETH_P_8021AD);
}

/* An mn_addrs key for one of the packet's addresses. */
static __always_inline void mn_addr_key_set(struct mn_addr_key *akey,
					    __u32 family, const __u8 *addr)
{
	akey->family = family;
	__builtin_memcpy(akey->addr, addr, sizeof(akey->addr));
}

/*
 * Destinations that no gateway takes: multicast, broadcast, link-local
 * (NDP and DHCP of the task's own link, a metadata service at
 * 169.254.169.254), and IPv4 0/8 and 127/8 (never valid on the wire).
 */
static __always_inline bool mn_dst_is_link_scope(const struct mn_flow_key *key)
{
	const __u8 *d = key->daddr;

	if (key->family == MN_AF_INET)
		return d[0] >= 224 || d[0] == 127 || d[0] == 0 ||
		       (d[0] == 169 && d[1] == 254);
	return d[0] == 0xff || (d[0] == 0xfe && (d[1] & 0xc0) == 0x80);
}

#endif /* MN_PARSE_BPF_H */
