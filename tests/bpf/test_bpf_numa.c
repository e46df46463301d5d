// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Tests of NUMA placement in mn_egress (bpf/mn_numa.bpf.h) and of the
 * receive-steering program mn_steer (bpf/steer.bpf.c), through their
 * skeletons and BPF_PROG_TEST_RUN on crafted packets (cmocka).
 *
 * The maps are filled the way multinicd fills them (doc/numa.md); which
 * NIC a packet left through is read from the per-NIC counters, where it
 * was steered from the steering counters and the cpumap entries that
 * exist.  Needs root (test-run, bpffs), else it is skipped.  Like
 * test_bpf_programs, it works in a bpffs of its own.
 */
#define _GNU_SOURCE /* sched_setaffinity */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include <errno.h>
#include <sched.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <sys/mount.h>
#include <sys/stat.h>

#include <linux/if_ether.h>
#include <linux/pkt_cls.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "multinic_maps.h"
#include "multinic_numa_maps.h"
#include "multinic_steer_maps.h"
#include "bpf_test_env.h"
#include "egress.skel.h"
#include "steer.skel.h"

#define EXIT_SKIP 77
#define MN_ACT_PASS TC_ACT_UNSPEC
#define TASK_IFINDEX 1 /* test-run runs on the loopback device */
#define NIC_IFINDEX(slot) (100 + (slot))
#define NNICS 4
#define VIP "10.1.0.1"

static struct egress_bpf *egress;
static struct steer_bpf *steer;
static int ncpus;

static int fd(struct bpf_map *map)
{
	return bpf_map__fd(map);
}

/*
 * A UDP packet from src to dst (IPv4), Ethernet-framed.
 */
struct pkt {
	uint8_t data[128];
	size_t len;
};

static struct pkt udp4(const char *src, const char *dst, uint16_t sport, uint16_t dport)
{
	struct pkt p = { .len = ETH_HLEN + 20 + 8 + 16 };
	uint8_t *ip = p.data + ETH_HLEN, *udp = ip + 20;

	memset(p.data, 0x02, 2 * ETH_ALEN);
	p.data[12] = 0x08; /* ETH_P_IP */
	ip[0] = 0x45;
	ip[3] = 20 + 8 + 16;
	ip[8] = 64;
	ip[9] = IPPROTO_UDP;
	assert_int_equal(inet_pton(AF_INET, src, ip + 12), 1);
	assert_int_equal(inet_pton(AF_INET, dst, ip + 16), 1);
	udp[0] = sport >> 8;
	udp[1] = sport & 0xff;
	udp[2] = dport >> 8;
	udp[3] = dport & 0xff;
	udp[5] = 8 + 16;
	return p;
}

static struct mn_addr_key key4(const char *a)
{
	struct mn_addr_key k = { .family = MN_AF_INET };

	assert_int_equal(inet_pton(AF_INET, a, k.addr), 1);
	return k;
}

static int run(int prog, const struct pkt *p)
{
	LIBBPF_OPTS(bpf_test_run_opts, o, .data_in = p->data, .data_size_in = p->len,
		    .repeat = 1);

	assert_int_equal(bpf_prog_test_run_opts(prog, &o), 0);
	return (int)o.retval;
}

/*
 * Egress
 */

static void clear_hash(struct bpf_map *map, size_t ksize)
{
	uint8_t key[64], next[64];

	while (bpf_map_get_next_key(fd(map), NULL, next) == 0) {
		memcpy(key, next, ksize);
		bpf_map_delete_elem(fd(map), key);
	}
}

/* NNICS NICs up, one Maglev table of slot 0 only, hash placement, the VIP. */
static int egress_setup(void **state)
{
	struct mn_addr_key k = key4(VIP);
	struct mn_addr a = { .task_ifindex = TASK_IFINDEX, .pin_slot = MN_NIC_NONE };
	struct mn_config cfg = { .placement = MN_PLACE_HASH };
	__u32 slot, i, zero = 0;

	(void)state;
	clear_hash(egress->maps.mn_numa_tasks, sizeof(__u32));
	clear_hash(egress->maps.mn_numa_stats, sizeof(__u32));
	clear_hash(egress->maps.mn_flows, sizeof(struct mn_flow_key));
	for (slot = 0; slot < MN_MAX_NICS; slot++) {
		struct mn_bpf_nic n = { 0 };
		struct mn_nic_load l = { 0 };

		if (slot < NNICS) {
			n.ifindex = NIC_IFINDEX(slot);
			n.flags = MN_NIC_F_UP | MN_NIC_F_GW4;
			n.weight = 10;
			n.gw4 = htonl(0x0a000001 + (slot << 8));
		}
		bpf_map_update_elem(fd(egress->maps.mn_nics), &slot, &n, BPF_ANY);
		bpf_map_update_elem(fd(egress->maps.mn_nic_load), &slot, &l, BPF_ANY);
	}
	for (i = 0; i < MN_MAGLEV_SIZE; i++)
		bpf_map_update_elem(fd(egress->maps.mn_maglev), &i, &zero, BPF_ANY);
	bpf_map_update_elem(fd(egress->maps.mn_config), &zero, &cfg, BPF_ANY);
	bpf_map_update_elem(fd(egress->maps.mn_addrs), &k, &a, BPF_ANY);
	return 0;
}

/* Node n's Maglev table: every entry the given slot. */
static void node_table(__u32 node, __u32 slot, __u32 members, __u32 local)
{
	struct mn_numa_node n = { .members = members, .local = local };
	__u32 i, key;

	for (i = 0; i < MN_MAGLEV_SIZE; i++) {
		key = node * MN_MAGLEV_SIZE + i;
		bpf_map_update_elem(fd(egress->maps.mn_maglev_node), &key, &slot, BPF_ANY);
	}
	bpf_map_update_elem(fd(egress->maps.mn_numa_nodes), &node, &n, BPF_ANY);
}

/* Its node entry, and its counters' entry as multinicd creates them. */
static void task_node(__u32 node)
{
	struct mn_numa_stats zero[ncpus];
	struct mn_numa_task t = { .node = node };
	__u32 ifindex = TASK_IFINDEX;

	memset(zero, 0, sizeof(zero));
	bpf_map_update_elem(fd(egress->maps.mn_numa_tasks), &ifindex, &t, BPF_ANY);
	bpf_map_update_elem(fd(egress->maps.mn_numa_stats), &ifindex, zero, BPF_NOEXIST);
}

static __u64 nic_tx(__u32 slot)
{
	struct mn_stats s[ncpus];
	__u64 sum = 0;
	int i;

	if (bpf_map_lookup_elem(fd(egress->maps.mn_nic_stats), &slot, s))
		return 0;
	for (i = 0; i < ncpus; i++)
		sum += s[i].tx_packets;
	return sum;
}

/* The slot a packet left through (its NIC's counter moved), -1 when passed. */
static int sent_through(const struct pkt *p)
{
	__u64 before[MN_MAX_NICS];
	int slot = -1, ret;
	__u32 s;

	for (s = 0; s < MN_MAX_NICS; s++)
		before[s] = nic_tx(s);
	ret = run(bpf_program__fd(egress->progs.mn_egress), p);
	for (s = 0; s < MN_MAX_NICS; s++)
		if (nic_tx(s) != before[s])
			slot = s;
	assert_int_equal(ret, slot >= 0 ? TC_ACT_REDIRECT : MN_ACT_PASS);
	return slot;
}

static struct mn_numa_stats numa_stats(void)
{
	struct mn_numa_stats s[ncpus], sum = { 0 };
	__u32 ifindex = TASK_IFINDEX;
	int i;

	if (bpf_map_lookup_elem(fd(egress->maps.mn_numa_stats), &ifindex, s))
		return sum;
	for (i = 0; i < ncpus; i++) {
		sum.local_packets += s[i].local_packets;
		sum.remote_packets += s[i].remote_packets;
		sum.local_bytes += s[i].local_bytes;
		sum.remote_bytes += s[i].remote_bytes;
	}
	return sum;
}

/* No node entry: the all-NIC table, nothing counted by locality. */
static void egress_without_node_uses_all(void **state)
{
	struct pkt p = udp4(VIP, "192.0.2.9", 40000, 53);

	(void)state;
	node_table(1, 3, 0xc, 0xc); /* a node table that must not be used */
	assert_int_equal(sent_through(&p), 0);
	assert_int_equal(numa_stats().local_packets + numa_stats().remote_packets, 0);
}

/* A task on node 1: its node's table, its packet counted local. */
static void egress_node_table_and_local_count(void **state)
{
	struct pkt p = udp4(VIP, "192.0.2.9", 40000, 53);
	struct mn_numa_stats s;

	(void)state;
	node_table(1, 3, 0xc, 0xc);
	task_node(1);
	assert_int_equal(sent_through(&p), 3);
	s = numa_stats();
	assert_int_equal(s.local_packets, 1);
	assert_int_equal(s.local_bytes, p.len);
	assert_int_equal(s.remote_packets, 0);
}

/* Spilled: the node's table names another node's NIC, counted remote. */
static void egress_spill_counts_remote(void **state)
{
	struct pkt p = udp4(VIP, "192.0.2.9", 40000, 53);

	(void)state;
	node_table(1, 0, 0xf, 0xc);
	task_node(1);
	assert_int_equal(sent_through(&p), 0);
	assert_int_equal(numa_stats().remote_packets, 1);
	assert_int_equal(numa_stats().local_packets, 0);
}

/*
 * The counters' entry is multinicd's: without it a packet is still sent
 * through its node's NIC, and brings no entry back (a detached task's
 * counters would otherwise come back from a packet still on its way).
 */
static void egress_numa_stats_entry_not_created(void **state)
{
	struct pkt p = udp4(VIP, "192.0.2.9", 40000, 53);
	struct mn_numa_stats s[ncpus];
	__u32 ifindex = TASK_IFINDEX;

	(void)state;
	node_table(1, 3, 0xc, 0xc);
	task_node(1);
	assert_int_equal(bpf_map_delete_elem(fd(egress->maps.mn_numa_stats), &ifindex), 0);
	assert_int_equal(sent_through(&p), 3);
	assert_int_not_equal(bpf_map_lookup_elem(fd(egress->maps.mn_numa_stats), &ifindex, s), 0);
}

/* Strict with the node's NICs down: no entry in its table, the kernel's. */
static void egress_empty_node_table_passes(void **state)
{
	struct pkt p = udp4(VIP, "192.0.2.9", 40000, 53);

	(void)state;
	node_table(1, MN_NIC_NONE, 0xc, 0xc);
	task_node(1);
	assert_int_equal(sent_through(&p), -1);
}

/* Least-loaded: only the node's members, though the others are idler. */
static void egress_least_loaded_among_members(void **state)
{
	struct mn_config cfg = { .placement = MN_PLACE_LEAST_LOADED };
	struct mn_nic_load busy = { .units = 1 << 20 };
	__u32 zero = 0, slot;
	int i, s;

	(void)state;
	bpf_map_update_elem(fd(egress->maps.mn_config), &zero, &cfg, BPF_ANY);
	for (slot = 2; slot < 4; slot++)
		bpf_map_update_elem(fd(egress->maps.mn_nic_load), &slot, &busy, BPF_ANY);
	node_table(1, 2, 0xc, 0xc);
	task_node(1);
	for (i = 0; i < 16; i++) {
		struct pkt p = udp4(VIP, "192.0.2.9", 41000 + i, 53);

		s = sent_through(&p);
		if (s != 2 && s != 3)
			fail_msg("flow %d left through slot %d, not a member of node 1", i, s);
	}
	/* without a node the idle slots 0 and 1 take the flows */
	clear_hash(egress->maps.mn_numa_tasks, sizeof(__u32));
	for (i = 0; i < 4; i++) {
		struct pkt p = udp4(VIP, "192.0.2.10", 42000 + i, 53);

		s = sent_through(&p);
		assert_true(s == 0 || s == 1);
	}
}

/*
 * Least-loaded: a booked flow on a NIC that is no longer among its task's
 * members (the task got its node; strict; the node's NICs back after a
 * spill) moves to a member at its next packet, and stays there.
 */
static void egress_least_loaded_flow_leaves_non_member(void **state)
{
	struct mn_config cfg = { .placement = MN_PLACE_LEAST_LOADED };
	struct pkt p = udp4(VIP, "192.0.2.9", 43000, 53);
	struct mn_nic_load busy = { .units = 1 << 20 };
	__u32 zero = 0, slot;
	int s;

	(void)state;
	bpf_map_update_elem(fd(egress->maps.mn_config), &zero, &cfg, BPF_ANY);
	for (slot = 2; slot < 4; slot++)
		bpf_map_update_elem(fd(egress->maps.mn_nic_load), &slot, &busy, BPF_ANY);
	s = sent_through(&p);
	assert_true(s == 0 || s == 1); /* no node yet: the idle NICs */
	node_table(1, 2, 0xc, 0xc);
	task_node(1);
	s = sent_through(&p);
	if (s != 2 && s != 3)
		fail_msg("the flow stayed on slot %d, not a member of node 1", s);
	assert_int_equal(sent_through(&p), s);
}

/*
 * Steering
 */

static struct mn_steer_stats steer_stats(__u32 ifindex)
{
	struct mn_steer_stats s[ncpus], sum = { 0 };
	int i;

	if (bpf_map_lookup_elem(fd(steer->maps.mn_steer_stats), &ifindex, s))
		return sum;
	for (i = 0; i < ncpus; i++) {
		sum.steered += s[i].steered;
		sum.on_node += s[i].on_node;
		sum.no_cpu += s[i].no_cpu;
		sum.errors += s[i].errors;
	}
	return sum;
}

/*
 * CPU 0 on node 0, CPU 1 on node 1 (this test runs pinned to CPU 0);
 * node 2 has no CPU; a cpumap entry for CPU 1 only.
 */
static int steer_setup(void **state)
{
	struct bpf_cpumap_val val = { .qsize = 64 };
	struct mn_steer_cpus n0 = { .count = 1, .cpu = { 0 } };
	struct mn_steer_cpus n1 = { .count = 1, .cpu = { 1 } };
	struct mn_steer_cpus none = { 0 };
	__u32 k;
	cpu_set_t cpus;

	(void)state;
	CPU_ZERO(&cpus);
	CPU_SET(0, &cpus);
	assert_int_equal(sched_setaffinity(0, sizeof(cpus), &cpus), 0);
	clear_hash(steer->maps.mn_steer_dsts, sizeof(struct mn_addr_key));
	clear_hash(steer->maps.mn_steer_stats, sizeof(__u32));
	for (k = 0; k < 2; k++)
		bpf_map_update_elem(fd(steer->maps.mn_steer_cpu_node), &k, &k, BPF_ANY);
	k = 0;
	bpf_map_update_elem(fd(steer->maps.mn_steer_node_cpus), &k, &n0, BPF_ANY);
	k = 1;
	bpf_map_update_elem(fd(steer->maps.mn_steer_node_cpus), &k, &n1, BPF_ANY);
	k = 2;
	bpf_map_update_elem(fd(steer->maps.mn_steer_node_cpus), &k, &none, BPF_ANY);
	k = 0;
	bpf_map_delete_elem(fd(steer->maps.mn_steer_cpumap), &k);
	k = 1;
	assert_int_equal(bpf_map_update_elem(fd(steer->maps.mn_steer_cpumap), &k, &val, BPF_ANY),
			 0);
	return 0;
}

static void dst(const char *a, __u32 node)
{
	struct mn_addr_key k = key4(a);
	struct mn_steer_dst d = { .node = node };

	bpf_map_update_elem(fd(steer->maps.mn_steer_dsts), &k, &d, BPF_ANY);
}

static int steer_run(const struct pkt *p)
{
	return run(bpf_program__fd(steer->progs.mn_steer), p);
}

/* A packet for a task of node 1 arriving on node 0's CPU goes to CPU 1. */
static void steer_to_the_task_node(void **state)
{
	struct pkt p = udp4("192.0.2.9", VIP, 53, 40000);

	(void)state;
	dst(VIP, 1);
	assert_int_equal(steer_run(&p), XDP_REDIRECT);
	assert_int_equal(steer_stats(1).steered, 1);
	/* CPU 1 was the target: without its cpumap entry the redirect fails */
	__u32 cpu = 1;

	bpf_map_delete_elem(fd(steer->maps.mn_steer_cpumap), &cpu);
	assert_int_equal(steer_run(&p), XDP_PASS);
	assert_int_equal(steer_stats(1).errors, 1);
}

/* Already on a CPU of the task's node: left where it is, counted. */
static void steer_leaves_local_packets(void **state)
{
	struct pkt p = udp4("192.0.2.9", VIP, 53, 40000);

	(void)state;
	dst(VIP, 0);
	assert_int_equal(steer_run(&p), XDP_PASS);
	assert_int_equal(steer_stats(1).on_node, 1);
	assert_int_equal(steer_stats(1).steered, 0);
}

static void steer_node_without_cpu(void **state)
{
	struct pkt p = udp4("192.0.2.9", VIP, 53, 40000);

	(void)state;
	dst(VIP, 2);
	assert_int_equal(steer_run(&p), XDP_PASS);
	assert_int_equal(steer_stats(1).no_cpu, 1);
}

/* Not a task's address (or a task of unknown node): untouched, uncounted. */
static void steer_passes_others(void **state)
{
	struct pkt p = udp4("192.0.2.9", "10.1.0.99", 53, 40000);
	struct mn_steer_stats s;

	(void)state;
	dst(VIP, 1);
	assert_int_equal(steer_run(&p), XDP_PASS);
	s = steer_stats(1);
	assert_int_equal(s.steered + s.on_node + s.no_cpu + s.errors, 0);
}

/*
 * Fixture: both skeletons in a bpffs of our own (bpf_test_env.h)
 */
static int unload(void **state)
{
	(void)state;
	steer_bpf__destroy(steer);
	egress_bpf__destroy(egress);
	steer = NULL;
	egress = NULL;
	return 0;
}

static int load(void **state)
{
	LIBBPF_OPTS(bpf_object_open_opts, opts, .pin_root_path = MN_PIN_MAPS);

	ncpus = libbpf_num_possible_cpus();
	if (ncpus <= 0 || private_bpffs() != 0)
		return -1;
	egress = egress_bpf__open_opts(&opts);
	steer = steer_bpf__open_opts(&opts);
	if (!egress || !steer ||
	    bpf_map__set_max_entries(steer->maps.mn_steer_cpumap, ncpus) ||
	    egress_bpf__load(egress) || steer_bpf__load(steer)) {
		fprintf(stderr, "loading the programs failed: %s\n", strerror(errno));
		unload(state);
		return -1;
	}
	return 0;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(egress_without_node_uses_all, egress_setup),
		cmocka_unit_test_setup(egress_node_table_and_local_count, egress_setup),
		cmocka_unit_test_setup(egress_spill_counts_remote, egress_setup),
		cmocka_unit_test_setup(egress_numa_stats_entry_not_created, egress_setup),
		cmocka_unit_test_setup(egress_empty_node_table_passes, egress_setup),
		cmocka_unit_test_setup(egress_least_loaded_among_members, egress_setup),
		cmocka_unit_test_setup(egress_least_loaded_flow_leaves_non_member, egress_setup),
		cmocka_unit_test_setup(steer_to_the_task_node, steer_setup),
		cmocka_unit_test_setup(steer_leaves_local_packets, steer_setup),
		cmocka_unit_test_setup(steer_node_without_cpu, steer_setup),
		cmocka_unit_test_setup(steer_passes_others, steer_setup),
	};
	setvbuf(stdout, NULL, _IONBF, 0);
	libbpf_set_print(libbpf_print);
	if (geteuid() != 0) {
		printf("SKIP: the BPF program tests need root (BPF_PROG_TEST_RUN, bpffs)\n");
		return EXIT_SKIP;
	}
	if (libbpf_num_possible_cpus() < 2) {
		printf("SKIP: steering needs two CPUs\n");
		return EXIT_SKIP;
	}
	return cmocka_run_group_tests_name("bpf NUMA placement and receive steering", tests, load,
					   unload);
}
