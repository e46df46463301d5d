/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * frr-multinic BPF programs: the maps that both programs use, and the
 * counter helpers.  Each object declares these identically and with
 * LIBBPF_PIN_BY_NAME, so loading both with one pin_root_path (MN_PIN_MAPS)
 * gives one set of maps (see multinic_maps.h).  Egress-only maps live in
 * egress.bpf.c.  The flow table and the per-NIC loads are here because
 * the ingress program follows the acknowledgements of least-loaded's
 * TCP flows (mn_flow.bpf.h).
 */
#ifndef MN_MAPS_BPF_H
#define MN_MAPS_BPF_H

#include "mn_defs.bpf.h"

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, MN_MAX_NICS);
	__type(key, __u32);
	__type(value, struct mn_bpf_nic);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} mn_nics SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct mn_config);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} mn_config SEC(".maps");

/*
 * Placement least-loaded: each flow's NIC and accounting.  One LRU shared
 * by all CPUs (not per-CPU): a flow's packets come from any CPU and must
 * all see the same placement.
 */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, MN_MAX_FLOWS);
	__type(key, struct mn_flow_key);
	__type(value, struct mn_flow);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} mn_flows SEC(".maps");

/*
 * Placement least-loaded: each NIC's booked flows (multinic_maps.h).
 * Shared, not per-CPU: a BPF program sees only its own CPU's copy of a
 * per-CPU map, and placement must compare the NICs' whole load.
 */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, MN_MAX_NICS);
	__type(key, __u32);
	__type(value, struct mn_nic_load);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} mn_nic_load SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, MN_MAX_ADDRS);
	__type(key, struct mn_addr_key);
	__type(value, struct mn_addr);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} mn_addrs SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, MN_MAX_NICS);
	__type(key, __u32);
	__type(value, struct mn_stats);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} mn_nic_stats SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_HASH);
	__uint(max_entries, MN_MAX_TASKS);
	__type(key, __u32);
	__type(value, struct mn_stats);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} mn_task_stats SEC(".maps");

/* NULL for MN_NIC_NONE and any other slot out of range. */
static __always_inline struct mn_stats *mn_nic_stats_get(__u32 slot)
{
	return bpf_map_lookup_elem(&mn_nic_stats, &slot);
}

/*
 * The task's counters: multinicd creates the entry when it attaches the
 * program and deletes it at detach; never created here (multinic_maps.h).
 * NULL when there is none: counting is best effort, forwarding never
 * depends on it.
 */
static __always_inline struct mn_stats *mn_task_stats_get(__u32 task_ifindex)
{
	return bpf_map_lookup_elem(&mn_task_stats, &task_ifindex);
}

/* Per-CPU values: plain increments, no atomics needed. */
static __always_inline void mn_count_tx(struct mn_stats *stats, __u32 len)
{
	if (stats) {
		stats->tx_packets++;
		stats->tx_bytes += len;
	}
}

static __always_inline void mn_count_rx(struct mn_stats *stats, __u32 len)
{
	if (stats) {
		stats->rx_packets++;
		stats->rx_bytes += len;
	}
}

/* mn_count_NAME(stats): one more of the event counted in field NAME. */
#define MN_COUNTER(name)                                                       \
	static __always_inline void mn_count_##name(struct mn_stats *stats)   \
	{                                                                      \
		if (stats)                                                     \
			stats->name++;                                         \
	}

MN_COUNTER(fallback)
MN_COUNTER(local)
MN_COUNTER(redirect_errors)
MN_COUNTER(spoofed)
MN_COUNTER(tagged)
MN_COUNTER(ttl_expired)
MN_COUNTER(too_big)

static __always_inline const struct mn_config *mn_config_get(void)
{
	__u32 zero = 0;

	return bpf_map_lookup_elem(&mn_config, &zero);
}

#endif /* MN_MAPS_BPF_H */
