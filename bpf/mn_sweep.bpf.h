/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * frr-multinic egress: the sweep of least-loaded placement, part of the
 * egress object (multinic_maps.h, "Least-loaded placement").
 *
 * Every re-balance interval it walks mn_flows once
 * (bpf_for_each_map_elem, in the kernel: nothing is copied anywhere):
 *  - deletes flows idle longer than the idle time (they leave the books;
 *    a packet after that is a new flow, placed afresh: the gap is longer
 *    than the flowlet timeout, so that cannot reorder it);
 *  - measures each booked flow's rate since the last sweep, and
 *    classifies it heavy or light by that rate;
 *  - counts each NIC's booked flows, heavy flows, units, rate and fastest
 *    flow, and publishes them in mn_nic_load.
 * Publishing replaces units by the count and takes out of units_delta
 * what it held when the walk began: changes made during the walk stay in
 * the delta (they may be counted twice until the next sweep, which errs
 * towards a NIC looking busier), and whatever drifted (a lost race, an
 * entry the LRU evicted while booked) is gone after one interval.
 *
 * Driven by a bpf_timer in the pinned map mn_sweep, so that it runs in
 * softirq context every interval without userspace, also while
 * multinicd restarts.  The timer keeps a reference to the program whose
 * callback it runs; arming again (a new multinicd) points it at the new
 * program.
 */
#ifndef MN_SWEEP_BPF_H
#define MN_SWEEP_BPF_H

struct mn_sweep_timer {
	struct bpf_timer timer;
	__u64 runs;  /* sweeps by the timer */
	__u32 armed; /* the timer is running (0: stopped under hash) */
	__u32 pad;
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct mn_sweep_timer);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} mn_sweep SEC(".maps");

/* One NIC's figures as the walk counts them. */
struct mn_sweep_nic {
	__u64 units;
	__u64 rate;
	__u64 max_rate;
	__s64 delta_before; /* units_delta when the walk began */
	__u32 flows;
	__u32 heavy;
};

struct mn_sweep_acc {
	struct mn_sweep_nic nic[MN_MAX_NICS];
};

/*
 * The walk's accumulators: per CPU, so that two sweeps (the timer and a
 * test's mn_sweep run) never mix their counts; too large for the stack.
 * Not pinned: scratch space of this object.
 */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct mn_sweep_acc);
} mn_sweep_acc SEC(".maps");

struct mn_sweep_ctx {
	__u64 now;
	__u64 idle_ns;	 /* retire flows idle this long */
	__u64 window_ns; /* rate a flow once watched this long */
};

/* bpf_loop() takes a context on the stack: the accumulators' address. */
struct mn_sweep_nics {
	struct mn_sweep_acc *acc;
	__u64 now;
};

static __always_inline struct mn_sweep_acc *mn_sweep_acc_get(void)
{
	__u32 zero = 0;

	return bpf_map_lookup_elem(&mn_sweep_acc, &zero);
}

/*
 * Heavy or not by rate: at least MN_HEAVY_MIN_BPS and 1/MN_HEAVY_SHARE of
 * the NIC's fastest flow at the last sweep; a heavy flow stays heavy down
 * to half of both, so that one that wavers around the line does not flap.
 */
static __always_inline bool mn_rate_heavy(__u64 rate, __u64 nic_max,
					  bool was_heavy)
{
	__u64 r = was_heavy ? rate * 2 : rate;

	return r >= MN_HEAVY_MIN_BPS && r * MN_HEAVY_SHARE >= nic_max;
}

/* Measure the flow's rate if it has been watched long enough; rate it. */
static __always_inline void mn_sweep_rate(struct mn_flow *flow, __u32 slot,
					  const struct mn_sweep_ctx *ctx)
{
	__u64 since = flow->swept_ns ?: flow->first_ns, bytes, us, rate;
	struct mn_nic_load *load;
	__u32 state, new;

	if (ctx->now <= since || ctx->now - since < ctx->window_ns)
		return;
	bytes = flow->bytes;
	us = (ctx->now - since) / 1000;
	rate = us ? (bytes - flow->swept_bytes) * 1000000 / us : 0;
	flow->rate = rate;
	flow->swept_bytes = bytes;
	flow->swept_ns = ctx->now;

	load = bpf_map_lookup_elem(&mn_nic_load, &slot);
	state = flow->state;
	new = state | MN_FLOW_S_RATED;
	if (mn_rate_heavy(rate, load ? load->max_rate : 0,
			  state & MN_FLOW_S_HEAVY))
		new |= MN_FLOW_S_HEAVY;
	else
		new &= ~MN_FLOW_S_HEAVY;
	/*
	 * No units move: the walk recounts them.  A packet that changed the
	 * state meanwhile (a FIN) wins; the next sweep rates again.
	 */
	if (new != state)
		__sync_val_compare_and_swap(&flow->state, state, new);
}

static long mn_sweep_flow(void *map, struct mn_flow_key *key,
			  struct mn_flow *flow, struct mn_sweep_ctx *ctx)
{
	struct mn_sweep_acc *acc = mn_sweep_acc_get();
	struct mn_sweep_nic *nic;
	__u32 slot = flow->slot, state;

	if (!acc)
		return 1;
	if (ctx->now > flow->last_ns && ctx->now - flow->last_ns >= ctx->idle_ns) {
		bpf_map_delete_elem(map, key);
		return 0;
	}
	if ((flow->state & MN_FLOW_S_CLOSED) || slot >= MN_MAX_NICS)
		return 0;
	mn_sweep_rate(flow, slot, ctx);
	state = flow->state;
	if (state & MN_FLOW_S_CLOSED)
		return 0;
	nic = &acc->nic[slot];
	nic->flows++;
	nic->units += mn_flow_units(state);
	if (state & MN_FLOW_S_HEAVY)
		nic->heavy++;
	nic->rate += flow->rate;
	if (flow->rate > nic->max_rate)
		nic->max_rate = flow->rate;
	return 0;
}

/* Before the walk: clear the counts, note each NIC's delta. */
static long mn_sweep_begin(__u64 index, void *ctx)
{
	struct mn_sweep_acc *acc = ((struct mn_sweep_nics *)ctx)->acc;
	__u32 slot = index;
	struct mn_nic_load *load = bpf_map_lookup_elem(&mn_nic_load, &slot);
	struct mn_sweep_nic *nic;

	if (slot >= MN_MAX_NICS)
		return 1;
	nic = &acc->nic[slot];
	__builtin_memset(nic, 0, sizeof(*nic));
	nic->delta_before = load ? load->units_delta : 0;
	return 0;
}

/* After the walk: publish. */
static long mn_sweep_publish(__u64 index, void *ctx)
{
	struct mn_sweep_nics *pub = ctx;
	__u32 slot = index;
	struct mn_nic_load *load = bpf_map_lookup_elem(&mn_nic_load, &slot);
	struct mn_sweep_nic *nic;

	if (!load || slot >= MN_MAX_NICS)
		return 0;
	nic = &pub->acc->nic[slot];
	load->units = nic->units;
	__sync_fetch_and_add(&load->units_delta, -nic->delta_before);
	load->rate = nic->rate;
	load->max_rate = nic->max_rate;
	load->flows = nic->flows;
	load->heavy = nic->heavy;
	load->swept_ns = pub->now;
	return 0;
}

static __always_inline void mn_sweep_run(const struct mn_config *cfg)
{
	struct mn_sweep_ctx ctx = { .now = bpf_ktime_get_ns() };
	struct mn_sweep_nics nics = { .acc = mn_sweep_acc_get() };

	if (!nics.acc)
		return;
	nics.now = ctx.now;
	ctx.idle_ns = mn_flowlet_ns(cfg);
	if (ctx.idle_ns < MN_FLOW_IDLE_MIN_NS)
		ctx.idle_ns = MN_FLOW_IDLE_MIN_NS;
	ctx.window_ns = mn_interval_ns(cfg) / 2;
	bpf_loop(MN_MAX_NICS, mn_sweep_begin, &nics, 0);
	bpf_for_each_map_elem(&mn_flows, mn_sweep_flow, &ctx, 0);
	bpf_loop(MN_MAX_NICS, mn_sweep_publish, &nics, 0);
}

/* The timer: sweep, then again in one interval, while least-loaded. */
static int mn_sweep_tick(void *map, __u32 *key, struct mn_sweep_timer *timer)
{
	const struct mn_config *cfg = mn_config_get();

	if (!cfg || cfg->placement != MN_PLACE_LEAST_LOADED) {
		timer->armed = 0;
		return 0;
	}
	mn_sweep_run(cfg);
	timer->runs++;
	bpf_timer_start(&timer->timer, mn_interval_ns(cfg), 0);
	return 0;
}

/* Start the periodic sweep (0), or not (1: no config or timer). */
SEC("tc")
int mn_sweep_arm(struct __sk_buff *skb)
{
	const struct mn_config *cfg = mn_config_get();
	struct mn_sweep_timer *timer;
	__u32 zero = 0;

	timer = bpf_map_lookup_elem(&mn_sweep, &zero);
	if (!timer || !cfg)
		return 1;
	/* -EBUSY when a program armed it before: it stays initialised */
	bpf_timer_init(&timer->timer, &mn_sweep, MN_CLOCK_MONOTONIC);
	if (bpf_timer_set_callback(&timer->timer, mn_sweep_tick) ||
	    bpf_timer_start(&timer->timer, mn_interval_ns(cfg), 0))
		return 1;
	timer->armed = 1;
	return 0;
}

/* One sweep now (tests; the timer does it in production). */
SEC("tc")
int mn_sweep_now(struct __sk_buff *skb)
{
	const struct mn_config *cfg = mn_config_get();

	if (!cfg)
		return 1;
	mn_sweep_run(cfg);
	return 0;
}

#endif /* MN_SWEEP_BPF_H */
