// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * Tests for the BPF programs bpf/egress.bpf.c and bpf/ingress.bpf.c
 * (cmocka), through their skeletons and BPF_PROG_TEST_RUN on crafted
 * Ethernet frames.
 *
 * Both objects are loaded the way multinicd loads them: maps pinned by
 * name under one pin root (MN_PIN_MAPS), so that the second object reuses
 * the first one's maps.  The bpffs is one of our own, mounted in a mount
 * namespace of our own (see load_all()): the host's /sys/fs/bpf is never
 * touched.
 *
 * Which NIC the egress program chose is read from its per-NIC counters
 * (mn_nic_stats), the production counters an operator sees: exactly one
 * NIC's tx_packets moves by one and its tx_bytes by the frame's length
 * when a packet is redirected, none when it is passed.  In test-run,
 * bpf_redirect_neigh() and bpf_redirect_peer() only return
 * TC_ACT_REDIRECT, the redirect itself is not carried out, so fake NIC
 * ifindexes serve.  The task's host-side device is the loopback device
 * (ifindex 1): test-run runs the program with skb->dev = loopback.
 *
 * The layout tests run as any user; the program tests need root (BPF
 * and bpffs): otherwise the program exits 77, automake's "skipped".
 */
#define _GNU_SOURCE

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include <errno.h>
#include <sched.h>
#include <time.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <net/if.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/types.h>

#include <linux/if_ether.h>
#include <linux/pkt_cls.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "multinic_maps.h"
#include "multinic_hash.h"
#include "bpf_test_env.h"
#include "egress.skel.h"
#include "ingress.skel.h"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

/* automake: the test was skipped */
#define EXIT_SKIP 77

/* The programs' "not mine" verdict (mn_defs.bpf.h): TCX_NEXT. */
#define MN_ACT_PASS TC_ACT_UNSPEC

/* Test-run runs the program on the loopback device. */
#define TASK_IFINDEX 1
/* Another task (ingress redirects to it; nothing checks it exists). */
#define TASK_B_IFINDEX 4242
/* Fake NIC ifindexes: test-run does not carry out the redirect. */
#define NIC_IFINDEX(slot) (100 + (slot))
#define NNICS 4

#define SEED 0x5eed1234U
#define HOUR_NS (3600ULL * 1000000000ULL)

#ifndef IPPROTO_ICMPV6
#define IPPROTO_ICMPV6 58
#endif

/*
 * Fixture
 */
static struct egress_bpf *egress;
static struct ingress_bpf *ingress;
static const char pin_root[] = MN_PIN_MAPS;
static int ncpus;

/* The Maglev table the tests install (a stand-in: any fixed spread). */
static __u32 maglev[MN_MAGLEV_SIZE];

static int egress_fd(void)
{
	return bpf_program__fd(egress->progs.mn_egress);
}

static int ingress_fd(void)
{
	return bpf_program__fd(ingress->progs.mn_ingress);
}

static int map_fd(struct bpf_map *map)
{
	return bpf_map__fd(map);
}

/*
 * Packets
 */
struct pkt {
	uint8_t data[2048];
	size_t len;
};

/*
 * The frames' destination: the loopback device's MAC (all zero), the
 * device test-run runs on, so that the kernel classifies them as
 * PACKET_HOST, as a NIC's own unicast traffic.
 */
static const uint8_t mac_host[ETH_ALEN] = { 0 };
static const uint8_t mac_other[ETH_ALEN] = { 0x02, 0, 0, 0, 0, 0x09 };
static const uint8_t mac_task[ETH_ALEN] = { 0x02, 0, 0, 0, 0, 0x02 };

static void put_be16(uint8_t *p, uint16_t v)
{
	p[0] = v >> 8;
	p[1] = v & 0xff;
}

static void put_eth(struct pkt *p, const uint8_t *dst_mac, uint16_t proto)
{
	memcpy(p->data, dst_mac, ETH_ALEN);
	memcpy(p->data + ETH_ALEN, mac_task, ETH_ALEN);
	put_be16(p->data + 2 * ETH_ALEN, proto);
	p->len = ETH_HLEN;
}

static void pton(int family, const char *str, void *addr)
{
	if (inet_pton(family, str, addr) != 1)
		fail_msg("bad address %s", str);
}

/* An L4 header: TCP (20 bytes), UDP (8), ICMP/ICMPv6 echo (8, id=sport). */
static size_t put_l4(uint8_t *l4, uint8_t proto, uint16_t sport,
		     uint16_t dport)
{
	switch (proto) {
	case IPPROTO_TCP:
		memset(l4, 0, 20);
		put_be16(l4, sport);
		put_be16(l4 + 2, dport);
		l4[12] = 5 << 4; /* data offset */
		l4[13] = 0x02;	 /* SYN */
		return 20;
	case IPPROTO_UDP:
		memset(l4, 0, 8);
		put_be16(l4, sport);
		put_be16(l4 + 2, dport);
		put_be16(l4 + 4, 8 + 16);
		return 8;
	default: /* ICMP and ICMPv6 echo request */
		memset(l4, 0, 8);
		l4[0] = proto == IPPROTO_ICMPV6 ? 128 : 8;
		put_be16(l4 + 4, sport);
		put_be16(l4 + 6, dport);
		return 8;
	}
}

/* 16 bytes of payload that would look like other ports if parsed. */
static size_t put_payload(uint8_t *p)
{
	memset(p, 0xab, 16);
	return 16;
}

/*
 * IPv4; frag is the host-order frag_off field (IP_MF 0x2000 | offset in
 * 8-byte units).  A non-first fragment carries payload, no L4 header.
 */
static void pkt_v4_frag(struct pkt *p, const char *src, const char *dst,
			uint8_t proto, uint16_t sport, uint16_t dport,
			uint16_t frag)
{
	uint8_t *ip;
	size_t l4len = 0;

	put_eth(p, mac_host, ETH_P_IP);
	ip = p->data + p->len;
	memset(ip, 0, 20);
	ip[0] = 0x45;
	put_be16(ip + 4, 0x1234); /* id */
	put_be16(ip + 6, frag);
	ip[8] = 64;
	ip[9] = proto;
	pton(AF_INET, src, ip + 12);
	pton(AF_INET, dst, ip + 16);
	if ((frag & 0x1fff) == 0)
		l4len = put_l4(ip + 20, proto, sport, dport);
	l4len += put_payload(ip + 20 + l4len);
	put_be16(ip + 2, 20 + l4len);
	p->len += 20 + l4len;
}

static void pkt_v4(struct pkt *p, const char *src, const char *dst,
		   uint8_t proto, uint16_t sport, uint16_t dport)
{
	pkt_v4_frag(p, src, dst, proto, sport, dport, 0);
}

/*
 * IPv6 with extension headers exts[] (NEXTHDR values: 0 hop-by-hop, 43
 * routing, 60 destination options, 44 fragment, the latter with frag =
 * offset << 3 | M).  A non-first fragment carries payload, no L4 header.
 */
static void pkt_v6_ext(struct pkt *p, const char *src, const char *dst,
		       const uint8_t *exts, int n_ext, uint8_t proto,
		       uint16_t sport, uint16_t dport, uint16_t frag)
{
	uint8_t *ip, *h;
	size_t off = 40;
	bool l4 = true;
	int i;

	put_eth(p, mac_host, ETH_P_IPV6);
	ip = p->data + p->len;
	memset(ip, 0, 40);
	ip[0] = 0x60;
	ip[6] = n_ext ? exts[0] : proto;
	ip[7] = 64;
	pton(AF_INET6, src, ip + 8);
	pton(AF_INET6, dst, ip + 24);

	for (i = 0; i < n_ext; i++) {
		size_t len = exts[i] == 43 ? 24 : 8;

		h = ip + off;
		memset(h, 0, len);
		h[0] = i + 1 < n_ext ? exts[i + 1] : proto;
		switch (exts[i]) {
		case 44: /* fragment */
			put_be16(h + 2, frag);
			put_be16(h + 6, 0x4321); /* id (low half) */
			if (frag & 0xfff8)
				l4 = false;
			break;
		case 43: /* routing: type 4 (SRH-like), no segments left */
			h[1] = len / 8 - 1;
			h[2] = 4;
			break;
		default: /* options: one PadN filling the header */
			h[1] = 0;
			h[2] = 1;
			h[3] = 4;
			break;
		}
		off += len;
	}
	if (l4)
		off += put_l4(ip + off, proto, sport, dport);
	off += put_payload(ip + off);
	put_be16(ip + 4, off - 40);
	p->len += off;
}

static void pkt_v6(struct pkt *p, const char *src, const char *dst,
		   uint8_t proto, uint16_t sport, uint16_t dport)
{
	pkt_v6_ext(p, src, dst, NULL, 0, proto, sport, dport, 0);
}

/*
 * Map helpers
 */
static void set_nic(__u32 slot, __u32 ifindex, __u32 flags, __u32 weight,
		    const char *gw4, const char *gw6)
{
	struct mn_bpf_nic nic = {
		.ifindex = ifindex, .flags = flags, .weight = weight
	};

	if (gw4) {
		pton(AF_INET, gw4, &nic.gw4);
		nic.flags |= MN_NIC_F_GW4;
	}
	if (gw6) {
		pton(AF_INET6, gw6, nic.gw6);
		nic.flags |= MN_NIC_F_GW6;
	}
	assert_int_equal(bpf_map_update_elem(map_fd(egress->maps.mn_nics),
					     &slot, &nic, BPF_ANY), 0);
}

static struct mn_bpf_nic get_nic(__u32 slot)
{
	struct mn_bpf_nic nic;

	assert_int_equal(bpf_map_lookup_elem(map_fd(egress->maps.mn_nics),
					     &slot, &nic), 0);
	return nic;
}

/* NNICS usable NICs with both gateways, equal weights. */
static void set_nics_up(void)
{
	char gw4[32], gw6[64];
	__u32 slot;

	for (slot = 0; slot < NNICS; slot++) {
		snprintf(gw4, sizeof(gw4), "192.0.2.%u", slot + 1);
		snprintf(gw6, sizeof(gw6), "fe80::%u", slot + 1);
		set_nic(slot, NIC_IFINDEX(slot), MN_NIC_F_UP, 100, gw4, gw6);
	}
}

static void set_nic_up(__u32 slot, bool up)
{
	struct mn_bpf_nic nic = get_nic(slot);

	if (up)
		nic.flags |= MN_NIC_F_UP;
	else
		nic.flags &= ~MN_NIC_F_UP;
	assert_int_equal(bpf_map_update_elem(map_fd(egress->maps.mn_nics),
					     &slot, &nic, BPF_ANY), 0);
}

static struct mn_addr_key addr_key(const char *str)
{
	struct mn_addr_key key = { 0 };

	if (strchr(str, ':')) {
		key.family = MN_AF_INET6;
		pton(AF_INET6, str, key.addr);
	} else {
		key.family = MN_AF_INET;
		pton(AF_INET, str, key.addr);
	}
	return key;
}

static void add_addr(const char *str, __u32 task_ifindex, __u32 pin_slot)
{
	struct mn_addr_key key = addr_key(str);
	struct mn_addr val = { .task_ifindex = task_ifindex,
			       .pin_slot = pin_slot };

	assert_int_equal(bpf_map_update_elem(map_fd(egress->maps.mn_addrs),
					     &key, &val, BPF_ANY), 0);
}

/* Least-loaded's knobs: 0 in the map means the default. */
static void set_config_ll(__u32 placement, __u32 seed, __u32 flowlet_us,
			  __u32 interval_us)
{
	struct mn_config cfg = { .placement = placement,
				 .hash_seed = seed,
				 .flowlet_timeout_us = flowlet_us,
				 .rebalance_interval_us = interval_us };
	__u32 zero = 0;

	assert_int_equal(bpf_map_update_elem(map_fd(egress->maps.mn_config),
					     &zero, &cfg, BPF_ANY), 0);
}

static void set_config(__u32 placement, __u32 seed)
{
	set_config_ll(placement, seed, 0, 0);
}

static __u64 now_ns(void)
{
	struct timespec ts;

	/* bpf_ktime_get_ns() is CLOCK_MONOTONIC */
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (__u64)ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

/* A NIC's load as a sweep would have left it: units, rate (bytes/s). */
static void set_load(__u32 slot, __u64 units, __u64 rate)
{
	struct mn_nic_load load = { .units = units, .rate = rate };

	assert_int_equal(bpf_map_update_elem(map_fd(egress->maps.mn_nic_load),
					     &slot, &load, BPF_ANY), 0);
}

static struct mn_nic_load get_load(__u32 slot)
{
	struct mn_nic_load load;

	assert_int_equal(bpf_map_lookup_elem(map_fd(egress->maps.mn_nic_load),
					     &slot, &load), 0);
	return load;
}

/* What placement compares: the last sweep's units plus what changed. */
static __s64 load_units(__u32 slot)
{
	struct mn_nic_load load = get_load(slot);

	return (__s64)load.units + load.units_delta;
}

/* Fill the Maglev table with a fixed spread over nslots slots. */
static void set_maglev(__u32 nslots)
{
	__u32 i, count = MN_MAGLEV_SIZE, keys[MN_MAGLEV_SIZE];

	for (i = 0; i < MN_MAGLEV_SIZE; i++) {
		keys[i] = i;
		maglev[i] = ((i * 2654435761U) >> 16) % nslots;
	}
	assert_int_equal(bpf_map_update_batch(map_fd(egress->maps.mn_maglev),
					      keys, maglev, &count, NULL),
			 0);
	assert_int_equal(count, MN_MAGLEV_SIZE);
}

/* Delete every key of a hash map. */
static void clear_hash(struct bpf_map *map, size_t key_size)
{
	uint8_t key[64];
	int fd = map_fd(map);

	assert_true(key_size <= sizeof(key));
	while (bpf_map_get_next_key(fd, NULL, key) == 0)
		assert_int_equal(bpf_map_delete_elem(fd, key), 0);
}

/* Zero every element of an array map (per-CPU ones on every CPU). */
static void clear_array(struct bpf_map *map)
{
	size_t size = bpf_map__value_size(map);
	__u32 i, n = bpf_map__max_entries(map);
	void *zero;

	if (bpf_map__type(map) == BPF_MAP_TYPE_PERCPU_ARRAY)
		size = ((size + 7) & ~(size_t)7) * ncpus;
	zero = calloc(1, size);
	assert_non_null(zero);
	for (i = 0; i < n; i++)
		assert_int_equal(bpf_map_update_elem(map_fd(map), &i, zero,
						     BPF_ANY), 0);
	free(zero);
}

static struct mn_stats sum_stats(const struct mn_stats *percpu)
{
	struct mn_stats s = { 0 };
	int c;

	for (c = 0; c < ncpus; c++) {
		s.tx_packets += percpu[c].tx_packets;
		s.tx_bytes += percpu[c].tx_bytes;
		s.rx_packets += percpu[c].rx_packets;
		s.rx_bytes += percpu[c].rx_bytes;
		s.fallback += percpu[c].fallback;
		s.local += percpu[c].local;
		s.redirect_errors += percpu[c].redirect_errors;
		s.flows_placed += percpu[c].flows_placed;
		s.moved_in += percpu[c].moved_in;
		s.moved_out += percpu[c].moved_out;
		s.spoofed += percpu[c].spoofed;
		s.tagged += percpu[c].tagged;
		s.ttl_expired += percpu[c].ttl_expired;
		s.too_big += percpu[c].too_big;
	}
	return s;
}

static struct mn_stats nic_stats(__u32 slot)
{
	struct mn_stats percpu[ncpus], s;

	assert_int_equal(bpf_map_lookup_elem(map_fd(egress->maps.mn_nic_stats),
					     &slot, percpu), 0);
	s = sum_stats(percpu);
	return s;
}

/* All zero when the task has no entry yet. */
static struct mn_stats task_stats(__u32 ifindex)
{
	struct mn_stats percpu[ncpus], zero = { 0 };

	if (bpf_map_lookup_elem(map_fd(egress->maps.mn_task_stats), &ifindex,
				percpu) != 0)
		return zero;
	return sum_stats(percpu);
}

static void assert_stats_zero(struct mn_stats s)
{
	assert_int_equal(s.tx_packets, 0);
	assert_int_equal(s.tx_bytes, 0);
	assert_int_equal(s.rx_packets, 0);
	assert_int_equal(s.rx_bytes, 0);
	assert_int_equal(s.fallback, 0);
	assert_int_equal(s.local, 0);
	assert_int_equal(s.redirect_errors, 0);
	assert_int_equal(s.spoofed, 0);
	assert_int_equal(s.tagged, 0);
	assert_int_equal(s.ttl_expired, 0);
	assert_int_equal(s.too_big, 0);
}

/* What multinicd does when it attaches the task's program. */
static void create_task_stats(__u32 ifindex)
{
	struct mn_stats percpu[ncpus];

	memset(percpu, 0, sizeof(percpu));
	assert_int_equal(bpf_map_update_elem(map_fd(egress->maps.mn_task_stats),
					     &ifindex, percpu, BPF_NOEXIST),
			 0);
}

static bool task_stats_exist(__u32 ifindex)
{
	struct mn_stats percpu[ncpus];

	return bpf_map_lookup_elem(map_fd(egress->maps.mn_task_stats),
				   &ifindex, percpu) == 0;
}

/*
 * Running the programs
 */
/* Run prog_fd on p; the packet as the program left it into out. */
static int run_prog_out(int prog_fd, const struct pkt *p, struct pkt *out)
{
	LIBBPF_OPTS(bpf_test_run_opts, opts, .data_in = p->data,
		    .data_size_in = p->len, .data_out = out->data,
		    .data_size_out = sizeof(out->data), .repeat = 1);

	assert_int_equal(bpf_prog_test_run_opts(prog_fd, &opts), 0);
	out->len = opts.data_size_out;
	return (int)opts.retval;
}

static int run_prog(int prog_fd, const struct pkt *p)
{
	LIBBPF_OPTS(bpf_test_run_opts, opts, .data_in = p->data,
		    .data_size_in = p->len, .repeat = 1);

	assert_int_equal(bpf_prog_test_run_opts(prog_fd, &opts), 0);
	return (int)opts.retval;
}

/*
 * Run the egress program on p and return the NIC slot it chose, or -1 if
 * it passed the packet.  Checks that the verdict and the per-NIC counters
 * agree: one NIC's tx_packets +1 and tx_bytes +len on a redirect, no
 * NIC's tx counters on a pass.
 */
static int egress_slot(const struct pkt *p)
{
	struct mn_stats before[MN_MAX_NICS], after;
	int slot = -1, ret;
	__u32 i;

	for (i = 0; i < MN_MAX_NICS; i++)
		before[i] = nic_stats(i);
	ret = run_prog(egress_fd(), p);
	for (i = 0; i < MN_MAX_NICS; i++) {
		after = nic_stats(i);
		if (after.tx_packets == before[i].tx_packets) {
			assert_int_equal(after.tx_bytes, before[i].tx_bytes);
			continue;
		}
		if (slot != -1)
			fail_msg("NICs %d and %u both counted the packet", slot,
				 i);
		assert_int_equal(after.tx_packets, before[i].tx_packets + 1);
		assert_int_equal(after.tx_bytes, before[i].tx_bytes + p->len);
		slot = i;
	}
	if (slot >= 0)
		assert_int_equal(ret, TC_ACT_REDIRECT);
	else
		assert_int_equal(ret, MN_ACT_PASS);
	return slot;
}

static struct mn_flow_key flow_key(const char *src, const char *dst,
				   uint8_t proto, uint16_t sport,
				   uint16_t dport)
{
	struct mn_addr_key s = addr_key(src), d = addr_key(dst);
	struct mn_flow_key key = { 0 };

	key.family = s.family;
	memcpy(key.saddr, s.addr, 16);
	memcpy(key.daddr, d.addr, 16);
	key.sport = htons(sport);
	key.dport = htons(dport);
	key.proto = proto;
	return key;
}

/* The slot the Maglev table gives the flow, computed in userspace. */
static int predicted_slot(const char *src, const char *dst, uint8_t proto,
			  uint16_t sport, uint16_t dport)
{
	struct mn_flow_key key = flow_key(src, dst, proto, sport, dport);

	return maglev[mn_flow_hash(&key, SEED) % MN_MAGLEV_SIZE];
}

/* A source port for which the flow's ports change the Maglev slot. */
static uint16_t port_that_matters(const char *src, const char *dst,
				  uint8_t proto)
{
	uint16_t sport;

	for (sport = 40000; sport < 40100; sport++)
		if (predicted_slot(src, dst, proto, sport, 443) !=
		    predicted_slot(src, dst, proto, 0, 0))
			return sport;
	fail_msg("no port moves the flow: is the table degenerate?");
	return 0;
}

/*
 * Per-test setup: empty maps, NNICS NICs up, the task's VIPs, hash
 * placement over the test Maglev table.
 */
#define VIP4 "10.1.0.1"
#define VIP6 "2001:db8:1::1"
#define REMOTE4 "198.51.100.7"
#define REMOTE6 "2001:db8:99::7"

static void reset_maps(void)
{
	clear_array(egress->maps.mn_nics);
	clear_array(egress->maps.mn_nic_load);
	clear_array(egress->maps.mn_config);
	clear_array(egress->maps.mn_nic_stats);
	clear_hash(egress->maps.mn_addrs, sizeof(struct mn_addr_key));
	clear_hash(egress->maps.mn_flows, sizeof(struct mn_flow_key));
	clear_hash(egress->maps.mn_task_stats, sizeof(__u32));
}

static int setup(void **state)
{
	(void)state;
	reset_maps();
	set_nics_up();
	set_maglev(NNICS);
	set_config(MN_PLACE_HASH, SEED);
	add_addr(VIP4, TASK_IFINDEX, MN_NIC_NONE);
	add_addr(VIP6, TASK_IFINDEX, MN_NIC_NONE);
	create_task_stats(TASK_IFINDEX);
	create_task_stats(TASK_B_IFINDEX);
	return 0;
}

/*
 * Layout tests (no privileges: the skeletons are only opened)
 */
static void check_map(struct bpf_object *obj, const char *name,
		      enum bpf_map_type type, size_t key, size_t value,
		      __u32 max_entries)
{
	struct bpf_map *map = bpf_object__find_map_by_name(obj, name);

	if (!map)
		fail_msg("%s has no map %s", bpf_object__name(obj), name);
	assert_int_equal(bpf_map__type(map), type);
	assert_int_equal(bpf_map__key_size(map), key);
	assert_int_equal(bpf_map__value_size(map), value);
	assert_int_equal(bpf_map__max_entries(map), max_entries);
	/* pinned by name: both objects share them, restarts adopt them */
	assert_non_null(bpf_map__pin_path(map));
}

/* The shared maps, declared alike in both objects. */
static void check_shared_maps(struct bpf_object *obj)
{
	check_map(obj, "mn_nics", BPF_MAP_TYPE_ARRAY, 4, sizeof(struct mn_bpf_nic),
		  MN_MAX_NICS);
	check_map(obj, "mn_addrs", BPF_MAP_TYPE_HASH,
		  sizeof(struct mn_addr_key), sizeof(struct mn_addr),
		  MN_MAX_ADDRS);
	check_map(obj, "mn_nic_stats", BPF_MAP_TYPE_PERCPU_ARRAY, 4,
		  sizeof(struct mn_stats), MN_MAX_NICS);
	check_map(obj, "mn_task_stats", BPF_MAP_TYPE_PERCPU_HASH, 4,
		  sizeof(struct mn_stats), MN_MAX_TASKS);
	/* ingress follows least-loaded's TCP flows too */
	check_map(obj, "mn_config", BPF_MAP_TYPE_ARRAY, 4,
		  sizeof(struct mn_config), 1);
	check_map(obj, "mn_flows", BPF_MAP_TYPE_LRU_HASH,
		  sizeof(struct mn_flow_key), sizeof(struct mn_flow),
		  MN_MAX_FLOWS);
	check_map(obj, "mn_nic_load", BPF_MAP_TYPE_ARRAY, 4,
		  sizeof(struct mn_nic_load), MN_MAX_NICS);
}

static void skeleton_layout(void **state)
{
	struct egress_bpf *e = egress_bpf__open();
	struct ingress_bpf *i = ingress_bpf__open();

	(void)state;
	assert_non_null(e);
	assert_non_null(i);

	assert_string_equal(bpf_program__name(e->progs.mn_egress), "mn_egress");
	assert_int_equal(bpf_program__type(e->progs.mn_egress),
			 BPF_PROG_TYPE_SCHED_CLS);
	assert_string_equal(bpf_program__name(i->progs.mn_ingress),
			    "mn_ingress");
	assert_int_equal(bpf_program__type(i->progs.mn_ingress),
			 BPF_PROG_TYPE_SCHED_CLS);

	check_shared_maps(e->obj);
	check_shared_maps(i->obj);
	check_map(e->obj, "mn_maglev", BPF_MAP_TYPE_ARRAY, 4, 4,
		  MN_MAGLEV_SIZE);
	assert_non_null(bpf_object__find_map_by_name(e->obj, "mn_sweep"));
	assert_string_equal(bpf_program__name(e->progs.mn_sweep_arm),
			    "mn_sweep_arm");
	assert_string_equal(bpf_program__name(e->progs.mn_sweep_now),
			    "mn_sweep_now");
	/* egress-only maps stay out of the ingress object */
	assert_null(bpf_object__find_map_by_name(i->obj, "mn_maglev"));
	assert_null(bpf_object__find_map_by_name(i->obj, "mn_sweep"));

	egress_bpf__destroy(e);
	ingress_bpf__destroy(i);
}

/* The pin directory carries the layout version (multinic_maps.h). */
static void pin_path_is_versioned(void **state)
{
	(void)state;
	assert_string_equal(MN_PIN_MAPS, "/sys/fs/bpf/multinic/maps-v3");
}

/*
 * Program tests
 */

/* Loaded with one pin root, the objects share maps; names are readable. */
static void maps_shared_by_pinning(void **state)
{
	struct bpf_prog_info pinfo = { 0 };
	struct bpf_map_info a = { 0 }, b = { 0 };
	const char *shared[] = { "mn_nics", "mn_addrs", "mn_nic_stats",
				 "mn_task_stats", "mn_config", "mn_flows",
				 "mn_nic_load" };
	const char *all[] = { "mn_nics", "mn_addrs", "mn_nic_stats",
			      "mn_task_stats", "mn_maglev", "mn_flows",
			      "mn_nic_load", "mn_config", "mn_sweep" };
	char path[256];
	__u32 len;
	size_t k;

	(void)state;
	for (k = 0; k < ARRAY_SIZE(shared); k++) {
		struct bpf_map *me =
			bpf_object__find_map_by_name(egress->obj, shared[k]);
		struct bpf_map *mi =
			bpf_object__find_map_by_name(ingress->obj, shared[k]);

		len = sizeof(a);
		assert_int_equal(bpf_map_get_info_by_fd(map_fd(me), &a, &len),
				 0);
		len = sizeof(b);
		assert_int_equal(bpf_map_get_info_by_fd(map_fd(mi), &b, &len),
				 0);
		assert_int_equal(a.id, b.id);
		assert_string_equal(a.name, shared[k]);
	}
	for (k = 0; k < ARRAY_SIZE(all); k++) {
		struct stat st;

		snprintf(path, sizeof(path), "%s/%s", pin_root, all[k]);
		if (stat(path, &st) != 0)
			fail_msg("%s is not pinned", path);
	}

	len = sizeof(pinfo);
	assert_int_equal(bpf_prog_get_info_by_fd(egress_fd(), &pinfo, &len), 0);
	assert_string_equal(pinfo.name, "mn_egress");
	printf("mn_egress: %u instructions, verifier processed %u\n",
	       pinfo.xlated_prog_len / 8, pinfo.verified_insns);
	memset(&pinfo, 0, sizeof(pinfo));
	len = sizeof(pinfo);
	assert_int_equal(bpf_prog_get_info_by_fd(ingress_fd(), &pinfo, &len),
			 0);
	assert_string_equal(pinfo.name, "mn_ingress");
	printf("mn_ingress: %u instructions, verifier processed %u\n",
	       pinfo.xlated_prog_len / 8, pinfo.verified_insns);
}

/*
 * Placement hash: TCP, UDP, ICMP over IPv4 and IPv6 go to the NIC that
 * the Maglev table gives their hash, as userspace computes it; the
 * counters of the task and of that NIC count the packet and its bytes.
 */
static void egress_hash_all_protocols(void **state)
{
	static const uint8_t protos[] = { IPPROTO_TCP, IPPROTO_UDP, 0 };
	struct mn_stats t, n;
	unsigned int packets = 0, bytes = 0;
	struct pkt p;
	size_t k;
	int slot;

	(void)state;
	for (k = 0; k < ARRAY_SIZE(protos); k++) {
		uint8_t proto4 = protos[k] ? protos[k] : IPPROTO_ICMP;
		uint8_t proto6 = protos[k] ? protos[k] : IPPROTO_ICMPV6;
		/* ICMP has no ports: only addresses and protocol count */
		uint16_t sport = protos[k] ? 40001 : 0;
		uint16_t dport = protos[k] ? 443 : 0;

		pkt_v4(&p, VIP4, REMOTE4, proto4, 40001, 443);
		slot = egress_slot(&p);
		assert_int_equal(slot, predicted_slot(VIP4, REMOTE4, proto4,
						      sport, dport));
		packets++;
		bytes += p.len;
		n = nic_stats(slot);
		assert_true(n.tx_packets >= 1);

		pkt_v6(&p, VIP6, REMOTE6, proto6, 40001, 443);
		slot = egress_slot(&p);
		assert_int_equal(slot, predicted_slot(VIP6, REMOTE6, proto6,
						      sport, dport));
		packets++;
		bytes += p.len;
	}
	t = task_stats(TASK_IFINDEX);
	assert_int_equal(t.tx_packets, packets);
	assert_int_equal(t.tx_bytes, bytes);
	assert_int_equal(t.fallback, 0);
	assert_int_equal(t.local, 0);
	assert_int_equal(t.rx_packets, 0);
}

/* ICMP echo ids and sequence numbers do not move a flow. */
static void egress_icmp_addresses_only(void **state)
{
	struct pkt p;
	int first, slot;
	uint16_t id;

	(void)state;
	pkt_v4(&p, VIP4, REMOTE4, IPPROTO_ICMP, 1, 1);
	first = egress_slot(&p);
	for (id = 2; id < 40; id++) {
		pkt_v4(&p, VIP4, REMOTE4, IPPROTO_ICMP, id, id * 7);
		assert_int_equal(egress_slot(&p), first);
	}
	pkt_v6(&p, VIP6, REMOTE6, IPPROTO_ICMPV6, 1, 1);
	first = egress_slot(&p);
	for (id = 2; id < 40; id++) {
		pkt_v6(&p, VIP6, REMOTE6, IPPROTO_ICMPV6, id, id * 7);
		slot = egress_slot(&p);
		assert_int_equal(slot, first);
	}
}

/* One flow always takes one NIC; many flows spread over the NICs. */
static void egress_hash_sticky_and_spread(void **state)
{
	bool used[MN_MAX_NICS] = { false };
	int first, n_used = 0, i, slot;
	struct pkt p;

	(void)state;
	pkt_v4(&p, VIP4, REMOTE4, IPPROTO_TCP, 40001, 443);
	first = egress_slot(&p);
	for (i = 0; i < 20; i++)
		assert_int_equal(egress_slot(&p), first);

	for (i = 0; i < 64; i++) {
		pkt_v4(&p, VIP4, REMOTE4, IPPROTO_TCP, 41000 + i, 443);
		slot = egress_slot(&p);
		assert_in_range(slot, 0, NNICS - 1);
		n_used += !used[slot];
		used[slot] = true;
		pkt_v6(&p, VIP6, REMOTE6, IPPROTO_UDP, 41000 + i, 443);
		slot = egress_slot(&p);
		assert_in_range(slot, 0, NNICS - 1);
		n_used += !used[slot];
		used[slot] = true;
	}
	assert_int_equal(n_used, NNICS);
}

/*
 * A fragmented IPv4 datagram: first fragment (with the UDP header) and a
 * later one (payload only) take the same NIC, the one of addresses and
 * protocol alone -- with a port for which the ports would matter.
 */
static void egress_ipv4_fragments_one_nic(void **state)
{
	uint16_t sport = port_that_matters(VIP4, REMOTE4, IPPROTO_UDP);
	int want = predicted_slot(VIP4, REMOTE4, IPPROTO_UDP, 0, 0);
	struct pkt p;

	(void)state;
	/* unfragmented: the ports count */
	pkt_v4(&p, VIP4, REMOTE4, IPPROTO_UDP, sport, 443);
	assert_int_equal(egress_slot(&p),
			 predicted_slot(VIP4, REMOTE4, IPPROTO_UDP, sport,
					443));
	/* first fragment: MF, offset 0 */
	pkt_v4_frag(&p, VIP4, REMOTE4, IPPROTO_UDP, sport, 443, 0x2000);
	assert_int_equal(egress_slot(&p), want);
	/* a middle fragment: MF, offset 185 (1480 bytes) */
	pkt_v4_frag(&p, VIP4, REMOTE4, IPPROTO_UDP, sport, 443, 0x2000 | 185);
	assert_int_equal(egress_slot(&p), want);
	/* the last fragment: offset 370, no MF */
	pkt_v4_frag(&p, VIP4, REMOTE4, IPPROTO_UDP, sport, 443, 370);
	assert_int_equal(egress_slot(&p), want);
}

/*
 * IPv6 extension headers are skipped to the ports (hop-by-hop, routing,
 * destination options); all fragments of a datagram take one NIC.
 */
static void egress_ipv6_extension_headers(void **state)
{
	static const uint8_t chain[] = { 0, 43, 60 };
	static const uint8_t frag[] = { 0, 44 };
	uint16_t sport = port_that_matters(VIP6, REMOTE6, IPPROTO_TCP);
	int want;
	struct pkt p;

	(void)state;
	pkt_v6_ext(&p, VIP6, REMOTE6, chain, ARRAY_SIZE(chain), IPPROTO_TCP,
		   sport, 443, 0);
	assert_int_equal(egress_slot(&p),
			 predicted_slot(VIP6, REMOTE6, IPPROTO_TCP, sport,
					443));

	sport = port_that_matters(VIP6, REMOTE6, IPPROTO_UDP);
	want = predicted_slot(VIP6, REMOTE6, IPPROTO_UDP, 0, 0);
	/* first fragment (offset 0, M) carries the UDP header */
	pkt_v6_ext(&p, VIP6, REMOTE6, frag, ARRAY_SIZE(frag), IPPROTO_UDP,
		   sport, 443, 0x0001);
	assert_int_equal(egress_slot(&p), want);
	/* the last fragment (offset 1232 bytes = 154 units) has none */
	pkt_v6_ext(&p, VIP6, REMOTE6, frag, ARRAY_SIZE(frag), IPPROTO_UDP,
		   sport, 443, 154 << 3);
	assert_int_equal(egress_slot(&p), want);
}

/*
 * A per-NIC task address always leaves through its NIC, whatever the
 * hash; when that NIC is down its packets fall back to the kernel,
 * counted for the task and the NIC.
 */
static void egress_per_nic_source_pinning(void **state)
{
	struct mn_stats t, n;
	struct pkt p;
	int i;

	(void)state;
	add_addr("10.1.2.1", TASK_IFINDEX, 2);
	add_addr("2001:db8:1:2::1", TASK_IFINDEX, 2);
	for (i = 0; i < 32; i++) {
		pkt_v4(&p, "10.1.2.1", REMOTE4, IPPROTO_TCP, 42000 + i, 443);
		assert_int_equal(egress_slot(&p), 2);
		pkt_v6(&p, "2001:db8:1:2::1", REMOTE6, IPPROTO_TCP, 42000 + i,
		       443);
		assert_int_equal(egress_slot(&p), 2);
	}
	assert_int_equal(nic_stats(2).tx_packets, 64);

	set_nic_up(2, false);
	pkt_v4(&p, "10.1.2.1", REMOTE4, IPPROTO_TCP, 42000, 443);
	assert_int_equal(egress_slot(&p), -1);
	pkt_v6(&p, "2001:db8:1:2::1", REMOTE6, IPPROTO_TCP, 42000, 443);
	assert_int_equal(egress_slot(&p), -1);
	t = task_stats(TASK_IFINDEX);
	n = nic_stats(2);
	assert_int_equal(t.tx_packets, 64);
	assert_int_equal(t.fallback, 2);
	assert_int_equal(n.fallback, 2);
}

/*
 * Placement hash with an unusable NIC: down, no gateway of the family, or
 * an empty table entry: the packet falls back to the kernel, counted.
 * An IPv4 packet may use a NIC's IPv6 gateway (BGP unnumbered).
 */
static void egress_hash_unusable_nic_falls_back(void **state)
{
	struct pkt p4, p6;
	struct mn_stats t;

	(void)state;
	set_maglev(1); /* every flow -> slot 0 */
	pkt_v4(&p4, VIP4, REMOTE4, IPPROTO_TCP, 40001, 443);
	pkt_v6(&p6, VIP6, REMOTE6, IPPROTO_TCP, 40001, 443);
	assert_int_equal(egress_slot(&p4), 0);
	assert_int_equal(egress_slot(&p6), 0);

	set_nic_up(0, false);
	assert_int_equal(egress_slot(&p4), -1);
	assert_int_equal(egress_slot(&p6), -1);
	t = task_stats(TASK_IFINDEX);
	assert_int_equal(t.fallback, 2);
	assert_int_equal(nic_stats(0).fallback, 2);

	/* IPv4 gateway only: IPv6 cannot use the NIC */
	set_nic(0, NIC_IFINDEX(0), MN_NIC_F_UP, 1, "192.0.2.1", NULL);
	assert_int_equal(egress_slot(&p4), 0);
	assert_int_equal(egress_slot(&p6), -1);

	/* IPv6 gateway only: both families use it */
	set_nic(0, NIC_IFINDEX(0), MN_NIC_F_UP, 1, NULL, "fe80::1");
	assert_int_equal(egress_slot(&p4), 0);
	assert_int_equal(egress_slot(&p6), 0);

	/* no ifindex (slot unused) */
	set_nic(0, 0, MN_NIC_F_UP, 1, "192.0.2.1", "fe80::1");
	assert_int_equal(egress_slot(&p4), -1);

	/* a table entry with no NIC */
	set_nics_up();
	{
		__u32 i, count = MN_MAGLEV_SIZE, keys[MN_MAGLEV_SIZE];

		for (i = 0; i < MN_MAGLEV_SIZE; i++) {
			keys[i] = i;
			maglev[i] = MN_NIC_NONE;
		}
		assert_int_equal(bpf_map_update_batch(
					 map_fd(egress->maps.mn_maglev), keys,
					 maglev, &count, NULL),
				 0);
	}
	assert_int_equal(egress_slot(&p4), -1);
	t = task_stats(TASK_IFINDEX);
	assert_int_equal(t.fallback, 2 + 1 + 1 + 1);
}

/*
 * Least-loaded placement (multinic_maps.h, "Least-loaded placement")
 */

/* A TCP segment: flags, sequence and acknowledgement, payload bytes. */
static void pkt_tcp(struct pkt *p, const char *src, const char *dst,
		    uint16_t sport, uint16_t dport, uint8_t flags, uint32_t seq,
		    uint32_t ack, size_t payload)
{
	bool v6 = strchr(src, ':') != NULL;
	size_t ip_len = v6 ? 40 : 20;
	uint8_t *ip, *th;

	assert_true(ETH_HLEN + ip_len + 20 + payload <= sizeof(p->data));
	if (v6)
		pkt_v6(p, src, dst, IPPROTO_TCP, sport, dport);
	else
		pkt_v4(p, src, dst, IPPROTO_TCP, sport, dport);
	ip = p->data + ETH_HLEN;
	th = ip + ip_len;
	th[4] = seq >> 24;
	th[5] = seq >> 16;
	th[6] = seq >> 8;
	th[7] = seq;
	th[8] = ack >> 24;
	th[9] = ack >> 16;
	th[10] = ack >> 8;
	th[11] = ack;
	th[13] = flags;
	memset(th + 20, 0x5a, payload);
	p->len = ETH_HLEN + ip_len + 20 + payload;
	if (v6)
		put_be16(ip + 4, 20 + payload);
	else
		put_be16(ip + 2, ip_len + 20 + payload);
}

#define TCP_FIN 0x01
#define TCP_SYN 0x02
#define TCP_RST 0x04
#define TCP_ACK 0x10
/* a full-size segment's payload (MTU 1500, timestamps) */
#define MSS 1448

/* The TCP flow from a VIP's port to the remote's port 443. */
static struct mn_flow_key task_flow_key(const char *src, uint16_t sport)
{
	return flow_key(src, strchr(src, ':') ? REMOTE6 : REMOTE4, IPPROTO_TCP,
			sport, 443);
}

static struct mn_flow get_flow(const char *src, uint16_t sport)
{
	struct mn_flow_key key = task_flow_key(src, sport);
	struct mn_flow flow;

	if (bpf_map_lookup_elem(map_fd(egress->maps.mn_flows), &key, &flow))
		fail_msg("no flow %s:%u in mn_flows", src, sport);
	return flow;
}

static bool has_flow(const char *src, uint16_t sport)
{
	struct mn_flow_key key = task_flow_key(src, sport);
	struct mn_flow flow;

	return bpf_map_lookup_elem(map_fd(egress->maps.mn_flows), &key,
				   &flow) == 0;
}

/* Rewrite a flow's entry (to make time pass for it). */
static void put_flow(const char *src, uint16_t sport, const struct mn_flow *flow)
{
	struct mn_flow_key key = task_flow_key(src, sport);

	assert_int_equal(bpf_map_update_elem(map_fd(egress->maps.mn_flows),
					     &key, flow, BPF_EXIST), 0);
}

/* The flow has been idle for `ns` (its last packet that long ago). */
static void age_flow(const char *src, uint16_t sport, __u64 ns)
{
	struct mn_flow flow = get_flow(src, sport);

	flow.last_ns -= ns;
	put_flow(src, sport, &flow);
}

static void run_sweep(void)
{
	assert_int_equal(run_prog(bpf_program__fd(egress->progs.mn_sweep_now),
				  &(struct pkt){ .len = 64 }),
			 0);
}

/* Only NIC `slot` usable (the others down), or all of them again. */
static void only_nic(int slot)
{
	__u32 i;

	for (i = 0; i < NNICS; i++)
		set_nic_up(i, slot < 0 || (int)i == slot);
}

/* A flow from the IPv4 VIP: its SYN, then a bulk segment; its NIC. */
static int open_bulk_flow(uint16_t sport, uint32_t *seq)
{
	struct pkt p;
	int slot;

	pkt_tcp(&p, VIP4, REMOTE4, sport, 443, TCP_SYN, 1000, 0, 0);
	slot = egress_slot(&p);
	pkt_tcp(&p, VIP4, REMOTE4, sport, 443, TCP_ACK, 1001, 1, MSS);
	assert_int_equal(egress_slot(&p), slot);
	*seq = 1001 + MSS;
	return slot;
}

/* The peer acknowledges up to ack (through the ingress program). */
static void peer_ack(uint16_t sport, uint32_t ack)
{
	struct pkt p;

	pkt_tcp(&p, REMOTE4, VIP4, 443, sport, TCP_ACK, 1, ack, 0);
	assert_int_equal(run_prog(ingress_fd(), &p), TC_ACT_REDIRECT);
}

/*
 * A new flow goes to the NIC with the fewest booked units per weight and
 * keeps it when that NIC becomes the busiest; it is recorded in mn_flows.
 */
static void egress_least_loaded_picks_least_and_sticks(void **state)
{
	struct mn_flow flow;
	__u64 now = now_ns();
	struct pkt a, b;
	int i;

	(void)state;
	set_config(MN_PLACE_LEAST_LOADED, SEED);
	set_load(0, 3 * MN_UNITS_HEAVY, 0);
	set_load(1, MN_UNITS_LIGHT, 0);
	set_load(2, MN_UNITS_HEAVY, 0);
	set_load(3, 2 * MN_UNITS_HEAVY, 0);

	pkt_v4(&a, VIP4, REMOTE4, IPPROTO_TCP, 40001, 443);
	assert_int_equal(egress_slot(&a), 1);
	flow = get_flow(VIP4, 40001);
	assert_int_equal(flow.slot, 1);
	assert_true(flow.first_ns >= now && flow.last_ns >= flow.first_ns);

	/* NIC 1 becomes the busiest: the flow stays, a new one goes to 2 */
	set_load(1, 10 * MN_UNITS_HEAVY, 0);
	for (i = 0; i < 10; i++)
		assert_int_equal(egress_slot(&a), 1);
	pkt_v6(&b, VIP6, REMOTE6, IPPROTO_UDP, 40002, 443);
	assert_int_equal(egress_slot(&b), 2);
	assert_int_equal(egress_slot(&a), 1);
}

/*
 * Weights divide the load: three heavy flows on weight 4 are less than
 * one on weight 1, and weight 0 takes nothing.  On a tie, the NIC whose
 * flows send fewer bytes per weight wins.
 */
static void egress_least_loaded_weights_and_rates(void **state)
{
	struct pkt p;

	(void)state;
	set_config(MN_PLACE_LEAST_LOADED, SEED);
	set_nic(0, NIC_IFINDEX(0), MN_NIC_F_UP, 4, "192.0.2.1", NULL);
	set_nic(1, NIC_IFINDEX(1), MN_NIC_F_UP, 1, "192.0.2.2", NULL);
	set_nic(2, NIC_IFINDEX(2), MN_NIC_F_UP, 0, "192.0.2.3", NULL);
	set_nic(3, 0, 0, 0, NULL, NULL);
	set_load(0, 3 * MN_UNITS_HEAVY, 0);
	set_load(1, MN_UNITS_HEAVY, 0);
	set_load(2, 0, 0); /* idle, but weight 0: drained */
	pkt_v4(&p, VIP4, REMOTE4, IPPROTO_TCP, 40001, 443);
	assert_int_equal(egress_slot(&p), 0);

	set_nic(1, NIC_IFINDEX(1), MN_NIC_F_UP, 4, "192.0.2.2", NULL);
	set_load(0, 2 * MN_UNITS_HEAVY, 40000000);
	set_load(1, 2 * MN_UNITS_HEAVY, 10000000);
	pkt_v4(&p, VIP4, REMOTE4, IPPROTO_TCP, 40002, 443);
	assert_int_equal(egress_slot(&p), 1);
}

/*
 * A burst of new flows opened together spreads over all NICs by count,
 * whatever bytes the NICs carried before (the flows that sent them have
 * left the books): each first packet books its flow (32 flows on 4 equal
 * NICs: 8 each).
 */
static void egress_least_loaded_burst_spreads(void **state)
{
	enum { NFLOWS = 32 };
	int count[MN_MAX_NICS] = { 0 }, slot, i;
	struct pkt p;

	(void)state;
	set_config(MN_PLACE_LEAST_LOADED, SEED);
	for (i = 0; i < NNICS; i++)
		set_load(i, 0, 12500000 * (i + 1));
	for (i = 0; i < NFLOWS; i++) {
		pkt_tcp(&p, VIP4, REMOTE4, 44000 + i, 443, TCP_SYN, 7, 0, 0);
		slot = egress_slot(&p);
		assert_in_range(slot, 0, NNICS - 1);
		count[slot]++;
	}
	for (i = 0; i < NNICS; i++) {
		assert_int_equal(count[i], NFLOWS / NNICS);
		assert_int_equal(load_units(i), NFLOWS / NNICS * MN_UNITS_LIGHT);
		assert_int_equal(nic_stats(i).flows_placed, NFLOWS / NNICS);
	}
}

/*
 * Accounting: a flow is booked light from its first packet, heavy from
 * its first bulk segment; its FIN takes it off the books, and its later
 * packets (the last ACK) keep its NIC without booking it again; a SYN on
 * the closed 5-tuple is a new connection, booked again.  A RST from the
 * task or from the peer (ingress) retires a flow too.  A sweep recounts
 * what the packets booked and finds the same.
 */
static void egress_least_loaded_accounting(void **state)
{
	struct mn_flow flow;
	struct mn_nic_load load;
	uint32_t seq;
	struct pkt p;
	int slot;

	(void)state;
	set_config(MN_PLACE_LEAST_LOADED, SEED);
	only_nic(2);
	pkt_tcp(&p, VIP4, REMOTE4, 41000, 443, TCP_SYN, 1000, 0, 0);
	assert_int_equal(egress_slot(&p), 2);
	assert_int_equal(load_units(2), MN_UNITS_LIGHT);
	flow = get_flow(VIP4, 41000);
	assert_int_equal(flow.state & MN_FLOW_S_HEAVY, 0);
	assert_int_equal(flow.bytes, 0); /* a SYN carries no payload */

	/* small messages keep it light; a bulk segment makes it heavy */
	pkt_tcp(&p, VIP4, REMOTE4, 41000, 443, TCP_ACK, 1001, 1, 200);
	assert_int_equal(egress_slot(&p), 2);
	assert_int_equal(load_units(2), MN_UNITS_LIGHT);
	pkt_tcp(&p, VIP4, REMOTE4, 41000, 443, TCP_ACK, 1201, 1, MSS);
	assert_int_equal(egress_slot(&p), 2);
	assert_int_equal(load_units(2), MN_UNITS_HEAVY);
	flow = get_flow(VIP4, 41000);
	assert_true(flow.state & MN_FLOW_S_HEAVY);
	assert_int_equal(flow.snd_nxt, 1201 + MSS);

	/* a second flow, light; the sweep counts what the packets booked */
	pkt_tcp(&p, VIP4, REMOTE4, 41001, 443, TCP_SYN, 5000, 0, 0);
	assert_int_equal(egress_slot(&p), 2);
	run_sweep();
	load = get_load(2);
	assert_int_equal(load.units, MN_UNITS_HEAVY + MN_UNITS_LIGHT);
	assert_int_equal(load.units_delta, 0);
	assert_int_equal(load.flows, 2);
	assert_int_equal(load.heavy, 1);
	assert_true(load.swept_ns > 0);

	/* FIN: off the books; its last ACK keeps the NIC, books nothing */
	only_nic(-1);
	pkt_tcp(&p, VIP4, REMOTE4, 41000, 443, TCP_FIN | TCP_ACK, 1201 + MSS,
		1, 0);
	assert_int_equal(egress_slot(&p), 2);
	assert_int_equal(load_units(2), MN_UNITS_LIGHT);
	assert_true(get_flow(VIP4, 41000).state & MN_FLOW_S_CLOSED);
	pkt_tcp(&p, VIP4, REMOTE4, 41000, 443, TCP_ACK, 1202 + MSS, 2, 0);
	assert_int_equal(egress_slot(&p), 2);
	assert_int_equal(load_units(2), MN_UNITS_LIGHT);
	run_sweep();
	assert_int_equal(get_load(2).units, MN_UNITS_LIGHT);
	assert_int_equal(get_load(2).flows, 1);

	/* the 5-tuple opens again: a new connection, placed and booked */
	pkt_tcp(&p, VIP4, REMOTE4, 41000, 443, TCP_SYN, 90000, 0, 0);
	slot = egress_slot(&p);
	assert_int_not_equal(slot, 2); /* NIC 2 is the busiest now */
	assert_int_equal(load_units(slot), MN_UNITS_LIGHT);
	assert_int_equal(get_flow(VIP4, 41000).state & MN_FLOW_S_CLOSED, 0);

	/* RST from the task, RST from the peer: both retire */
	pkt_tcp(&p, VIP4, REMOTE4, 41000, 443, TCP_RST, 90001, 0, 0);
	assert_int_equal(egress_slot(&p), slot);
	assert_int_equal(load_units(slot), 0);
	set_config(MN_PLACE_LEAST_LOADED, SEED);
	pkt_tcp(&p, REMOTE4, VIP4, 443, 41001, TCP_RST | TCP_ACK, 1, 5001, 0);
	assert_int_equal(run_prog(ingress_fd(), &p), TC_ACT_REDIRECT);
	assert_int_equal(load_units(2), 0);
	assert_true(get_flow(VIP4, 41001).state & MN_FLOW_S_CLOSED);
	run_sweep();
	for (seq = 0; seq < NNICS; seq++) {
		assert_int_equal(get_load(seq).units, 0);
		assert_int_equal(get_load(seq).flows, 0);
	}
}

/*
 * Retirement: a sweep deletes flows idle longer than the idle time
 * (they leave their NIC's books), and only those; a packet after that
 * is a new flow, placed afresh.  A sweep also rates flows: one that sends
 * little becomes light, one that sends bulk stays heavy.
 */
static void egress_least_loaded_retires_idle_flows(void **state)
{
	struct mn_flow flow;
	uint32_t seq;
	struct pkt p;

	(void)state;
	set_config(MN_PLACE_LEAST_LOADED, SEED);
	only_nic(1);
	assert_int_equal(open_bulk_flow(42000, &seq), 1);
	assert_int_equal(open_bulk_flow(42001, &seq), 1);
	assert_int_equal(load_units(1), 2 * MN_UNITS_HEAVY);

	/* 42000 idle past the idle time, 42001 just under it */
	age_flow(VIP4, 42000, MN_FLOW_IDLE_MIN_NS + 1000000);
	age_flow(VIP4, 42001, MN_FLOW_IDLE_MIN_NS / 2);
	run_sweep();
	assert_false(has_flow(VIP4, 42000));
	assert_true(has_flow(VIP4, 42001));
	assert_int_equal(get_load(1).units, MN_UNITS_HEAVY);
	assert_int_equal(load_units(1), MN_UNITS_HEAVY);
	assert_int_equal(get_load(1).flows, 1);

	/* rated over half a second: 2 segments are a trickle (light) */
	flow = get_flow(VIP4, 42001);
	flow.first_ns -= 500000000ULL;
	put_flow(VIP4, 42001, &flow);
	run_sweep();
	flow = get_flow(VIP4, 42001);
	assert_true(flow.state & MN_FLOW_S_RATED);
	assert_int_equal(flow.state & MN_FLOW_S_HEAVY, 0);
	assert_true(flow.rate > 0 && flow.rate < MN_HEAVY_MIN_BPS);
	assert_int_equal(get_load(1).units, MN_UNITS_LIGHT);
	assert_int_equal(get_load(1).heavy, 0);

	/* 1 MB over the last 0.1 s: heavy again, rate 10 MB/s */
	flow.bytes = flow.swept_bytes + 1000000;
	flow.swept_ns -= 100000000ULL;
	put_flow(VIP4, 42001, &flow);
	run_sweep();
	flow = get_flow(VIP4, 42001);
	assert_true(flow.state & MN_FLOW_S_HEAVY);
	assert_in_range(flow.rate, 9000000, 11000000);
	assert_int_equal(get_load(1).heavy, 1);
	assert_int_equal(get_load(1).rate, flow.rate);

	/* the retired flow sends again: placed afresh, on the least loaded */
	only_nic(-1);
	pkt_tcp(&p, VIP4, REMOTE4, 42000, 443, TCP_ACK, seq, 1, MSS);
	assert_int_not_equal(egress_slot(&p), 1);
	assert_true(has_flow(VIP4, 42000));
}

/*
 * Flowlets: two heavy flows share NIC 0, the other NICs are idle.  A flow
 * sending back to back, with data in flight, never moves.  After an idle
 * gap longer than the flowlet timeout, its next packet moves it to an
 * idle NIC with its units; the other flow stays.  It does not move again
 * within the re-balance interval, and a flow alone on its NIC never
 * moves (no clear gain).
 */
static void egress_least_loaded_flowlet_gap_moves(void **state)
{
	uint32_t seq_a, seq_b;
	struct mn_flow flow;
	struct pkt p;
	int i, to;

	(void)state;
	set_config(MN_PLACE_LEAST_LOADED, SEED);
	only_nic(0);
	assert_int_equal(open_bulk_flow(43000, &seq_a), 0);
	assert_int_equal(open_bulk_flow(43001, &seq_b), 0);
	only_nic(-1);
	assert_int_equal(load_units(0), 2 * MN_UNITS_HEAVY);

	/* back to back, unacknowledged data in flight: no move */
	for (i = 0; i < 20; i++) {
		pkt_tcp(&p, VIP4, REMOTE4, 43000, 443, TCP_ACK, seq_a, 1, MSS);
		assert_int_equal(egress_slot(&p), 0);
		seq_a += MSS;
	}
	assert_int_equal(get_flow(VIP4, 43000).moves, 0);

	/* an idle gap longer than the flowlet timeout: moves */
	age_flow(VIP4, 43000, MN_FLOWLET_TIMEOUT_DEFAULT_US * 1000ULL + 1000000);
	pkt_tcp(&p, VIP4, REMOTE4, 43000, 443, TCP_ACK, seq_a, 1, MSS);
	to = egress_slot(&p);
	assert_in_range(to, 1, NNICS - 1);
	seq_a += MSS;
	flow = get_flow(VIP4, 43000);
	assert_int_equal(flow.slot, to);
	assert_int_equal(flow.moves, 1);
	assert_int_equal(load_units(0), MN_UNITS_HEAVY);
	assert_int_equal(load_units(to), MN_UNITS_HEAVY);
	assert_int_equal(nic_stats(0).moved_out, 1);
	assert_int_equal(nic_stats(to).moved_in, 1);

	/* the other flow stays; no second move within the interval */
	pkt_tcp(&p, VIP4, REMOTE4, 43001, 443, TCP_ACK, seq_b, 1, MSS);
	assert_int_equal(egress_slot(&p), 0);
	set_load(to, 5 * MN_UNITS_HEAVY, 0);
	age_flow(VIP4, 43000, MN_FLOWLET_TIMEOUT_DEFAULT_US * 1000ULL + 1000000);
	pkt_tcp(&p, VIP4, REMOTE4, 43000, 443, TCP_ACK, seq_a, 1, MSS);
	assert_int_equal(egress_slot(&p), to);
	assert_int_equal(get_flow(VIP4, 43000).moves, 1);

	/*
	 * A gap, but no clear gain: 43001 is alone on NIC 0 now, and an
	 * idle NIC would not be better (its own weight goes with it).
	 */
	set_load(to, 0, 0);
	age_flow(VIP4, 43001, MN_FLOWLET_TIMEOUT_DEFAULT_US * 1000ULL + 1000000);
	pkt_tcp(&p, VIP4, REMOTE4, 43001, 443, TCP_ACK, seq_b, 1, MSS);
	assert_int_equal(egress_slot(&p), 0);
	assert_int_equal(get_flow(VIP4, 43001).moves, 0);
}

/*
 * A flow that pauses is rated light by the sweeps during its pause (it
 * sends nothing); its first bulk segment after the pause makes it heavy
 * again, and moves it if its NIC is busier.
 */
static void egress_least_loaded_paused_flow_moves(void **state)
{
	uint32_t seq_a, seq_b;
	struct mn_flow flow;
	struct pkt p;
	int to;

	(void)state;
	set_config(MN_PLACE_LEAST_LOADED, SEED);
	only_nic(0);
	assert_int_equal(open_bulk_flow(48000, &seq_a), 0);
	assert_int_equal(open_bulk_flow(48001, &seq_b), 0);
	only_nic(-1);

	/* 48000 sent nothing over the last 0.2 s: the sweep rates it light */
	flow = get_flow(VIP4, 48000);
	flow.first_ns -= 400000000ULL;
	flow.swept_ns = now_ns() - 200000000ULL;
	flow.swept_bytes = flow.bytes;
	flow.last_ns -= 200000000ULL;
	put_flow(VIP4, 48000, &flow);
	run_sweep();
	flow = get_flow(VIP4, 48000);
	assert_true(flow.state & MN_FLOW_S_RATED);
	assert_int_equal(flow.state & MN_FLOW_S_HEAVY, 0);

	/* a small message after the pause: light, stays */
	pkt_tcp(&p, VIP4, REMOTE4, 48000, 443, TCP_ACK, seq_a, 1, 100);
	assert_int_equal(egress_slot(&p), 0);
	seq_a += 100;
	assert_int_equal(get_flow(VIP4, 48000).state & MN_FLOW_S_HEAVY, 0);

	/* bulk again after a gap: heavy, and off to an idle NIC */
	age_flow(VIP4, 48000, MN_FLOWLET_TIMEOUT_DEFAULT_US * 1000ULL + 1000000);
	pkt_tcp(&p, VIP4, REMOTE4, 48000, 443, TCP_ACK, seq_a, 1, MSS);
	to = egress_slot(&p);
	assert_in_range(to, 1, NNICS - 1);
	flow = get_flow(VIP4, 48000);
	assert_true(flow.state & MN_FLOW_S_HEAVY);
	assert_int_equal(flow.moves, 1);
	assert_int_equal(load_units(to), MN_UNITS_HEAVY);
}

/*
 * Weights in a move: three heavy flows on a NIC of weight 2 and none on
 * one of weight 1 is worth a move (each of the three gets 2/3, the moved
 * one then 1); two on the heavier NIC and one on the other is not; a
 * flow alone on its NIC stays, even beside an idle NIC of more weight.
 */
static void egress_least_loaded_weighted_move(void **state)
{
	uint32_t seq[3];
	struct pkt p;
	int i;

	(void)state;
	set_config(MN_PLACE_LEAST_LOADED, SEED);
	set_nic(0, NIC_IFINDEX(0), MN_NIC_F_UP, 2, "192.0.2.1", NULL);
	set_nic(1, NIC_IFINDEX(1), 0, 1, "192.0.2.2", NULL);
	set_nic(2, 0, 0, 0, NULL, NULL);
	set_nic(3, 0, 0, 0, NULL, NULL);
	for (i = 0; i < 3; i++)
		assert_int_equal(open_bulk_flow(47000 + i, &seq[i]), 0);
	set_nic_up(1, true);

	age_flow(VIP4, 47000, MN_FLOWLET_TIMEOUT_DEFAULT_US * 1000ULL + 1000000);
	pkt_tcp(&p, VIP4, REMOTE4, 47000, 443, TCP_ACK, seq[0], 1, MSS);
	assert_int_equal(egress_slot(&p), 1);
	assert_int_equal(load_units(0), 2 * MN_UNITS_HEAVY);
	assert_int_equal(load_units(1), MN_UNITS_HEAVY);

	age_flow(VIP4, 47001, MN_FLOWLET_TIMEOUT_DEFAULT_US * 1000ULL + 1000000);
	pkt_tcp(&p, VIP4, REMOTE4, 47001, 443, TCP_ACK, seq[1], 1, MSS);
	assert_int_equal(egress_slot(&p), 0);

	/* alone on NIC 1, an idle NIC of weight 4 beside: it stays */
	set_nic(2, NIC_IFINDEX(2), MN_NIC_F_UP, 4, "192.0.2.3", NULL);
	age_flow(VIP4, 47000, MN_FLOWLET_TIMEOUT_DEFAULT_US * 1000ULL + 1000000);
	pkt_tcp(&p, VIP4, REMOTE4, 47000, 443, TCP_ACK, seq[0] + MSS, 1, MSS);
	assert_int_equal(egress_slot(&p), 1);
}

/*
 * TCP flowlets without a gap: once the peer has acknowledged everything
 * the flow sent (seen by the ingress program), its next data segment may
 * move it, however soon it follows; a pure ACK does not, and neither
 * does a segment sent while data is unacknowledged.
 */
static void egress_least_loaded_acked_flow_moves(void **state)
{
	uint32_t seq_a, seq_b;
	struct pkt p;
	int to;

	(void)state;
	set_config(MN_PLACE_LEAST_LOADED, SEED);
	only_nic(0);
	assert_int_equal(open_bulk_flow(44000, &seq_a), 0);
	assert_int_equal(open_bulk_flow(44001, &seq_b), 0);
	only_nic(-1);

	/* partly acknowledged: no move */
	peer_ack(44000, seq_a - 100);
	assert_int_equal(get_flow(VIP4, 44000).snd_una, seq_a - 100);
	pkt_tcp(&p, VIP4, REMOTE4, 44000, 443, TCP_ACK, seq_a, 1, MSS);
	assert_int_equal(egress_slot(&p), 0);
	seq_a += MSS;

	/* an acknowledgement beyond what was sent is ignored */
	peer_ack(44000, seq_a + 5000);
	assert_int_equal(get_flow(VIP4, 44000).snd_una, seq_a - 100 - MSS);

	/* all acknowledged: a pure ACK stays, the next data moves */
	peer_ack(44000, seq_a);
	pkt_tcp(&p, VIP4, REMOTE4, 44000, 443, TCP_ACK, seq_a, 2, 0);
	assert_int_equal(egress_slot(&p), 0);
	pkt_tcp(&p, VIP4, REMOTE4, 44000, 443, TCP_ACK, seq_a, 2, MSS);
	to = egress_slot(&p);
	assert_in_range(to, 1, NNICS - 1);
	assert_int_equal(get_flow(VIP4, 44000).moves, 1);
	assert_int_equal(load_units(0), MN_UNITS_HEAVY);

	/* under placement hash the ingress program does not follow acks */
	set_config(MN_PLACE_HASH, SEED);
	peer_ack(44001, seq_b);
	assert_int_not_equal(get_flow(VIP4, 44001).snd_una, seq_b);
}

/*
 * When a NIC goes down only its flows move (to the other NICs, with
 * their units), the others stay; when it comes back nothing moves back
 * without a flowlet boundary.
 */
static void egress_least_loaded_down_nic_moves_its_flows(void **state)
{
	enum { NFLOWS = 40 };
	int before[NFLOWS], after, victim, moved = 0, n_used = 0, i;
	bool used[MN_MAX_NICS] = { false };
	struct pkt p[NFLOWS];
	__s64 units = 0;

	(void)state;
	set_config(MN_PLACE_LEAST_LOADED, SEED);
	for (i = 0; i < NFLOWS; i++) {
		if (i % 2)
			pkt_v4(&p[i], VIP4, REMOTE4, IPPROTO_TCP, 43000 + i,
			       443);
		else
			pkt_v6(&p[i], VIP6, REMOTE6, IPPROTO_TCP, 43000 + i,
			       443);
		before[i] = egress_slot(&p[i]);
		assert_in_range(before[i], 0, NNICS - 1);
		n_used += !used[before[i]];
		used[before[i]] = true;
	}
	assert_int_equal(n_used, NNICS);

	victim = before[0];
	set_nic_up(victim, false);
	for (i = 0; i < NFLOWS; i++) {
		after = egress_slot(&p[i]);
		assert_in_range(after, 0, NNICS - 1);
		if (before[i] == victim) {
			assert_int_not_equal(after, victim);
			before[i] = after;
			moved++;
		} else {
			assert_int_equal(after, before[i]);
		}
	}
	assert_true(moved >= 1);
	assert_int_equal(load_units(victim), 0);
	for (i = 0; i < NNICS; i++)
		units += load_units(i);
	assert_int_equal(units, NFLOWS * MN_UNITS_LIGHT);

	/* back up: every flow stays where it is now */
	set_nic_up(victim, true);
	for (i = 0; i < NFLOWS; i++)
		assert_int_equal(egress_slot(&p[i]), before[i]);
}

/*
 * Mice do not push elephants around: twenty light flows (handshakes,
 * small messages) on NIC 0 weigh less than two bulk flows on NIC 1, so a
 * new bulk flow goes to NIC 0.
 */
static void egress_least_loaded_mice_weigh_little(void **state)
{
	uint32_t seq;
	struct pkt p;
	int i;

	(void)state;
	set_config(MN_PLACE_LEAST_LOADED, SEED);
	only_nic(0);
	for (i = 0; i < 20; i++) {
		pkt_tcp(&p, VIP4, REMOTE4, 45000 + i, 443, TCP_SYN, 1, 0, 0);
		assert_int_equal(egress_slot(&p), 0);
		pkt_tcp(&p, VIP4, REMOTE4, 45000 + i, 443, TCP_ACK, 2, 1, 300);
		assert_int_equal(egress_slot(&p), 0);
	}
	only_nic(1);
	assert_int_equal(open_bulk_flow(45100, &seq), 1);
	assert_int_equal(open_bulk_flow(45101, &seq), 1);
	set_nic_up(0, true);
	run_sweep();
	assert_int_equal(get_load(0).flows, 20);
	assert_int_equal(get_load(0).heavy, 0);
	assert_int_equal(open_bulk_flow(45200, &seq), 0);
}

/*
 * Placement hash keeps no per-flow or load state: multinicd switches
 * placement by rewriting mn_config alone, and least-loaded then starts
 * from idle NICs (no load left over from hashed traffic).
 */
static void egress_hash_keeps_no_flow_state(void **state)
{
	struct mn_flow_key key;
	struct pkt p;
	__u32 slot;
	int i;

	(void)state;
	set_config(MN_PLACE_HASH, SEED);
	for (i = 0; i < 20; i++) {
		pkt_v4(&p, VIP4, REMOTE4, IPPROTO_TCP, 44000 + i, 443);
		assert_in_range(egress_slot(&p), 0, NNICS - 1);
	}
	assert_int_equal(bpf_map_get_next_key(map_fd(egress->maps.mn_flows), NULL, &key), -ENOENT);
	for (slot = 0; slot < NNICS; slot++)
		assert_int_equal(load_units(slot), 0);

	/* the same flow under least-loaded: recorded and booked */
	set_config(MN_PLACE_LEAST_LOADED, SEED);
	slot = egress_slot(&p);
	assert_in_range(slot, 0, NNICS - 1);
	assert_int_equal(bpf_map_get_next_key(map_fd(egress->maps.mn_flows), NULL, &key), 0);
	assert_int_equal(load_units(slot), MN_UNITS_LIGHT);
}

/*
 * The sweep runs by itself once armed (mn_sweep_arm, as multinicd does):
 * it retires an idle flow and publishes the loads without mn_sweep_now;
 * under placement hash it stops.
 */
static void sweep_timer_runs_by_itself(void **state)
{
	uint32_t seq;
	int i;

	(void)state;
	set_config_ll(MN_PLACE_LEAST_LOADED, SEED, 0, 10000); /* 10 ms */
	only_nic(3);
	assert_int_equal(open_bulk_flow(46000, &seq), 3);
	age_flow(VIP4, 46000, 2 * MN_FLOW_IDLE_MIN_NS);
	assert_int_equal(run_prog(bpf_program__fd(egress->progs.mn_sweep_arm),
				  &(struct pkt){ .len = 64 }),
			 0);
	for (i = 0; i < 200 && has_flow(VIP4, 46000); i++)
		usleep(10000);
	assert_false(has_flow(VIP4, 46000));
	assert_true(get_load(3).swept_ns > 0);
	assert_int_equal(load_units(3), 0);

	/* placement hash: the timer stops, the loads stay as they were */
	set_config(MN_PLACE_HASH, SEED);
	usleep(50000);
	set_load(3, 7, 0);
	usleep(50000);
	assert_int_equal(get_load(3).units, 7);
}

/*
 * Not ours: ARP, other ethertypes, malformed or truncated packets from
 * the task's own address: passed (the kernel answers or drops them),
 * nothing counted.
 */
static void egress_passes_foreign_traffic(void **state)
{
	struct pkt p;
	__u32 slot;

	(void)state;
	/* ARP request for the gateway */
	put_eth(&p, (const uint8_t[]){ 0xff, 0xff, 0xff, 0xff, 0xff, 0xff },
		ETH_P_ARP);
	memset(p.data + p.len, 0, 28);
	p.len += 28;
	assert_int_equal(egress_slot(&p), -1);

	/* another ethertype (LLDP) */
	put_eth(&p, mac_host, 0x88cc);
	memset(p.data + p.len, 0, 46);
	p.len += 46;
	assert_int_equal(egress_slot(&p), -1);

	/*
	 * Malformed IPv4 headers from a VIP (test-run itself refuses a
	 * frame shorter than an IPv4 header): IHL below 5, version 6.
	 */
	pkt_v4(&p, VIP4, REMOTE4, IPPROTO_TCP, 40001, 443);
	p.data[ETH_HLEN] = 0x44;
	assert_int_equal(egress_slot(&p), -1);
	p.data[ETH_HLEN] = 0x65;
	assert_int_equal(egress_slot(&p), -1);

	/* a TCP header cut short */
	pkt_v4(&p, VIP4, REMOTE4, IPPROTO_TCP, 40001, 443);
	p.len = ETH_HLEN + 20 + 2;
	assert_int_equal(egress_slot(&p), -1);

	assert_stats_zero(task_stats(TASK_IFINDEX));
	assert_stats_zero(task_stats(TASK_B_IFINDEX));
	for (slot = 0; slot < MN_MAX_NICS; slot++)
		assert_stats_zero(nic_stats(slot));
}

/*
 * Anti-spoofing: a task sends from addresses that are not its own (an
 * unknown one, another task's VIP, a host address, IPv4 and IPv6, a
 * malformed packet too, a link-local source to a global destination,
 * DHCP's 0.0.0.0): dropped, counted for the task, no NIC sees them.
 * Neighbour discovery from its link-local address, and duplicate
 * address detection from ::, pass to the kernel.
 */
static void egress_drops_spoofed_sources(void **state)
{
	static const char *const spoofed4[] = { "10.1.0.99", "10.9.0.1",
						"10.0.0.254", "0.0.0.0" };
	static const char *const spoofed6[] = { "2001:db8:1::99",
						"2001:db8:9::1", "fe80::99" };
	struct mn_stats t;
	struct pkt p;
	size_t k;
	__u32 slot;

	(void)state;
	add_addr("10.9.0.1", TASK_B_IFINDEX, MN_NIC_NONE);
	add_addr("2001:db8:9::1", TASK_B_IFINDEX, MN_NIC_NONE);
	add_addr("10.0.0.254", 0, MN_NIC_NONE); /* a host address */

	for (k = 0; k < ARRAY_SIZE(spoofed4); k++) {
		pkt_v4(&p, spoofed4[k], REMOTE4, IPPROTO_TCP, 40001, 443);
		assert_int_equal(run_prog(egress_fd(), &p), TC_ACT_SHOT);
	}
	/* DHCP discover */
	pkt_v4(&p, "0.0.0.0", "255.255.255.255", IPPROTO_UDP, 68, 67);
	assert_int_equal(run_prog(egress_fd(), &p), TC_ACT_SHOT);
	/* a spoofed source with a truncated TCP header: still dropped */
	pkt_v4(&p, "10.9.0.1", REMOTE4, IPPROTO_TCP, 40001, 443);
	p.len = ETH_HLEN + 20 + 2;
	assert_int_equal(run_prog(egress_fd(), &p), TC_ACT_SHOT);
	for (k = 0; k < ARRAY_SIZE(spoofed6); k++) {
		pkt_v6(&p, spoofed6[k], REMOTE6, IPPROTO_UDP, 40001, 53);
		assert_int_equal(run_prog(egress_fd(), &p), TC_ACT_SHOT);
	}

	t = task_stats(TASK_IFINDEX);
	assert_int_equal(t.spoofed,
			 ARRAY_SIZE(spoofed4) + 2 + ARRAY_SIZE(spoofed6));
	assert_int_equal(t.tx_packets, 0);
	assert_int_equal(t.local, 0);
	assert_stats_zero(task_stats(TASK_B_IFINDEX));
	for (slot = 0; slot < MN_MAX_NICS; slot++)
		assert_stats_zero(nic_stats(slot));

	/* neighbour solicitation, router solicitation, DAD, MLD */
	pkt_v6(&p, "fe80::2", "ff02::1:ff00:1", IPPROTO_ICMPV6, 0, 0);
	assert_int_equal(egress_slot(&p), -1);
	pkt_v6(&p, "fe80::2", "fe80::1", IPPROTO_ICMPV6, 0, 0);
	assert_int_equal(egress_slot(&p), -1);
	pkt_v6(&p, "::", "ff02::1:ff00:2", IPPROTO_ICMPV6, 0, 0);
	assert_int_equal(egress_slot(&p), -1);
	pkt_v6(&p, "::", "ff02::16", IPPROTO_ICMPV6, 0, 0);
	assert_int_equal(egress_slot(&p), -1);
	t = task_stats(TASK_IFINDEX);
	assert_int_equal(t.local, 4);
	assert_int_equal(t.spoofed,
			 ARRAY_SIZE(spoofed4) + 2 + ARRAY_SIZE(spoofed6));

	/* the task's own VIP is not affected */
	pkt_v4(&p, VIP4, REMOTE4, IPPROTO_TCP, 40001, 443);
	assert_true(egress_slot(&p) >= 0);
}

/* A VLAN tag in the frame; the IP packet behind it untouched. */
static void pkt_tag(struct pkt *p, uint16_t tpid, uint16_t vid)
{
	memmove(p->data + 2 * ETH_ALEN + 4, p->data + 2 * ETH_ALEN,
		p->len - 2 * ETH_ALEN);
	put_be16(p->data + 2 * ETH_ALEN, tpid);
	put_be16(p->data + 2 * ETH_ALEN + 2, vid);
	p->len += 4;
}

/*
 * A task's VLAN-tagged frames (802.1Q, 802.1ad, priority tag VID 0)
 * never leave tagged: dropped and counted, from its own VIP too.
 */
static void egress_drops_tagged_frames(void **state)
{
	static const uint16_t tpids[] = { ETH_P_8021Q, ETH_P_8021AD };
	struct pkt p;
	size_t k;
	__u32 slot;

	(void)state;
	for (k = 0; k < ARRAY_SIZE(tpids); k++) {
		pkt_v4(&p, VIP4, REMOTE4, IPPROTO_TCP, 40001, 443);
		pkt_tag(&p, tpids[k], 100);
		assert_int_equal(run_prog(egress_fd(), &p), TC_ACT_SHOT);
		pkt_v6(&p, VIP6, REMOTE6, IPPROTO_UDP, 40001, 53);
		pkt_tag(&p, tpids[k], 0);
		assert_int_equal(run_prog(egress_fd(), &p), TC_ACT_SHOT);
	}
	assert_int_equal(task_stats(TASK_IFINDEX).tagged, 4);
	assert_int_equal(task_stats(TASK_IFINDEX).tx_packets, 0);
	for (slot = 0; slot < MN_MAX_NICS; slot++)
		assert_int_equal(nic_stats(slot).tx_packets, 0);
}

/* RFC 1071 over an IPv4 header: 0 when its checksum field is right. */
static uint16_t ipv4_header_sum(const uint8_t *ip)
{
	uint32_t sum = 0;
	int i;

	for (i = 0; i < 20; i += 2)
		sum += (uint32_t)ip[i] << 8 | ip[i + 1];
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

static void ipv4_set_checksum(uint8_t *ip)
{
	put_be16(ip + 10, 0);
	put_be16(ip + 10, ipv4_header_sum(ip));
}

/*
 * Forwarding: what leaves through a NIC has its TTL (IPv4, header
 * checksum still right) or hop limit (IPv6) decremented; a packet with
 * TTL 1 or 0 is left to the kernel (which sends time exceeded), counted,
 * unchanged.  The same for what goes into a task.
 */
static void forwarding_decrements_ttl(void **state)
{
	uint8_t *ip = NULL;
	struct pkt p, out;
	__u32 ttl;

	(void)state;
	for (ttl = 64; ttl <= 255; ttl += 191) {
		pkt_v4(&p, VIP4, REMOTE4, IPPROTO_TCP, 40001, 443);
		ip = p.data + ETH_HLEN;
		ip[8] = ttl;
		ipv4_set_checksum(ip);
		assert_int_equal(run_prog_out(egress_fd(), &p, &out),
				 TC_ACT_REDIRECT);
		assert_int_equal(out.data[ETH_HLEN + 8], ttl - 1);
		assert_int_equal(ipv4_header_sum(out.data + ETH_HLEN), 0);

		pkt_v6(&p, VIP6, REMOTE6, IPPROTO_UDP, 40001, 53);
		p.data[ETH_HLEN + 7] = ttl;
		assert_int_equal(run_prog_out(egress_fd(), &p, &out),
				 TC_ACT_REDIRECT);
		assert_int_equal(out.data[ETH_HLEN + 7], ttl - 1);
	}
	assert_int_equal(task_stats(TASK_IFINDEX).tx_packets, 4);

	for (ttl = 0; ttl <= 1; ttl++) {
		pkt_v4(&p, VIP4, REMOTE4, IPPROTO_TCP, 40001, 443);
		p.data[ETH_HLEN + 8] = ttl;
		assert_int_equal(egress_slot(&p), -1);
		pkt_v6(&p, VIP6, REMOTE6, IPPROTO_UDP, 40001, 53);
		p.data[ETH_HLEN + 7] = ttl;
		assert_int_equal(run_prog_out(egress_fd(), &p, &out),
				 MN_ACT_PASS);
		assert_int_equal(out.data[ETH_HLEN + 7], ttl);
	}
	assert_int_equal(task_stats(TASK_IFINDEX).ttl_expired, 4);
	assert_int_equal(task_stats(TASK_IFINDEX).tx_packets, 4);

	/* into a task */
	add_addr("10.9.0.1", TASK_B_IFINDEX, MN_NIC_NONE);
	add_addr("2001:db8:9::1", TASK_B_IFINDEX, MN_NIC_NONE);
	pkt_v4(&p, REMOTE4, "10.9.0.1", IPPROTO_TCP, 443, 40001);
	ipv4_set_checksum(p.data + ETH_HLEN);
	assert_int_equal(run_prog_out(ingress_fd(), &p, &out), TC_ACT_REDIRECT);
	assert_int_equal(out.data[ETH_HLEN + 8], 63);
	assert_int_equal(ipv4_header_sum(out.data + ETH_HLEN), 0);
	pkt_v6(&p, REMOTE6, "2001:db8:9::1", IPPROTO_UDP, 53, 40001);
	assert_int_equal(run_prog_out(ingress_fd(), &p, &out), TC_ACT_REDIRECT);
	assert_int_equal(out.data[ETH_HLEN + 7], 63);
	pkt_v4(&p, REMOTE4, "10.9.0.1", IPPROTO_TCP, 443, 40001);
	p.data[ETH_HLEN + 8] = 1;
	assert_int_equal(run_prog(ingress_fd(), &p), MN_ACT_PASS);
	pkt_v6(&p, REMOTE6, "2001:db8:9::1", IPPROTO_UDP, 53, 40001);
	p.data[ETH_HLEN + 7] = 1;
	assert_int_equal(run_prog(ingress_fd(), &p), MN_ACT_PASS);
	assert_int_equal(task_stats(TASK_B_IFINDEX).rx_packets, 2);
	assert_int_equal(task_stats(TASK_B_IFINDEX).ttl_expired, 2);
}

/* The MTU of the loopback device (the test's own network namespace). */
static void set_lo_mtu(int mtu)
{
	struct ifreq ifr = { .ifr_mtu = mtu };
	int fd = socket(AF_INET, SOCK_DGRAM, 0);

	assert_true(fd >= 0);
	strcpy(ifr.ifr_name, "lo");
	assert_int_equal(ioctl(fd, SIOCSIFMTU, &ifr), 0);
	close(fd);
}

/*
 * A packet larger than its NIC's MTU is left to the kernel (which sends
 * "fragmentation needed" or "packet too big", or fragments), counted for
 * the task and the NIC; one that fits is sent.  The NIC is the loopback
 * device with its MTU lowered (bpf_check_mtu() needs a real device).
 */
static void egress_too_big_goes_to_kernel(void **state)
{
	static const char *const src[] = { VIP4, VIP6 };
	const char *dst;
	struct pkt p;
	size_t k;

	(void)state;
	reset_maps();
	create_task_stats(TASK_IFINDEX);
	set_config(MN_PLACE_HASH, SEED);
	set_maglev(1);
	set_nic(0, 1, MN_NIC_F_UP, 100, "192.0.2.1", "fe80::1");
	add_addr(VIP4, TASK_IFINDEX, MN_NIC_NONE);
	add_addr(VIP6, TASK_IFINDEX, MN_NIC_NONE);
	set_lo_mtu(1280);

	for (k = 0; k < ARRAY_SIZE(src); k++) {
		dst = k ? REMOTE6 : REMOTE4;
		(k ? pkt_v6 : pkt_v4)(&p, src[k], dst, IPPROTO_UDP, 40001, 53);
		p.len = ETH_HLEN + 1280; /* exactly the MTU: fits */
		assert_int_equal(egress_slot(&p), 0);
		p.len = ETH_HLEN + 1281;
		assert_int_equal(egress_slot(&p), -1);
	}
	set_lo_mtu(65536);
	assert_int_equal(task_stats(TASK_IFINDEX).too_big, 2);
	assert_int_equal(nic_stats(0).too_big, 2);
	assert_int_equal(task_stats(TASK_IFINDEX).tx_packets, 2);
}

/*
 * Ingress: a packet larger than the task device's MTU (which may be below
 * the NIC's) is left to the kernel for its ICMP error, counted for the
 * task and the NIC it came in on; one that fits goes in.  The task's
 * device is the loopback device with its MTU lowered.
 */
static void ingress_too_big_goes_to_kernel(void **state)
{
	struct pkt p;

	(void)state;
	reset_maps();
	create_task_stats(TASK_IFINDEX);
	set_nic(3, 1, MN_NIC_F_UP, 1, "192.0.2.4", NULL);
	add_addr("10.9.0.1", TASK_IFINDEX, MN_NIC_NONE);
	add_addr("2001:db8:9::1", TASK_IFINDEX, MN_NIC_NONE);
	set_lo_mtu(1280);

	pkt_v4(&p, REMOTE4, "10.9.0.1", IPPROTO_UDP, 53, 40001);
	p.len = ETH_HLEN + 1280;
	assert_int_equal(run_prog(ingress_fd(), &p), TC_ACT_REDIRECT);
	p.len = ETH_HLEN + 1281;
	assert_int_equal(run_prog(ingress_fd(), &p), MN_ACT_PASS);
	pkt_v6(&p, REMOTE6, "2001:db8:9::1", IPPROTO_UDP, 53, 40001);
	p.len = ETH_HLEN + 1281;
	assert_int_equal(run_prog(ingress_fd(), &p), MN_ACT_PASS);
	set_lo_mtu(65536);

	assert_int_equal(task_stats(TASK_IFINDEX).too_big, 2);
	assert_int_equal(task_stats(TASK_IFINDEX).rx_packets, 1);
	assert_int_equal(nic_stats(3).too_big, 2);
}

/*
 * Task traffic that stays on the host: multicast, broadcast, link-local,
 * another task's VIP, a host address.  Passed and counted as local.
 */
static void egress_local_destinations_stay(void **state)
{
	static const char *const dst4[] = { "224.0.0.251", "255.255.255.255",
					    "169.254.169.254", "10.9.0.1",
					    "10.0.0.254" };
	static const char *const dst6[] = { "ff02::1:ff00:1", "fe80::1",
					    "2001:db8:9::1" };
	struct mn_stats t;
	struct pkt p;
	size_t k;

	(void)state;
	add_addr("10.9.0.1", TASK_B_IFINDEX, MN_NIC_NONE);
	add_addr("2001:db8:9::1", TASK_B_IFINDEX, MN_NIC_NONE);
	add_addr("10.0.0.254", 0, MN_NIC_NONE);

	for (k = 0; k < ARRAY_SIZE(dst4); k++) {
		pkt_v4(&p, VIP4, dst4[k], IPPROTO_UDP, 5353, 5353);
		assert_int_equal(egress_slot(&p), -1);
	}
	for (k = 0; k < ARRAY_SIZE(dst6); k++) {
		pkt_v6(&p, VIP6, dst6[k], IPPROTO_ICMPV6, 0, 0);
		assert_int_equal(egress_slot(&p), -1);
	}
	/* a multicast destination MAC alone is enough */
	pkt_v4(&p, VIP4, REMOTE4, IPPROTO_UDP, 5353, 5353);
	p.data[0] = 0x01;
	assert_int_equal(egress_slot(&p), -1);

	t = task_stats(TASK_IFINDEX);
	assert_int_equal(t.local, ARRAY_SIZE(dst4) + ARRAY_SIZE(dst6) + 1);
	assert_int_equal(t.tx_packets, 0);
	assert_int_equal(t.fallback, 0);
}

/*
 * Ingress: a packet to a task address is redirected into the task
 * (TC_ACT_REDIRECT), counted for the task and for the NIC it came in
 * on; anything else is passed untouched and uncounted.
 */
static void ingress_redirects_task_addresses(void **state)
{
	struct mn_stats t, n;
	struct pkt p;
	unsigned int bytes = 0;
	__u32 slot;

	(void)state;
	/* the NIC the test packets "arrive" on is the loopback device */
	set_nic(3, 1, MN_NIC_F_UP, 1, "192.0.2.4", NULL);
	add_addr("10.9.0.1", TASK_B_IFINDEX, MN_NIC_NONE);
	add_addr("2001:db8:9::1", TASK_B_IFINDEX, MN_NIC_NONE);
	add_addr("10.9.2.1", TASK_B_IFINDEX, 2); /* per-NIC address */
	add_addr("10.0.0.254", 0, MN_NIC_NONE);	 /* host address */

	pkt_v4(&p, REMOTE4, "10.9.0.1", IPPROTO_TCP, 443, 40001);
	assert_int_equal(run_prog(ingress_fd(), &p), TC_ACT_REDIRECT);
	bytes += p.len;
	pkt_v6(&p, REMOTE6, "2001:db8:9::1", IPPROTO_UDP, 443, 40001);
	assert_int_equal(run_prog(ingress_fd(), &p), TC_ACT_REDIRECT);
	bytes += p.len;
	pkt_v4(&p, REMOTE4, "10.9.2.1", IPPROTO_ICMP, 1, 1);
	assert_int_equal(run_prog(ingress_fd(), &p), TC_ACT_REDIRECT);
	bytes += p.len;
	/* a later fragment, without ports, goes in too */
	pkt_v4_frag(&p, REMOTE4, "10.9.0.1", IPPROTO_UDP, 0, 0, 185);
	assert_int_equal(run_prog(ingress_fd(), &p), TC_ACT_REDIRECT);
	bytes += p.len;

	t = task_stats(TASK_B_IFINDEX);
	assert_int_equal(t.rx_packets, 4);
	assert_int_equal(t.rx_bytes, bytes);
	assert_int_equal(t.tx_packets, 0);
	n = nic_stats(3);
	assert_int_equal(n.rx_packets, 4);
	assert_int_equal(n.rx_bytes, bytes);

	/* not ours: untouched, not counted */
	pkt_v4(&p, REMOTE4, "10.0.0.254", IPPROTO_TCP, 179, 40001);
	assert_int_equal(run_prog(ingress_fd(), &p), MN_ACT_PASS);
	pkt_v4(&p, REMOTE4, "10.9.0.99", IPPROTO_TCP, 443, 40001);
	assert_int_equal(run_prog(ingress_fd(), &p), MN_ACT_PASS);
	pkt_v6(&p, "fe80::1", "ff02::1", IPPROTO_ICMPV6, 0, 0);
	assert_int_equal(run_prog(ingress_fd(), &p), MN_ACT_PASS);
	put_eth(&p, (const uint8_t[]){ 0xff, 0xff, 0xff, 0xff, 0xff, 0xff },
		ETH_P_ARP);
	memset(p.data + p.len, 0, 28);
	p.len += 28;
	assert_int_equal(run_prog(ingress_fd(), &p), MN_ACT_PASS);

	t = task_stats(TASK_B_IFINDEX);
	assert_int_equal(t.rx_packets, 4);
	assert_stats_zero(task_stats(0));
	n = nic_stats(3);
	assert_int_equal(n.rx_packets, 4);
	for (slot = 0; slot < 3; slot++)
		assert_stats_zero(nic_stats(slot));
}

/*
 * Ingress leaves to the kernel what is not plainly for this host: a
 * VLAN-tagged frame to a task address (the kernel's VLAN device owns
 * it), a frame for another MAC (promiscuous mode), broadcast: passed,
 * not counted, nothing changed in them.
 */
static void ingress_leaves_tagged_and_foreign_frames(void **state)
{
	struct pkt p, out;

	(void)state;
	add_addr("10.9.0.1", TASK_B_IFINDEX, MN_NIC_NONE);
	add_addr("2001:db8:9::1", TASK_B_IFINDEX, MN_NIC_NONE);

	pkt_v4(&p, REMOTE4, "10.9.0.1", IPPROTO_TCP, 443, 40001);
	pkt_tag(&p, ETH_P_8021Q, 100);
	assert_int_equal(run_prog(ingress_fd(), &p), MN_ACT_PASS);
	pkt_v6(&p, REMOTE6, "2001:db8:9::1", IPPROTO_UDP, 53, 40001);
	pkt_tag(&p, ETH_P_8021AD, 7);
	assert_int_equal(run_prog(ingress_fd(), &p), MN_ACT_PASS);

	pkt_v4(&p, REMOTE4, "10.9.0.1", IPPROTO_TCP, 443, 40001);
	memcpy(p.data, mac_other, ETH_ALEN);
	assert_int_equal(run_prog_out(ingress_fd(), &p, &out), MN_ACT_PASS);
	assert_int_equal(out.data[ETH_HLEN + 8], 64);
	memset(p.data, 0xff, ETH_ALEN);
	assert_int_equal(run_prog(ingress_fd(), &p), MN_ACT_PASS);
	pkt_v6(&p, REMOTE6, "2001:db8:9::1", IPPROTO_UDP, 53, 40001);
	memcpy(p.data, mac_other, ETH_ALEN);
	assert_int_equal(run_prog(ingress_fd(), &p), MN_ACT_PASS);

	assert_stats_zero(task_stats(TASK_B_IFINDEX));

	/* the same packet, for this host, goes in */
	pkt_v4(&p, REMOTE4, "10.9.0.1", IPPROTO_TCP, 443, 40001);
	assert_int_equal(run_prog(ingress_fd(), &p), TC_ACT_REDIRECT);
}

/*
 * A detached task's counters (multinicd deleted its entry) are not
 * brought back by a packet still on its way, in either direction; an
 * attached task's are counted.
 */
static void stats_entries_not_recreated(void **state)
{
	struct pkt p;

	(void)state;
	add_addr("10.9.0.1", TASK_B_IFINDEX, MN_NIC_NONE);
	assert_int_equal(bpf_map_delete_elem(map_fd(egress->maps.mn_task_stats),
					     &(__u32){ TASK_IFINDEX }),
			 0);
	assert_int_equal(bpf_map_delete_elem(map_fd(egress->maps.mn_task_stats),
					     &(__u32){ TASK_B_IFINDEX }),
			 0);

	pkt_v4(&p, VIP4, REMOTE4, IPPROTO_TCP, 40001, 443);
	assert_true(egress_slot(&p) >= 0); /* still forwarded */
	pkt_v4(&p, "10.9.9.9", REMOTE4, IPPROTO_TCP, 40001, 443);
	assert_int_equal(run_prog(egress_fd(), &p), TC_ACT_SHOT);
	pkt_v4(&p, VIP4, "224.0.0.251", IPPROTO_UDP, 5353, 5353);
	assert_int_equal(egress_slot(&p), -1);
	pkt_v4(&p, REMOTE4, "10.9.0.1", IPPROTO_TCP, 443, 40001);
	assert_int_equal(run_prog(ingress_fd(), &p), TC_ACT_REDIRECT);
	assert_false(task_stats_exist(TASK_IFINDEX));
	assert_false(task_stats_exist(TASK_B_IFINDEX));

	create_task_stats(TASK_B_IFINDEX);
	assert_int_equal(run_prog(ingress_fd(), &p), TC_ACT_REDIRECT);
	assert_int_equal(task_stats(TASK_B_IFINDEX).rx_packets, 1);
}

/*
 * Group fixture: both objects loaded in a bpffs of our own (bpf_test_env.h).
 */
static int unload_all(void **state)
{
	(void)state;
	ingress_bpf__destroy(ingress);
	egress_bpf__destroy(egress);
	ingress = NULL;
	egress = NULL;
	return 0;
}

static int load_all(void **state)
{
	LIBBPF_OPTS(bpf_object_open_opts, opts, .pin_root_path = pin_root);

	ncpus = libbpf_num_possible_cpus();
	if (ncpus <= 0 || private_bpffs() != 0)
		return -1;

	egress = egress_bpf__open_opts(&opts);
	if (!egress || egress_bpf__load(egress)) {
		fprintf(stderr, "loading mn_egress failed: %s\n",
			strerror(errno));
		unload_all(state);
		return -1;
	}
	ingress = ingress_bpf__open_opts(&opts);
	if (!ingress || ingress_bpf__load(ingress)) {
		fprintf(stderr, "loading mn_ingress failed: %s\n",
			strerror(errno));
		unload_all(state);
		return -1;
	}
	return 0;
}

int main(void)
{
	const struct CMUnitTest layout[] = {
		cmocka_unit_test(skeleton_layout),
		cmocka_unit_test(pin_path_is_versioned),
	};
	const struct CMUnitTest programs[] = {
		cmocka_unit_test(maps_shared_by_pinning),
		cmocka_unit_test_setup(egress_hash_all_protocols, setup),
		cmocka_unit_test_setup(egress_icmp_addresses_only, setup),
		cmocka_unit_test_setup(egress_hash_sticky_and_spread, setup),
		cmocka_unit_test_setup(egress_ipv4_fragments_one_nic, setup),
		cmocka_unit_test_setup(egress_ipv6_extension_headers, setup),
		cmocka_unit_test_setup(egress_per_nic_source_pinning, setup),
		cmocka_unit_test_setup(egress_hash_unusable_nic_falls_back,
				       setup),
		cmocka_unit_test_setup(egress_least_loaded_picks_least_and_sticks,
				       setup),
		cmocka_unit_test_setup(egress_least_loaded_weights_and_rates,
				       setup),
		cmocka_unit_test_setup(egress_least_loaded_burst_spreads, setup),
		cmocka_unit_test_setup(egress_least_loaded_accounting, setup),
		cmocka_unit_test_setup(egress_least_loaded_retires_idle_flows,
				       setup),
		cmocka_unit_test_setup(egress_least_loaded_flowlet_gap_moves,
				       setup),
		cmocka_unit_test_setup(egress_least_loaded_paused_flow_moves,
				       setup),
		cmocka_unit_test_setup(egress_least_loaded_weighted_move,
				       setup),
		cmocka_unit_test_setup(egress_least_loaded_acked_flow_moves,
				       setup),
		cmocka_unit_test_setup(egress_least_loaded_down_nic_moves_its_flows,
				       setup),
		cmocka_unit_test_setup(egress_least_loaded_mice_weigh_little,
				       setup),
		cmocka_unit_test_setup(egress_hash_keeps_no_flow_state, setup),
		cmocka_unit_test_setup(egress_passes_foreign_traffic, setup),
		cmocka_unit_test_setup(egress_drops_spoofed_sources, setup),
		cmocka_unit_test_setup(egress_drops_tagged_frames, setup),
		cmocka_unit_test_setup(forwarding_decrements_ttl, setup),
		cmocka_unit_test_setup(egress_too_big_goes_to_kernel, setup),
		cmocka_unit_test_setup(ingress_too_big_goes_to_kernel, setup),
		cmocka_unit_test_setup(ingress_leaves_tagged_and_foreign_frames,
				       setup),
		cmocka_unit_test_setup(stats_entries_not_recreated, setup),
		cmocka_unit_test_setup(egress_local_destinations_stay, setup),
		cmocka_unit_test_setup(ingress_redirects_task_addresses, setup),
		/* last: it leaves the timer armed (stopped under hash) */
		cmocka_unit_test_setup(sweep_timer_runs_by_itself, setup),
	};
	int rc;

	libbpf_set_print(libbpf_print);
	rc = cmocka_run_group_tests_name("bpf skeleton layout", layout, NULL,
					 NULL);
	if (geteuid() != 0) {
		printf("SKIP: the BPF program tests need root (BPF_PROG_TEST_RUN, bpffs)\n");
		return rc ? rc : EXIT_SKIP;
	}
	rc |= cmocka_run_group_tests_name("bpf programs", programs, load_all,
					  unload_all);
	return rc;
}
