// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * multinicd: NUMA placement in the eBPF datapath (see multinic_ebpf_numa.h).
 */
#include <zebra.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "lib/hash.h"
#include "lib/log.h"
#include "lib/memory.h"
#include "lib/typesafe.h"

#include "multinicd.h"
#include "multinic_debug.h"
#include "multinic_ebpf_maps.h"
#include "multinic_ebpf_numa.h"
#include "multinic_errors.h"
#include "multinicd/bpf/multinic_maps.h"
#include "multinicd/bpf/multinic_numa_maps.h"

DEFINE_MTYPE_STATIC(MULTINICD, MN_EBPF_NUMA, "multinic eBPF NUMA records");

PREDECL_HASH(numa_tasks);
struct numa_task {
	struct numa_tasks_item item;
	uint32_t ifindex;
	int node;
};

static int numa_task_cmp(const struct numa_task *a, const struct numa_task *b)
{
	return numcmp(a->ifindex, b->ifindex);
}

static uint32_t numa_task_hash(const struct numa_task *t)
{
	return jhash_1word(t->ifindex, 0);
}

DECLARE_HASH(numa_tasks, struct numa_task, item, numa_task_cmp, numa_task_hash);

static struct {
	struct mn_ebpf_numa_fds fds;
	struct numa_tasks_head tasks;
	bool init;
	/* what the node tables were last written from */
	struct mn_dp_nic *nics;
	unsigned int n_nics;
	enum mn_numa_policy policy;
	uint32_t written; /* nodes whose table is in the maps (a bit per node) */
} en = {
	.fds = { -1, -1, -1, -1, -1 },
};

static void tasks_init(void)
{
	if (!en.init)
		numa_tasks_init(&en.tasks);
	en.init = true;
}

void mn_ebpf_numa_maps_set(const struct mn_ebpf_numa_fds *fds)
{
	en.fds = *fds;
}

static struct numa_task *task_find(uint32_t ifindex)
{
	struct numa_task key = { .ifindex = ifindex };

	tasks_init();
	return numa_tasks_find(&en.tasks, &key);
}

static bool has_table(int node)
{
	return node >= 0 && node < MN_NUMA_TABLES;
}

void mn_ebpf_numa_task_set(uint32_t task_ifindex, int node)
{
	struct numa_task *t = task_find(task_ifindex);

	if (!t) {
		t = XCALLOC(MTYPE_MN_EBPF_NUMA, sizeof(*t));
		t->ifindex = task_ifindex;
		numa_tasks_add(&en.tasks, t);
	}
	t->node = node;
	if (node >= MN_NUMA_TABLES)
		zlog_warn("eBPF datapath: NUMA node %d has no table in the programs (nodes 0-%d): its tasks use every NIC",
			  node, MN_NUMA_TABLES - 1);
}

void mn_ebpf_numa_task_del(uint32_t task_ifindex)
{
	struct numa_task *t = task_find(task_ifindex);

	frr_with_privs (&multinic_privs) {
		bpf_map_delete_elem(en.fds.tasks, &task_ifindex);
		bpf_map_delete_elem(en.fds.stats, &task_ifindex);
	}
	if (!t)
		return;
	numa_tasks_del(&en.tasks, t);
	XFREE(MTYPE_MN_EBPF_NUMA, t);
}

/*
 * The node tables
 */

/* The node's member and local slots under the policy. */
static void node_slots(const struct mn_dp_nic *nics, unsigned int n, enum mn_numa_policy policy,
		       int node, struct mn_numa_node *out)
{
	struct mn_numa_nic pn[MN_MAX_NICS];
	uint32_t slot_of[MN_MAX_NICS], slot;
	enum mn_numa_choice choice;
	uint64_t members, local;
	unsigned int i, k = 0;

	for (i = 0; i < n && k < MN_MAX_NICS; i++) {
		slot = mn_ebpf_slot_of(nics[i].ifindex);
		if (slot == MN_NIC_NONE || nics[i].ifindex == IFINDEX_INTERNAL)
			continue;
		pn[k].node = nics[i].numa_node;
		/* a family-blind table: a NIC is usable when up (multinic_maps.h) */
		pn[k].usable = nics[i].up;
		pn[k].loaded = nics[i].loaded;
		slot_of[k++] = slot;
	}
	members = mn_numa_members(policy, node, pn, k, &choice);
	local = mn_numa_local_members(node, pn, k);
	memset(out, 0, sizeof(*out));
	for (i = 0; i < k; i++) {
		if ((members >> i) & 1)
			out->members |= 1U << slot_of[i];
		if ((local >> i) & 1)
			out->local |= 1U << slot_of[i];
	}
	DEBUGD(&mn_dbg_numa, "eBPF datapath: NUMA node %d: %s, slots 0x%x (local 0x%x)", node,
	       mn_numa_choice_name(choice), out->members, out->local);
}

static void node_write(const struct mn_dp_nic *nics, unsigned int n, enum mn_numa_policy policy,
		       int node)
{
	static uint32_t table[MN_MAGLEV_SIZE], keys[MN_MAGLEV_SIZE];
	uint32_t i, count = MN_MAGLEV_SIZE, key = node;
	struct mn_numa_node slots;
	int ret;

	node_slots(nics, n, policy, node, &slots);
	if (mn_ebpf_maglev_build(nics, n, slots.members, table) < 0)
		return;
	for (i = 0; i < MN_MAGLEV_SIZE; i++)
		keys[i] = node * MN_MAGLEV_SIZE + i;
	frr_with_privs (&multinic_privs) {
		ret = bpf_map_update_batch(en.fds.maglev, keys, table, &count, NULL);
		if (ret == 0)
			ret = bpf_map_update_elem(en.fds.nodes, &key, &slots, BPF_ANY);
	}
	if (ret < 0) {
		flog_err(EC_MULTINIC_BPF, "eBPF datapath: NUMA node %d table: %s", node,
			 safe_strerror(errno));
		return;
	}
	en.written |= 1U << node;
}

/* Whether the tables were written from exactly these NICs and policy. */
static bool inputs_unchanged(const struct mn_dp_nic *nics, unsigned int n,
			     enum mn_numa_policy policy)
{
	return en.n_nics == n && en.policy == policy &&
	       (!n || !memcmp(en.nics, nics, n * sizeof(*nics)));
}

static void inputs_keep(const struct mn_dp_nic *nics, unsigned int n, enum mn_numa_policy policy)
{
	XFREE(MTYPE_MN_EBPF_NUMA, en.nics);
	en.n_nics = n;
	en.policy = policy;
	if (n) {
		en.nics = XCALLOC(MTYPE_MN_EBPF_NUMA, n * sizeof(*nics));
		memcpy(en.nics, nics, n * sizeof(*nics));
	}
}

/* Entries of tasks this multinicd does not know (an earlier one's) go. */
static void map_trim(int fd)
{
	uint32_t key, next;
	bool more;

	/* the next key is read before the current one is deleted */
	for (more = bpf_map_get_next_key(fd, NULL, &key) == 0; more; key = next) {
		more = bpf_map_get_next_key(fd, &key, &next) == 0;
		if (!task_find(key))
			bpf_map_delete_elem(fd, &key);
	}
}

static void tasks_trim(void)
{
	frr_with_privs (&multinic_privs) {
		map_trim(en.fds.tasks);
		map_trim(en.fds.stats);
	}
}

/*
 * The program only updates a task's mn_numa_stats entry (as mn_task_stats,
 * bpf/mn_numa.bpf.h); one that exists already (a restarted multinicd)
 * keeps its counts.
 */
static void task_stats_create(uint32_t task_ifindex)
{
	int ncpu = libbpf_num_possible_cpus();
	struct mn_numa_stats *zero;

	if (ncpu <= 0)
		return;
	zero = XCALLOC(MTYPE_MN_EBPF_NUMA, ncpu * sizeof(*zero));
	if (bpf_map_update_elem(en.fds.stats, &task_ifindex, zero, BPF_NOEXIST) < 0 &&
	    errno != EEXIST)
		flog_err(EC_MULTINIC_BPF, "eBPF datapath: mn_numa_stats[%u]: %s", task_ifindex,
			 safe_strerror(errno));
	XFREE(MTYPE_MN_EBPF_NUMA, zero);
}

/* The node tables the tasks use, written again when their inputs changed. */
static void tables_write(const struct mn_dp_nic *nics, unsigned int n, enum mn_numa_policy policy)
{
	const struct numa_task *t;
	uint32_t used = 0;
	int node;

	frr_each (numa_tasks_const, &en.tasks, t)
		if (has_table(t->node))
			used |= 1U << t->node;
	if (!inputs_unchanged(nics, n, policy)) {
		en.written = 0;
		inputs_keep(nics, n, policy);
	}
	for (node = 0; node < MN_NUMA_TABLES; node++)
		if ((used >> node) & 1 && !((en.written >> node) & 1))
			node_write(nics, n, policy, node);
}

/* A task's entry: its node when that node's table is written, else none. */
static void task_entry_write(const struct numa_task *t)
{
	struct mn_numa_task entry = { .node = t->node };

	if (has_table(t->node) && (en.written >> t->node) & 1) {
		task_stats_create(t->ifindex);
		bpf_map_update_elem(en.fds.tasks, &t->ifindex, &entry, BPF_ANY);
	} else {
		bpf_map_delete_elem(en.fds.tasks, &t->ifindex);
	}
}

void mn_ebpf_numa_sync(const struct mn_dp_nic *nics, unsigned int n, enum mn_numa_policy policy,
		       bool settled)
{
	const struct numa_task *t;

	if (!settled || en.fds.tasks < 0)
		return; /* an earlier multinicd's tables stay in force meanwhile */
	tasks_init();
	tables_write(nics, n, policy);
	frr_with_privs (&multinic_privs)
		frr_each (numa_tasks_const, &en.tasks, t)
			task_entry_write(t);
	tasks_trim();
}

/*
 * One task attached or moved: its node's table and its own entry.  A
 * whole sync for each of a thousand tasks attached at once was four
 * syscalls per task known, O(T^2): 1024 tasks took three times as long
 * to wire in eBPF mode as in kernel mode.
 */
void mn_ebpf_numa_task_sync(uint32_t task_ifindex, const struct mn_dp_nic *nics, unsigned int n,
			    enum mn_numa_policy policy, bool settled)
{
	const struct numa_task *t = task_find(task_ifindex);

	if (!settled || en.fds.tasks < 0 || !t)
		return;
	tasks_init();
	tables_write(nics, n, policy);
	frr_with_privs (&multinic_privs)
		task_entry_write(t);
}

/*
 * Counters
 */

bool mn_ebpf_numa_counters(uint32_t task_ifindex, int node, const struct mn_numa_topology *topo,
			   struct mn_dp_numa_counters *c)
{
	int ncpu = libbpf_num_possible_cpus(), cpu, cnode;
	struct mn_numa_stats *ns;
	struct mn_stats *ts;
	bool have_tx, have_rx;

	memset(c, 0, sizeof(*c));
	if (ncpu <= 0 || en.fds.stats < 0)
		return false;
	ns = XCALLOC(MTYPE_MN_EBPF_NUMA, ncpu * sizeof(*ns));
	ts = XCALLOC(MTYPE_MN_EBPF_NUMA, ncpu * sizeof(*ts));
	frr_with_privs (&multinic_privs) {
		have_tx = bpf_map_lookup_elem(en.fds.stats, &task_ifindex, ns) == 0;
		have_rx = bpf_map_lookup_elem(en.fds.task_stats, &task_ifindex, ts) == 0;
	}
	for (cpu = 0; cpu < ncpu; cpu++) {
		if (have_tx) {
			c->local_packets += ns[cpu].local_packets;
			c->local_bytes += ns[cpu].local_bytes;
			c->remote_packets += ns[cpu].remote_packets;
			c->remote_bytes += ns[cpu].remote_bytes;
		}
		if (!have_rx || node < 0)
			continue;
		cnode = mn_numa_cpu_node(topo, cpu);
		/* a CPU no node lists counts as local, as a NIC of unknown node */
		if (cnode == MN_NUMA_NODE_NONE || cnode == node)
			c->rx_local_packets += ts[cpu].rx_packets;
		else
			c->rx_remote_packets += ts[cpu].rx_packets;
	}
	XFREE(MTYPE_MN_EBPF_NUMA, ns);
	XFREE(MTYPE_MN_EBPF_NUMA, ts);
	return have_tx || have_rx;
}

void mn_ebpf_numa_clear(void)
{
	struct numa_task *t;

	if (en.init) {
		while ((t = numa_tasks_pop(&en.tasks)))
			XFREE(MTYPE_MN_EBPF_NUMA, t);
		numa_tasks_fini(&en.tasks);
	}
	en.init = false;
	XFREE(MTYPE_MN_EBPF_NUMA, en.nics);
	en.n_nics = 0;
	en.written = 0;
}
