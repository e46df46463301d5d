/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * frr-multinic BPF programs: the maps that both programs use, and the
 * counter helpers.  Each object declares these identically and with
 * LIBBPF_PIN_BY_NAME, so loading both with one pin_root_path (MN_PIN_MAPS)
 * gives one set of maps (see multinic_maps.h).  Egress-only maps live in
 * egress.bpf.c.
 */
#ifndef MN_MAPS_BPF_H
#define MN_MAPS_BPF_H

#include "mn_defs.bpf.h"

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, MN_MAX_NICS);
	__type(key, __u32);
	__type(value, struct mn_nic);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} mn_nics SEC(".maps");

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
 * The task's counters, created on first use (this CPU's copy starts from
 * the zero value, the others are zeroed by the kernel).  NULL when the
 * map is full: counting is best effort, forwarding never depends on it.
 */
static __always_inline struct mn_stats *mn_task_stats_get(__u32 task_ifindex)
{
	struct mn_stats *stats, zero = {};

	stats = bpf_map_lookup_elem(&mn_task_stats, &task_ifindex);
	if (stats)
		return stats;
	bpf_map_update_elem(&mn_task_stats, &task_ifindex, &zero, BPF_NOEXIST);
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

static __always_inline void mn_count_fallback(struct mn_stats *stats)
{
	if (stats)
		stats->fallback++;
}

static __always_inline void mn_count_local(struct mn_stats *stats)
{
	if (stats)
		stats->local++;
}

static __always_inline void mn_count_redirect_error(struct mn_stats *stats)
{
	if (stats)
		stats->redirect_errors++;
}

#endif /* MN_MAPS_BPF_H */
