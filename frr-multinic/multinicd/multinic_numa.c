// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * multinicd: the NUMA facet of the NIC and task layers (see multinic_numa.h).
 */
#include <zebra.h>

#include <dirent.h>
#include <sys/stat.h>

#include "lib/frrevent.h"
#include "lib/jhash.h"
#include "lib/log.h"
#include "lib/memory.h"
#include "lib/monotime.h"
#include "lib/typesafe.h"

#include "multinicd.h"
#include "multinic_datapath.h"
#include "multinic_debug.h"
#include "multinic_errors.h"
#include "multinic_numa.h"
#include "multinic_sysfs.h"
#include "multinic_task.h"

#define NODE_SYSFS "/sys/devices/system/node"
/* Processes of one netns whose cgroups are read: enough to agree on a node. */
#define TASK_PIDS_MAX 16

DEFINE_MTYPE_STATIC(MULTINICD, MN_NETNS_PROCS, "multinic processes of a netns");

static struct {
	struct mn_numa_topology topo;
	char source[PATH_MAX];
	struct event *t_recheck;
} numa;

/*
 * The host's topology
 */

static void host_read(void)
{
	const char *root = getenv(MN_NUMA_SYSFS_ENV);
	char path[PATH_MAX], line[4096], err[256];
	struct dirent *de;
	unsigned int node;
	DIR *dir;

	strlcpy(numa.source, root && root[0] ? root : NODE_SYSFS, sizeof(numa.source));
	dir = opendir(numa.source);
	if (!dir) {
		/* a kernel without NUMA: one node, as far as placement cares */
		zlog_info("NUMA: %s: %s; the host is treated as one node", numa.source,
			  safe_strerror(errno));
		return;
	}
	while ((de = readdir(dir))) {
		if (sscanf(de->d_name, "node%u", &node) != 1 || node >= MN_NUMA_NODES_MAX)
			continue;
		snprintfrr(path, sizeof(path), "%s/%s/cpulist", numa.source, de->d_name);
		if (!mn_sysfs_read_line(path, line, sizeof(line)) ||
		    mn_numa_list_parse(line, MN_NUMA_CPUS_MAX, &numa.topo.cpus[node], err,
				       sizeof(err)) < 0) {
			flog_warn(EC_MULTINIC_SYSFS, "NUMA: cannot read %s%s%s", path,
				  line[0] ? ": " : "", line[0] ? err : "");
			continue;
		}
		mn_numa_set_add(&numa.topo.nodes, node);
	}
	closedir(dir);
}

const struct mn_numa_topology *mn_numa_host(void)
{
	return &numa.topo;
}

const char *mn_numa_host_source(void)
{
	return numa.source;
}

bool mn_numa_node_exists(int node)
{
	return node >= 0 && mn_numa_set_has(&numa.topo.nodes, node);
}

/*
 * NICs: their load, from what the NIC layer samples
 */

bool mn_numa_spill_sampling_wanted(void)
{
	/* a host of one node has nowhere to spill to */
	return multinic_cfg.configured && multinic_cfg.numa_policy == MN_NUMA_PREFER &&
	       multinic_cfg.spill_threshold > 0 && mn_numa_set_count(&numa.topo.nodes) > 1;
}

bool mn_numa_nic_load_sample(struct mn_nic_numa *n, bool oper_up, uint64_t tx_bytes,
			     uint32_t speed_mbps, int64_t now_ms)
{
	bool was = n->loaded;

	if (n->sampled_ms && now_ms > n->sampled_ms && tx_bytes >= n->tx_bytes)
		n->tx_bps = (tx_bytes - n->tx_bytes) * 8 * 1000 / (now_ms - n->sampled_ms);
	n->tx_bytes = tx_bytes;
	n->sampled_ms = now_ms;
	n->loaded = oper_up && mn_numa_nic_loaded(was, n->tx_bps, speed_mbps,
						  multinic_cfg.spill_threshold);
	return n->loaded != was;
}

bool mn_numa_nic_load_clear(struct mn_nic_numa *n)
{
	bool was = n->loaded;

	n->loaded = false;
	n->tx_bps = 0;
	n->sampled_ms = 0;
	return was;
}

/*
 * Tasks: the node their processes' cpusets allow
 */

/* The cgroup hierarchies mounted here that can tell a cpuset. */
struct cgroup_mounts {
	char v2[PATH_MAX], v2_root[PATH_MAX];
	char v1[PATH_MAX], v1_root[PATH_MAX];
};

static void cgroup_mounts_read(struct cgroup_mounts *m)
{
	char line[4096], mnt[PATH_MAX], root[PATH_MAX];
	FILE *f = fopen("/proc/self/mountinfo", "r");

	memset(m, 0, sizeof(*m));
	while (f && fgets(line, sizeof(line), f)) {
		switch (mn_mountinfo_cgroup(line, mnt, sizeof(mnt), root, sizeof(root))) {
		case MN_CGROUP_V2:
			if (!m->v2[0]) {
				strlcpy(m->v2, mnt, sizeof(m->v2));
				strlcpy(m->v2_root, root, sizeof(m->v2_root));
			}
			break;
		case MN_CGROUP_V1_CPUSET:
			if (!m->v1[0]) {
				strlcpy(m->v1, mnt, sizeof(m->v1));
				strlcpy(m->v1_root, root, sizeof(m->v1_root));
			}
			break;
		case MN_CGROUP_NONE:
			break;
		}
	}
	if (f)
		fclose(f);
}

/*
 * The memory nodes in effect for one process: the cpuset hierarchy it
 * is in (v1 when the host mounts cpuset there, as hybrid hosts do, else
 * the unified one), walking up to the nearest cgroup with the file (in
 * v2 only the sub-trees that enable cpuset have it).  False with why set.
 */
static bool pid_mems(int pid, const struct cgroup_mounts *m, char *file, size_t filelen,
		     char *list, size_t listlen, struct mn_numa_set *mems, char *why, size_t len)
{
	char path[PATH_MAX], content[4096], v2[PATH_MAX], v1[PATH_MAX], dir[PATH_MAX], err[128];
	enum mn_cgroup_kind kind;
	const char *mnt, *root, *cg;
	size_t n;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/cgroup", pid);
	f = fopen(path, "r");
	if (!f) {
		snprintfrr(why, len, "cannot read %s", path);
		return false;
	}
	n = fread(content, 1, sizeof(content) - 1, f);
	content[n] = '\0';
	fclose(f);
	mn_proc_cgroup_parse(content, v2, sizeof(v2), v1, sizeof(v1));
	if (m->v1[0] && v1[0]) {
		kind = MN_CGROUP_V1_CPUSET, mnt = m->v1, root = m->v1_root, cg = v1;
	} else if (m->v2[0] && v2[0]) {
		kind = MN_CGROUP_V2, mnt = m->v2, root = m->v2_root, cg = v2;
	} else {
		snprintf(why, len, "no cpuset hierarchy is mounted for process %d", pid);
		return false;
	}
	if (!mn_cgroup_dir(mnt, root, cg, dir, sizeof(dir))) {
		snprintfrr(why, len, "cgroup %s of process %d is outside %s", cg, pid, mnt);
		return false;
	}
	do {
		snprintfrr(path, sizeof(path), "%s/%s", dir, mn_cgroup_mems_file(kind));
		if (mn_sysfs_read_line(path, content, sizeof(content))) {
			if (mn_numa_list_parse(content, MN_NUMA_NODES_MAX, mems, err, sizeof(err)) <
			    0) {
				snprintfrr(why, len, "%s: %s", path, err);
				return false;
			}
			strlcpy(file, path, filelen);
			strlcpy(list, content, listlen);
			return true;
		}
	} while (mn_cgroup_dir_parent(dir, mnt));
	snprintfrr(why, len, "no %s above %s", mn_cgroup_mems_file(kind), cg);
	return false;
}

/*
 * Which processes are in which netns.  Finding a task's processes means
 * a stat() of every process's /proc/PID/ns/net; done per task, a burst
 * of T tasks wired (or the recheck of T tasks) cost T walks of /proc,
 * O(T x processes) system calls: a third of multinicd's time wiring
 * 1024 tasks.  One walk indexes every netns that has a process and
 * answers every task looked up within PROCS_WALK_TTL_MS; the index is
 * dropped after that.  A process that starts in between is seen at the
 * task's next recheck (MN_NUMA_TASK_RECHECK_S), as any process started
 * after its task was wired is.
 */
#define PROCS_WALK_TTL_MS 250

PREDECL_HASH(netns_procs);
struct netns_procs {
	struct netns_procs_item item;
	dev_t dev;
	ino_t ino;
	unsigned int n;
	int pids[TASK_PIDS_MAX];
};

static int netns_procs_cmp(const struct netns_procs *a, const struct netns_procs *b)
{
	if (a->dev != b->dev)
		return a->dev < b->dev ? -1 : 1;
	return a->ino < b->ino ? -1 : a->ino > b->ino;
}

static uint32_t netns_procs_hash(const struct netns_procs *p)
{
	return jhash_3words((uint32_t)p->ino, (uint32_t)((uint64_t)p->ino >> 32),
			    (uint32_t)p->dev, 0x6d6e7073);
}

DECLARE_HASH(netns_procs, struct netns_procs, item, netns_procs_cmp, netns_procs_hash);

static struct {
	struct netns_procs_head index;
	struct timeval walked;
	struct event *t_drop; /* scheduled while the index is there */
} procs = { .index = INIT_HASH(procs.index) };

static void procs_index_clear(void)
{
	struct netns_procs *p;

	while ((p = netns_procs_pop(&procs.index)))
		XFREE(MTYPE_MN_NETNS_PROCS, p);
}

static void procs_index_drop(struct event *t)
{
	procs_index_clear();
}

static void procs_index_add(dev_t dev, ino_t ino, int pid)
{
	struct netns_procs key = { .dev = dev, .ino = ino }, *p;

	p = netns_procs_find(&procs.index, &key);
	if (!p) {
		p = XCALLOC(MTYPE_MN_NETNS_PROCS, sizeof(*p));
		p->dev = dev;
		p->ino = ino;
		netns_procs_add(&procs.index, p);
	}
	if (p->n < array_size(p->pids))
		p->pids[p->n++] = pid;
}

static void procs_index_walk(void)
{
	char path[64];
	struct dirent *de;
	struct stat st;
	DIR *dir;
	int pid;

	procs_index_clear();
	frr_with_privs (&multinic_privs) {
		dir = opendir("/proc");
		while (dir && (de = readdir(dir))) {
			if (sscanf(de->d_name, "%d", &pid) != 1 || pid <= 0)
				continue;
			/* another process's ns links need ptrace access (CAP_SYS_PTRACE) */
			snprintf(path, sizeof(path), "/proc/%d/ns/net", pid);
			if (stat(path, &st) == 0)
				procs_index_add(st.st_dev, st.st_ino, pid);
		}
		if (dir)
			closedir(dir);
	}
	monotime(&procs.walked);
	event_cancel(&procs.t_drop);
	event_add_timer_msec(master, procs_index_drop, NULL, PROCS_WALK_TTL_MS, &procs.t_drop);
}

/* The processes in the netns at path (some of them). */
static unsigned int netns_pids(const char *netns_path, int *pids, unsigned int max)
{
	struct netns_procs key = {}, *p;
	struct stat ns;
	int ret;

	frr_with_privs (&multinic_privs)
		ret = stat(netns_path, &ns);
	if (ret < 0)
		return 0;
	/* the drop timer also waits for the event loop: a burst of tasks in one
	 * pass must not reuse a walk older than the TTL */
	if (!event_is_scheduled(procs.t_drop) ||
	    monotime_since(&procs.walked, NULL) >= PROCS_WALK_TTL_MS * 1000)
		procs_index_walk();
	key.dev = ns.st_dev;
	key.ino = ns.st_ino;
	p = netns_procs_find(&procs.index, &key);
	if (!p)
		return 0;
	max = MIN(max, p->n);
	memcpy(pids, p->pids, max * sizeof(*pids));
	return max;
}

void mn_numa_task_detect(const char *netns, struct mn_task_numa *out)
{
	struct mn_numa_set all = {}, mems;
	struct cgroup_mounts m;
	char path[PATH_MAX], why[160] = "", list[64], file[sizeof(out->cpuset)];
	char mems_list[sizeof(out->mems)];
	int pids[TASK_PIDS_MAX];
	unsigned int n, i, read = 0, pinned = 0;
	size_t w;

	out->node = MN_NUMA_NODE_NONE;
	out->source = MN_TASK_NUMA_UNKNOWN;
	out->pids = 0;
	out->pid = 0;
	out->cpuset[0] = out->mems[0] = out->why[0] = '\0';
	/*
	 * On a host of one node every NIC and task is on it: placement by
	 * node would only duplicate the shared egress table (per-node
	 * tables, nexthop groups).  "numa-node N" still applies.
	 */
	if (mn_numa_set_count(&mn_numa_host()->nodes) < 2) {
		strlcpy(out->why, "this host has one NUMA node: nothing to place by",
			sizeof(out->why));
		return;
	}
	if (mn_netns_path(netns, path, sizeof(path)) < 0) {
		strlcpy(out->why, "no netns", sizeof(out->why));
		return;
	}
	n = netns_pids(path, pids, array_size(pids));
	out->pids = n;
	if (!n) {
		strlcpy(out->why, "no process found in the task's netns", sizeof(out->why));
		return;
	}
	out->pid = pids[0];
	cgroup_mounts_read(&m);
	for (i = 0; i < n; i++) {
		if (!pid_mems(pids[i], &m, file, sizeof(file), mems_list, sizeof(mems_list), &mems,
			      why, sizeof(why)))
			continue;
		read++;
		if (mn_numa_mems_unpinned(&mems, mn_numa_host()))
			continue; /* runs anywhere: no say in the task's node */
		for (w = 0; w < array_size(all.w); w++)
			all.w[w] |= mems.w[w];
		if (!pinned++) {
			out->pid = pids[i];
			strlcpy(out->cpuset, file, sizeof(out->cpuset));
			strlcpy(out->mems, mems_list, sizeof(out->mems));
		}
	}
	if (!read) {
		strlcpy(out->why, why, sizeof(out->why));
		return;
	}
	if (!pinned) {
		snprintfrr(out->why, sizeof(out->why),
			   "its processes' cpusets allow every node (%s = %s)", file, mems_list);
		return;
	}
	out->node = mn_numa_node_of_mems(&all);
	if (out->node == MN_NUMA_NODE_NONE) {
		snprintf(out->why, sizeof(out->why), "its processes' cpusets allow nodes %s",
			 mn_numa_list_format(&all, list, sizeof(list)));
		return;
	}
	out->source = MN_TASK_NUMA_CGROUP;
}

void mn_task_numa_resolve(struct mn_task *task)
{
	struct mn_task_numa *n = &task->numa;
	int was = n->node;

	if (n->node_cfg != MN_NUMA_NODE_NONE) {
		n->node = n->node_cfg;
		n->source = MN_TASK_NUMA_CONFIGURED;
		n->pids = 0;
		n->cpuset[0] = n->mems[0] = n->why[0] = '\0';
	} else {
		mn_numa_task_detect(task->netns, n);
	}
	if (n->node == was)
		return;
	DEBUGD(&mn_dbg_numa, "NUMA: task %s on node %d (%s%s)", task->name, n->node,
	       n->source == MN_TASK_NUMA_CONFIGURED ? "configured"
	       : n->source == MN_TASK_NUMA_CGROUP   ? n->cpuset
						    : "unknown: ",
	       n->source == MN_TASK_NUMA_UNKNOWN ? n->why : "");
	if (task->status == MN_TASK_WIRED)
		mn_datapath_task_numa_set(task->name, n->node);
}

void mn_task_numa_node_set(struct mn_task *task, int node)
{
	task->numa.node_cfg = node;
	mn_task_numa_resolve(task);
}

/*
 * Looked up again, as cpusets change while a task runs; a wired task
 * whose node changed gets it handed down in place (no rewiring).
 */
static void task_recheck(struct event *t)
{
	struct mn_task *task;

	frr_each (mn_tasks, &mn_tasks, task) {
		if (task->status != MN_TASK_WIRED ||
		    task->numa.node_cfg != MN_NUMA_NODE_NONE)
			continue;
		mn_task_numa_resolve(task);
	}
	event_add_timer(master, task_recheck, NULL, MN_NUMA_TASK_RECHECK_S, &numa.t_recheck);
}

void mn_numa_init(void)
{
	char cpus[256];
	int node;

	host_read();
	for (node = mn_numa_set_first(&numa.topo.nodes); node >= 0;
	     node = mn_numa_set_next(&numa.topo.nodes, node))
		zlog_info("NUMA: node %d: CPUs %s (%s)", node,
			  mn_numa_list_format(&numa.topo.cpus[node], cpus, sizeof(cpus)),
			  numa.source);
	event_add_timer(master, task_recheck, NULL, MN_NUMA_TASK_RECHECK_S, &numa.t_recheck);
}

void mn_numa_terminate(void)
{
	event_cancel(&numa.t_recheck);
	event_cancel(&procs.t_drop);
	procs_index_clear();
	netns_procs_fini(&procs.index);
}
