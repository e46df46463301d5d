// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * multinicd: receive steering (see multinic_steer.h).
 */
#include <zebra.h>

#include <dirent.h>
#include <sys/stat.h>
#include <linux/if_link.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "lib/hash.h"
#include "lib/log.h"
#include "lib/memory.h"
#include "lib/typesafe.h"

#include "multinicd.h"
#include "multinic_debug.h"
#include "multinic_ebpf.h"
#include "multinic_ebpf_maps.h"
#include "multinic_errors.h"
#include "multinic_steer.h"
#include "multinic_steer_hw.h"
#include "multinicd/bpf/multinic_maps.h"
#include "multinicd/bpf/multinic_steer_maps.h"
#include "multinicd/bpf/steer.skel.h"

DEFINE_MTYPE_STATIC(MULTINICD, MN_STEER, "multinic receive steering");

/* A selected NIC and how it steers. */
PREDECL_HASH(steer_nics);
struct steer_nic {
	struct steer_nics_item item;
	ifindex_t ifindex;
	char name[IFNAMSIZ];
	struct mn_steer_caps caps;
	char found[192]; /* what the probe saw */
	enum mn_steer_method method;
	char why[160];
	int link_fd;  /* the XDP link, pinned; -1 when none */
	bool native;  /* XDP in the driver, else generic */
	bool seen;    /* still selected */
};

static int steer_nic_cmp(const struct steer_nic *a, const struct steer_nic *b)
{
	return numcmp(a->ifindex, b->ifindex);
}

static uint32_t steer_nic_hash(const struct steer_nic *n)
{
	return jhash_1word(n->ifindex, 0);
}

DECLARE_HASH(steer_nics, struct steer_nic, item, steer_nic_cmp, steer_nic_hash);

/* An attached task: its VIPs and node. */
PREDECL_HASH(steer_tasks);
struct steer_task {
	struct steer_tasks_item item;
	char name[MN_TASK_NAME_MAX + 1];
	bool has_vip[AFI_MAX];
	struct prefix vip[AFI_MAX];
	int node;
};

static int steer_task_cmp(const struct steer_task *a, const struct steer_task *b)
{
	return strcmp(a->name, b->name);
}

static uint32_t steer_task_hash(const struct steer_task *t)
{
	return string_hash_make(t->name);
}

DECLARE_HASH(steer_tasks, struct steer_task, item, steer_task_cmp, steer_task_hash);

static struct {
	enum mn_steering_mode mode; /* MN_STEER_OFF while not configured */
	const struct mn_numa_topology *topo;
	bool xdp_possible;	    /* probed at init */
	char xdp_why[160];
	bool loaded, load_failed;
	bool settled;
	struct steer_bpf *skel;
	struct steer_nics_head nics;
	struct steer_tasks_head tasks;
} st;

bool mn_steer_possible(char *why, size_t len)
{
	if (!st.xdp_possible)
		strlcpy(why, st.xdp_why, len);
	return st.xdp_possible;
}

/* XDP programs and cpumaps load here (libbpf's feature probes). */
static void probe_host(void)
{
	int prog, map;

	frr_with_privs (&multinic_privs) {
		prog = libbpf_probe_bpf_prog_type(BPF_PROG_TYPE_XDP, NULL);
		map = libbpf_probe_bpf_map_type(BPF_MAP_TYPE_CPUMAP, NULL);
	}
	st.xdp_possible = prog == 1 && map == 1;
	if (prog != 1)
		snprintf(st.xdp_why, sizeof(st.xdp_why), "XDP programs cannot be loaded%s%s",
			 prog < 0 ? ": " : "", prog < 0 ? safe_strerror(-prog) : "");
	else if (map != 1)
		snprintf(st.xdp_why, sizeof(st.xdp_why), "the kernel has no cpumap%s%s",
			 map < 0 ? ": " : "", map < 0 ? safe_strerror(-map) : "");
}

/*
 * Loading, and the CPU maps (once: the topology does not change)
 */

static void cpu_maps_write(void)
{
	struct bpf_cpumap_val val = { .qsize = MN_STEER_QSIZE };
	int fd_node = bpf_map__fd(st.skel->maps.mn_steer_cpu_node);
	int fd_cpus = bpf_map__fd(st.skel->maps.mn_steer_node_cpus);
	int fd_map = bpf_map__fd(st.skel->maps.mn_steer_cpumap);
	struct mn_steer_cpus cpus;
	uint32_t key, none = MN_STEER_NO_NODE;
	int node, cpu;

	frr_with_privs (&multinic_privs) {
		for (key = 0; key < MN_STEER_MAX_CPUS; key++)
			bpf_map_update_elem(fd_node, &key, &none, BPF_ANY);
		for (node = mn_numa_set_first(&st.topo->nodes); node >= 0 && node < MN_STEER_NODES;
		     node = mn_numa_set_next(&st.topo->nodes, node)) {
			memset(&cpus, 0, sizeof(cpus));
			for (cpu = mn_numa_set_first(&st.topo->cpus[node]);
			     cpu >= 0 && cpu < MN_STEER_MAX_CPUS;
			     cpu = mn_numa_set_next(&st.topo->cpus[node], cpu)) {
				key = cpu;
				bpf_map_update_elem(fd_node, &key, &node, BPF_ANY);
				if (bpf_map_update_elem(fd_map, &key, &val, BPF_ANY) < 0) {
					flog_warn(EC_MULTINIC_BPF,
						  "receive steering: CPU %d of node %d: cpumap: %s",
						  cpu, node, safe_strerror(errno));
					continue;
				}
				if (cpus.count < MN_STEER_NODE_CPUS)
					cpus.cpu[cpus.count++] = cpu;
			}
			key = node;
			bpf_map_update_elem(fd_cpus, &key, &cpus, BPF_ANY);
		}
	}
}

static bool steer_load(void)
{
	LIBBPF_OPTS(bpf_object_open_opts, opts, .pin_root_path = MN_PIN_MAPS);
	int ncpu = libbpf_num_possible_cpus(), err = 0;

	if (st.loaded || st.load_failed)
		return st.loaded;
	frr_with_privs (&multinic_privs) {
		err = mn_ebpf_bpffs_ready();
		if (!err && mkdir(MN_STEER_PIN_LINKS, 0700) < 0 && errno != EEXIST)
			err = -errno;
		if (!err) {
			st.skel = steer_bpf__open_opts(&opts);
			err = st.skel ? 0 : -errno;
		}
		/* the kernel takes no more cpumap entries than it has possible CPUs */
		if (!err && ncpu > 0 && ncpu < MN_STEER_MAX_CPUS)
			err = bpf_map__set_max_entries(st.skel->maps.mn_steer_cpumap, ncpu);
		if (!err)
			err = steer_bpf__load(st.skel);
	}
	if (err) {
		flog_err(EC_MULTINIC_BPF, "receive steering: cannot load mn_steer: %s",
			 safe_strerror(-err));
		steer_bpf__destroy(st.skel);
		st.skel = NULL;
		st.load_failed = true;
		snprintf(st.xdp_why, sizeof(st.xdp_why), "mn_steer could not be loaded: %s",
			 safe_strerror(-err));
		return false;
	}
	st.loaded = true;
	cpu_maps_write();
	zlog_info("receive steering: mn_steer loaded, maps pinned under %s", MN_PIN_MAPS);
	return true;
}

/*
 * Task addresses
 */

/* The task's VIPs in mn_steer_dsts while it has a node, else out. */
static void task_dsts_write(const struct steer_task *t, bool remove)
{
	struct mn_steer_dst dst = { .node = t->node };
	struct mn_addr_key key;
	int fd;
	afi_t afi;

	if (!st.loaded)
		return;
	fd = bpf_map__fd(st.skel->maps.mn_steer_dsts);
	frr_with_privs (&multinic_privs) {
		for (afi = AFI_IP; afi <= AFI_IP6; afi++) {
			if (!t->has_vip[afi])
				continue;
			mn_ebpf_addr_key(&t->vip[afi], &key);
			if (remove || t->node < 0)
				bpf_map_delete_elem(fd, &key);
			else
				bpf_map_update_elem(fd, &key, &dst, BPF_ANY);
		}
	}
}

static bool dst_claimed(const struct mn_addr_key *key)
{
	const struct steer_task *t;
	struct mn_addr_key k;
	afi_t afi;

	frr_each (steer_tasks_const, &st.tasks, t)
		for (afi = AFI_IP; afi <= AFI_IP6; afi++) {
			if (!t->has_vip[afi] || t->node < 0)
				continue;
			mn_ebpf_addr_key(&t->vip[afi], &k);
			if (!memcmp(&k, key, sizeof(k)))
				return true;
		}
	return false;
}

/* What an earlier multinicd left for tasks this one does not have. */
static void dsts_trim(void)
{
	struct mn_addr_key key, next;
	int fd;
	bool more;

	if (!st.loaded || !st.settled)
		return;
	fd = bpf_map__fd(st.skel->maps.mn_steer_dsts);
	frr_with_privs (&multinic_privs) {
		/* the next key is read before the current one is deleted */
		for (more = bpf_map_get_next_key(fd, NULL, &key) == 0; more; key = next) {
			more = bpf_map_get_next_key(fd, &key, &next) == 0;
			if (!dst_claimed(&key))
				bpf_map_delete_elem(fd, &key);
		}
	}
}

/*
 * NICs
 */

static void pin_path(const char *ifname, char *buf, size_t len)
{
	snprintf(buf, len, "%s/nic-%s", MN_STEER_PIN_LINKS, ifname);
}

/* A pinned link of ours on this NIC (a restarted multinicd's predecessor's). */
static int pinned_link(const struct steer_nic *n)
{
	struct bpf_link_info info = {};
	uint32_t len = sizeof(info);
	char path[PATH_MAX];
	int fd;

	pin_path(n->name, path, sizeof(path));
	frr_with_privs (&multinic_privs)
		fd = bpf_obj_get(path);
	if (fd < 0)
		return -1;
	if (bpf_link_get_info_by_fd(fd, &info, &len) < 0 || info.type != BPF_LINK_TYPE_XDP ||
	    info.xdp.ifindex != (uint32_t)n->ifindex) {
		close(fd);
		frr_with_privs (&multinic_privs)
			unlink(path); /* a stale pin: the device was replaced */
		return -1;
	}
	return fd;
}

/*
 * mn_steer in XDP on the NIC: native where the driver has it, generic
 * otherwise; pinned.  A pinned link found there gets this program.
 */
static int xdp_attach(struct steer_nic *n, char *err, size_t len)
{
	LIBBPF_OPTS(bpf_link_create_opts, opts);
	int prog = bpf_program__fd(st.skel->progs.mn_steer), fd, ret = 0;
	char path[PATH_MAX];

	if (n->link_fd >= 0)
		return 0;
	fd = pinned_link(n);
	if (fd >= 0) {
		frr_with_privs (&multinic_privs)
			ret = bpf_link_update(fd, prog, NULL);
		if (ret == 0) {
			n->link_fd = fd;
			DEBUGD(&mn_dbg_numa, "receive steering: mn_steer adopted on %s", n->name);
			return 0;
		}
		close(fd);
	}
	frr_with_privs (&multinic_privs) {
		opts.flags = XDP_FLAGS_DRV_MODE;
		fd = bpf_link_create(prog, n->ifindex, BPF_XDP, &opts);
		n->native = fd >= 0;
		if (fd < 0) {
			opts.flags = XDP_FLAGS_SKB_MODE;
			fd = bpf_link_create(prog, n->ifindex, BPF_XDP, &opts);
		}
		if (fd >= 0) {
			pin_path(n->name, path, sizeof(path));
			if (bpf_obj_pin(fd, path) < 0)
				zlog_warn("receive steering: cannot pin %s: %s", path,
					  safe_strerror(errno));
		}
	}
	if (fd < 0) {
		snprintf(err, len, "NIC %s: cannot attach mn_steer in XDP: %s%s", n->name,
			 safe_strerror(errno),
			 errno == EBUSY || errno == EEXIST ? " (another XDP program is there)" : "");
		return -errno;
	}
	n->link_fd = fd;
	DEBUGD(&mn_dbg_numa, "receive steering: mn_steer on %s (XDP %s)", n->name,
	       n->native ? "native" : "generic");
	return 0;
}

static void xdp_detach(struct steer_nic *n)
{
	char path[PATH_MAX];

	if (n->link_fd < 0)
		n->link_fd = pinned_link(n);
	if (n->link_fd < 0)
		return;
	pin_path(n->name, path, sizeof(path));
	frr_with_privs (&multinic_privs) {
		unlink(path);
		bpf_link_detach(n->link_fd); /* off now, whoever else holds it */
	}
	close(n->link_fd);
	n->link_fd = -1;
	DEBUGD(&mn_dbg_numa, "receive steering: mn_steer off %s", n->name);
}

/* The method for a NIC under the mode, and putting it in place. */
static int nic_apply(struct steer_nic *n, char *err, size_t len)
{
	n->caps.xdp = st.xdp_possible && !st.load_failed;
	n->method = mn_steer_method_pick(st.mode, &n->caps, n->why, sizeof(n->why));
	if (!n->caps.xdp && n->method == MN_STEER_M_NONE && st.mode != MN_STEER_OFF &&
	    st.xdp_why[0])
		strlcpy(n->why, st.xdp_why, sizeof(n->why)); /* the host's reason, more precise */
	/*
	 * Hardware steering is probed and shown, but this release puts
	 * nothing into the NIC: where it could, the program steers.
	 */
	if (n->method == MN_STEER_M_HARDWARE) {
		n->method = n->caps.xdp ? MN_STEER_M_XDP : MN_STEER_M_NONE;
		snprintf(n->why, sizeof(n->why),
			 "the steering program: this release does not program RSS contexts and ntuple rules");
	}
	if (n->method != MN_STEER_M_XDP || !steer_load()) {
		/* an earlier multinicd's link stays until the configuration is known */
		if (n->link_fd >= 0 || st.settled)
			xdp_detach(n);
		if (n->method == MN_STEER_M_XDP) {
			n->method = MN_STEER_M_NONE;
			strlcpy(n->why, st.xdp_why, sizeof(n->why));
		}
		return 0;
	}
	return xdp_attach(n, err, len);
}

static struct steer_nic *nic_find(ifindex_t ifindex)
{
	struct steer_nic key = { .ifindex = ifindex };

	return steer_nics_find(&st.nics, &key);
}

/* What the NIC offers; its interrupts' nodes once the topology is known. */
static void nic_probe(struct steer_nic *n)
{
	static const struct mn_numa_topology none;

	mn_steer_hw_probe(n->name, st.topo ? st.topo : &none, &n->caps, n->found,
			  sizeof(n->found));
	DEBUGD(&mn_dbg_numa, "receive steering: NIC %s: %s", n->name, n->found);
}

static struct steer_nic *nic_get(const struct mn_dp_nic *d)
{
	struct steer_nic *n = nic_find(d->ifindex);

	if (n)
		return n;
	n = XCALLOC(MTYPE_MN_STEER, sizeof(*n));
	n->ifindex = d->ifindex;
	n->link_fd = -1;
	strlcpy(n->name, d->name, sizeof(n->name));
	nic_probe(n);
	steer_nics_add(&st.nics, n);
	return n;
}

static void nic_free(struct steer_nic *n)
{
	xdp_detach(n);
	steer_nics_del(&st.nics, n);
	XFREE(MTYPE_MN_STEER, n);
}

static int nics_apply(char *err, size_t len)
{
	struct steer_nic *n;
	int ret = 0;

	frr_each (steer_nics, &st.nics, n)
		if (nic_apply(n, err, len) < 0)
			ret = -EIO;
	return ret;
}

/* Pins of NICs not selected any more (an earlier multinicd's), once settled. */
static void pins_trim(void)
{
	char path[PATH_MAX];
	struct steer_nic *n;
	struct dirent *de;
	bool ours;
	DIR *dir;

	if (!st.settled)
		return;
	frr_with_privs (&multinic_privs) {
		dir = opendir(MN_STEER_PIN_LINKS);
		while (dir && (de = readdir(dir))) {
			if (strncmp(de->d_name, "nic-", 4))
				continue;
			ours = false;
			frr_each (steer_nics, &st.nics, n)
				ours |= n->link_fd >= 0 && !strcmp(de->d_name + 4, n->name);
			if (ours)
				continue;
			snprintf(path, sizeof(path), "%s/%s", MN_STEER_PIN_LINKS, de->d_name);
			unlink(path); /* its program comes off with its last reference */
		}
		if (dir)
			closedir(dir);
	}
}

/*
 * The datapath switch's calls
 */

static int steer_config_changed(const struct mn_dp_config *cfg, bool active, char *err, size_t len)
{
	enum mn_steering_mode was = st.mode;
	const struct steer_task *t;
	struct steer_nic *n;

	st.mode = active ? cfg->steering : MN_STEER_OFF;
	if (!st.topo && cfg->topology) {
		st.topo = cfg->topology;
		frr_each (steer_nics, &st.nics, n)
			nic_probe(n); /* NICs handed down before: their interrupts' nodes */
	}
	if (st.mode == was)
		return 0;
	zlog_info("receive steering: %s", mn_steering_mode_name(st.mode));
	if (st.mode != MN_STEER_OFF && steer_load())
		frr_each (steer_tasks_const, &st.tasks, t)
			task_dsts_write(t, false);
	return nics_apply(err, len);
}

static int steer_nics_changed(const struct mn_dp_nic *nics, unsigned int n_nics, char *err,
			      size_t len)
{
	struct steer_nic *n;
	unsigned int i;
	int ret;

	frr_each (steer_nics, &st.nics, n)
		n->seen = false;
	for (i = 0; i < n_nics; i++) {
		if (nics[i].ifindex == IFINDEX_INTERNAL)
			continue;
		n = nic_find(nics[i].ifindex);
		if (n && strcmp(n->name, nics[i].name)) {
			nic_free(n); /* renamed: probe it again */
			n = NULL;
		}
		n = nic_get(&nics[i]);
		n->seen = true;
	}
	frr_each_safe (steer_nics, &st.nics, n)
		if (!n->seen)
			nic_free(n);
	ret = nics_apply(err, len);
	pins_trim();
	return ret;
}

static struct steer_task *task_find(const char *name)
{
	struct steer_task key = {};

	strlcpy(key.name, name, sizeof(key.name));
	return steer_tasks_find(&st.tasks, &key);
}

static int steer_task_attach(const struct mn_task_wiring *w, char *err, size_t len)
{
	struct steer_task *t = task_find(w->name);

	if (!t) {
		t = XCALLOC(MTYPE_MN_STEER, sizeof(*t));
		strlcpy(t->name, w->name, sizeof(t->name));
		steer_tasks_add(&st.tasks, t);
	}
	memcpy(t->has_vip, w->has_vip, sizeof(t->has_vip));
	memcpy(t->vip, w->vip, sizeof(t->vip));
	t->node = w->numa_node;
	task_dsts_write(t, false);
	return 0;
}

static void steer_task_detach(const char *name)
{
	struct steer_task *t = task_find(name);

	if (!t)
		return;
	task_dsts_write(t, true);
	steer_tasks_del(&st.tasks, t);
	XFREE(MTYPE_MN_STEER, t);
}

static int steer_task_numa_changed(const char *name, int node, char *err, size_t len)
{
	struct steer_task *t = task_find(name);

	if (!t)
		return 0;
	t->node = node;
	task_dsts_write(t, false);
	return 0;
}

static void steer_tasks_settled(void)
{
	st.settled = true;
	dsts_trim();
	pins_trim();
}

/* Links stay pinned: steering goes on until the next multinicd adopts them. */
static void steer_terminate(void)
{
	struct steer_nic *n;
	struct steer_task *t;

	while ((n = steer_nics_pop(&st.nics))) {
		if (n->link_fd >= 0)
			close(n->link_fd);
		XFREE(MTYPE_MN_STEER, n);
	}
	while ((t = steer_tasks_pop(&st.tasks)))
		XFREE(MTYPE_MN_STEER, t);
	steer_nics_fini(&st.nics);
	steer_tasks_fini(&st.tasks);
	steer_bpf__destroy(st.skel);
	memset(&st, 0, sizeof(st));
}

static bool steer_nic_view(ifindex_t ifindex, struct mn_dp_steer_view *v)
{
	const struct steer_nic *n = nic_find(ifindex);
	int ncpu = libbpf_num_possible_cpus(), i;
	struct mn_steer_stats *s;
	uint32_t key = ifindex;
	bool ok = false;

	memset(v, 0, sizeof(*v));
	if (!n)
		return false;
	v->method = n->method;
	v->caps = n->caps;
	strlcpy(v->why, n->why, sizeof(v->why));
	if (n->method == MN_STEER_M_XDP) {
		char path[PATH_MAX];

		pin_path(n->name, path, sizeof(path));
		snprintfrr(v->detail, sizeof(v->detail), "mn_steer in XDP (%s), pinned %s",
			 n->native ? "native" : "generic", path);
	}
	strlcpy(v->found, n->found, sizeof(v->found));
	if (!st.loaded || ncpu <= 0)
		return true;
	s = XCALLOC(MTYPE_MN_STEER, ncpu * sizeof(*s));
	frr_with_privs (&multinic_privs)
		ok = bpf_map_lookup_elem(bpf_map__fd(st.skel->maps.mn_steer_stats), &key, s) == 0;
	for (i = 0; ok && i < ncpu; i++) {
		v->steered += s[i].steered;
		v->on_node += s[i].on_node;
		v->no_cpu += s[i].no_cpu;
		v->errors += s[i].errors;
	}
	XFREE(MTYPE_MN_STEER, s);
	return true;
}

static const struct mn_datapath_ops steer_ops = {
	.name = "steering",
	.config_changed = steer_config_changed,
	.nics_changed = steer_nics_changed,
	.task_attach = steer_task_attach,
	.task_detach = steer_task_detach,
	.task_numa_changed = steer_task_numa_changed,
	.tasks_settled = steer_tasks_settled,
	.terminate = steer_terminate,
	.nic_steering = steer_nic_view,
};

const struct mn_datapath_ops *mn_steer_datapath(void)
{
	steer_nics_init(&st.nics);
	steer_tasks_init(&st.tasks);
	probe_host();
	strlcpy(st.xdp_why, st.xdp_possible ? "" : st.xdp_why, sizeof(st.xdp_why));
	return &steer_ops;
}
