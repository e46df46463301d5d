// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * multinicd: placement least-loaded's flow table, from userspace (see
 * multinic_ebpf_flows.h).
 */
#include <zebra.h>

#include <time.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "lib/log.h"
#include "lib/memory.h"

#include "multinicd.h"
#include "multinic_ebpf_flows.h"
#include "multinic_ebpf_maps.h"
#include "multinic_errors.h"
#include "multinicd/bpf/multinic_maps.h"

DEFINE_MTYPE_STATIC(MULTINICD, MN_EBPF_FLOWS, "multinic eBPF flow table copy");

/* Entries read per batch syscall (more than a hash bucket ever holds). */
#define FLOWS_BATCH 1024

static struct {
	int flows, nic_load, sweep_arm;
} fds = { -1, -1, -1 };

void mn_ebpf_flows_set(int flows_fd, int nic_load_fd, int sweep_arm_fd)
{
	fds.flows = flows_fd;
	fds.nic_load = nic_load_fd;
	fds.sweep_arm = sweep_arm_fd;
}

/* bpf_ktime_get_ns()'s clock (CLOCK_MONOTONIC), in ns. */
static uint64_t monotonic_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

static uint64_t ms_since(uint64_t now_ns, uint64_t then_ns)
{
	return now_ns > then_ns ? (now_ns - then_ns) / 1000000 : 0;
}

/*
 * Run mn_sweep_arm once (BPF_PROG_TEST_RUN on a dummy frame: a tc
 * program needs one).  It initialises the timer in the pinned map
 * mn_sweep if nobody did, points it at this multinicd's program and
 * starts its countdown; arming a running timer is harmless.
 */
void mn_ebpf_flows_sweep_start(void)
{
	uint8_t frame[64] = {};
	LIBBPF_OPTS(bpf_test_run_opts, opts, .data_in = frame, .data_size_in = sizeof(frame),
		    .repeat = 1);
	int ret;

	if (fds.sweep_arm < 0)
		return;
	frr_with_privs (&multinic_privs)
		ret = bpf_prog_test_run_opts(fds.sweep_arm, &opts);
	if (ret < 0 || opts.retval != 0)
		flog_err(EC_MULTINIC_BPF,
			 "eBPF datapath: cannot start least-loaded's sweep (%s, program returned %u): flows are still booked and retired by their packets, but idle ones stay booked and rates are not measured",
			 safe_strerror(errno), opts.retval);
}

bool mn_ebpf_flows_nic_load(uint32_t slot, struct mn_dp_nic_load *load)
{
	struct mn_nic_load v;
	int64_t units;
	bool ok = false;

	memset(load, 0, sizeof(*load));
	if (fds.nic_load < 0 || slot >= MN_MAX_NICS)
		return false;
	frr_with_privs (&multinic_privs)
		ok = bpf_map_lookup_elem(fds.nic_load, &slot, &v) == 0;
	if (!ok)
		return false;
	units = (int64_t)v.units + v.units_delta;
	load->valid = true;
	load->load = units > 0 ? (double)units / MN_UNITS_HEAVY : 0;
	load->flows = v.flows;
	load->heavy = v.heavy;
	load->rate = v.rate;
	load->swept_ms = v.swept_ns ? (int64_t)ms_since(monotonic_ns(), v.swept_ns) : -1;
	return true;
}

/* A flow of the table, as show commands see it. */
struct flow_row {
	uint32_t slot;
	struct mn_dp_flow f;
};

static void flow_addr(struct ipaddr *ip, uint32_t family, const uint8_t *addr)
{
	memset(ip, 0, sizeof(*ip));
	if (family == MN_AF_INET) {
		ip->ipa_type = IPADDR_V4;
		memcpy(&ip->ipaddr_v4, addr, 4);
	} else {
		ip->ipa_type = IPADDR_V6;
		memcpy(&ip->ipaddr_v6, addr, 16);
	}
}

static void flow_convert(const struct mn_flow_key *k, const struct mn_flow *v, uint64_t now,
			 struct flow_row *row)
{
	struct mn_dp_flow *f = &row->f;
	const struct mn_ebpf_slot *s = mn_ebpf_slot(v->slot);

	memset(row, 0, sizeof(*row));
	row->slot = v->slot;
	flow_addr(&f->src, k->family, k->saddr);
	flow_addr(&f->dst, k->family, k->daddr);
	f->sport = ntohs(k->sport);
	f->dport = ntohs(k->dport);
	f->proto = k->proto;
	if (s && s->ifindex)
		strlcpy(f->nic, s->name, sizeof(f->nic));
	f->rate = v->rate;
	f->bytes = v->bytes;
	f->age_ms = ms_since(now, v->first_ns);
	f->idle_ms = ms_since(now, v->last_ns);
	f->moves = v->moves;
	f->moved_ms = v->moved_ns ? (int64_t)ms_since(now, v->moved_ns) : -1;
	f->heavy = v->state & MN_FLOW_S_HEAVY;
	f->rated = v->state & MN_FLOW_S_RATED;
}

static int row_cmp(const void *a, const void *b)
{
	const struct flow_row *x = a, *y = b;

	if (x->slot != y->slot)
		return x->slot < y->slot ? -1 : 1;
	if (x->f.rate != y->f.rate)
		return x->f.rate > y->f.rate ? -1 : 1;
	if (x->f.bytes != y->f.bytes)
		return x->f.bytes > y->f.bytes ? -1 : 1;
	return 0;
}

struct flow_rows {
	struct flow_row *rows;
	int n, cap;
};

/*
 * One batch of the table into rows; false at its end (or on an error,
 * which ends the listing: a show command shows what it got).
 */
static bool flows_batch(uint32_t *token, bool first, struct mn_flow_key *keys, struct mn_flow *vals,
			struct flow_rows *out)
{
	uint32_t count = FLOWS_BATCH, in = *token, i;
	uint64_t now = monotonic_ns();
	int ret;

	/* a hash map's batch token is a bucket index */
	frr_with_privs (&multinic_privs)
		ret = bpf_map_lookup_batch(fds.flows, first ? NULL : &in, token, keys, vals, &count,
					   NULL);
	if (ret < 0 && errno != ENOENT)
		return false;
	for (i = 0; i < count; i++) {
		if (vals[i].state & MN_FLOW_S_CLOSED)
			continue;
		if (out->n == out->cap) {
			out->cap = out->cap ? out->cap * 2 : FLOWS_BATCH;
			out->rows = XREALLOC(MTYPE_MN_EBPF_FLOWS, out->rows,
					     out->cap * sizeof(*out->rows));
		}
		flow_convert(&keys[i], &vals[i], now, &out->rows[out->n++]);
	}
	return ret == 0;
}

int mn_ebpf_flows_walk(mn_dp_flow_fn fn, void *arg)
{
	struct flow_rows out = {};
	struct mn_flow_key *keys;
	struct mn_flow *vals;
	uint32_t token = 0;
	bool first = true;
	int i;

	if (fds.flows < 0)
		return -1;
	keys = XCALLOC(MTYPE_MN_EBPF_FLOWS, FLOWS_BATCH * sizeof(*keys));
	vals = XCALLOC(MTYPE_MN_EBPF_FLOWS, FLOWS_BATCH * sizeof(*vals));
	while (flows_batch(&token, first, keys, vals, &out))
		first = false;
	XFREE(MTYPE_MN_EBPF_FLOWS, keys);
	XFREE(MTYPE_MN_EBPF_FLOWS, vals);
	if (out.n)
		qsort(out.rows, out.n, sizeof(*out.rows), row_cmp);
	for (i = 0; i < out.n; i++)
		fn(arg, &out.rows[i].f);
	XFREE(MTYPE_MN_EBPF_FLOWS, out.rows);
	return out.n;
}
