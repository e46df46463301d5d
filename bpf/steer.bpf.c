// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * frr-multinic receive steering: a task's packets to a CPU of its NUMA
 * node (see multinic_steer_maps.h).
 *
 * XDP on each NIC, so before any skb exists: a redirect through the
 * cpumap costs the enqueue here and the skb is built on the target CPU,
 * which then runs the receive path (tcx ingress, mn_ingress, the task's
 * socket).  RPS masks could not do this: they steer by receive queue,
 * and the rack switch spreads each task's flows over every NIC and
 * queue, so a queue carries flows of tasks on every node.
 */
#include "mn_defs.bpf.h"
#include "multinic_hash.h"
#include "multinic_steer_maps.h"

char LICENSE[] SEC("license") = "Dual BSD/GPL";

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, MN_MAX_ADDRS);
	__type(key, struct mn_addr_key);
	__type(value, struct mn_steer_dst);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} mn_steer_dsts SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, MN_STEER_MAX_CPUS);
	__type(key, __u32);
	__type(value, __u32);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} mn_steer_cpu_node SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, MN_STEER_NODES);
	__type(key, __u32);
	__type(value, struct mn_steer_cpus);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} mn_steer_node_cpus SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_CPUMAP);
	__uint(max_entries, MN_STEER_MAX_CPUS);
	__type(key, __u32);
	__type(value, struct bpf_cpumap_val);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} mn_steer_cpumap SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_HASH);
	__uint(max_entries, 4 * MN_MAX_NICS);
	__type(key, __u32);
	__type(value, struct mn_steer_stats);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} mn_steer_stats SEC(".maps");

static __always_inline bool mn_has_ports_xdp(__u8 proto)
{
	return proto == IPPROTO_TCP || proto == IPPROTO_UDP;
}

/*
 * The destination and the flow of an IPv4 or IPv6 packet (ports for TCP
 * and UDP, none for fragments: a datagram's fragments stay together).
 * -1 for anything else, which is never a task's.
 */
static __always_inline int mn_steer_parse(struct xdp_md *ctx, struct mn_flow_key *key)
{
	void *data = (void *)(long)ctx->data, *end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = data;
	__u16 *ports = NULL;
	__u8 proto;

	if ((void *)(eth + 1) > end)
		return -1;
	if (eth->h_proto == bpf_htons(ETH_P_IP)) {
		struct iphdr *ip = (void *)(eth + 1);

		if ((void *)(ip + 1) > end || ip->ihl < 5)
			return -1;
		key->family = MN_AF_INET;
		__builtin_memcpy(key->saddr, &ip->saddr, 4);
		__builtin_memcpy(key->daddr, &ip->daddr, 4);
		proto = ip->protocol;
		if (!(ip->frag_off & bpf_htons(IP_MF | IP_OFFSET)))
			ports = (void *)ip + ip->ihl * 4;
	} else if (eth->h_proto == bpf_htons(ETH_P_IPV6)) {
		struct ipv6hdr *ip6 = (void *)(eth + 1);

		if ((void *)(ip6 + 1) > end)
			return -1;
		key->family = MN_AF_INET6;
		__builtin_memcpy(key->saddr, &ip6->saddr, 16);
		__builtin_memcpy(key->daddr, &ip6->daddr, 16);
		proto = ip6->nexthdr; /* extension headers: hashed by addresses */
		ports = (void *)(ip6 + 1);
	} else {
		return -1;
	}
	key->proto = proto;
	if (mn_has_ports_xdp(proto) && ports && (void *)(ports + 2) <= end) {
		key->sport = ports[0];
		key->dport = ports[1];
	}
	return 0;
}

static __always_inline struct mn_steer_stats *mn_steer_stats_get(__u32 ifindex)
{
	struct mn_steer_stats *s, zero = {};

	s = bpf_map_lookup_elem(&mn_steer_stats, &ifindex);
	if (s)
		return s;
	bpf_map_update_elem(&mn_steer_stats, &ifindex, &zero, BPF_NOEXIST);
	return bpf_map_lookup_elem(&mn_steer_stats, &ifindex);
}

SEC("xdp.frags")
int mn_steer(struct xdp_md *ctx)
{
	struct mn_flow_key key = {};
	const struct mn_steer_dst *dst;
	const struct mn_steer_cpus *cpus;
	struct mn_steer_stats *stats;
	struct mn_addr_key akey = {};
	__u32 cpu, *here, target, idx;
	long ret;

	if (mn_steer_parse(ctx, &key))
		return XDP_PASS;
	akey.family = key.family;
	__builtin_memcpy(akey.addr, key.daddr, sizeof(akey.addr));
	dst = bpf_map_lookup_elem(&mn_steer_dsts, &akey);
	if (!dst)
		return XDP_PASS; /* not a task's (or a task of no node) */
	stats = mn_steer_stats_get(ctx->ingress_ifindex);

	cpu = bpf_get_smp_processor_id();
	here = bpf_map_lookup_elem(&mn_steer_cpu_node, &cpu);
	if (here && *here == dst->node) {
		if (stats)
			stats->on_node++;
		return XDP_PASS;
	}
	cpus = bpf_map_lookup_elem(&mn_steer_node_cpus, &dst->node);
	if (!cpus || !cpus->count || cpus->count > MN_STEER_NODE_CPUS) {
		if (stats)
			stats->no_cpu++;
		return XDP_PASS;
	}
	idx = mn_flow_hash(&key, 0) % cpus->count;
	/*
	 * idx < count <= MN_STEER_NODE_CPUS (a power of two), which the
	 * compiler knows and the verifier does not: the barrier keeps the
	 * mask that tells it.
	 */
	asm volatile("" : "+r"(idx));
	target = cpus->cpu[idx & (MN_STEER_NODE_CPUS - 1)];
	/* XDP_PASS in the flags: what happens when the CPU has no entry */
	ret = bpf_redirect_map(&mn_steer_cpumap, target, XDP_PASS);
	if (stats) {
		if (ret == XDP_REDIRECT)
			stats->steered++;
		else
			stats->errors++;
	}
	return ret;
}
