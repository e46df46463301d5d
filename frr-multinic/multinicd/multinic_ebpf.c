// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * multinicd: the eBPF egress datapath: loading, adoption after a restart,
 * per-task records (see multinic_ebpf.h).
 */
#include <zebra.h>

#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <linux/magic.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "lib/hash.h"
#include "lib/if.h"
#include "lib/log.h"
#include "lib/memory.h"
#include "lib/typesafe.h"
#include "lib/vrf.h"

#include "multinicd.h"
#include "multinic_caps.h"
#include "multinic_datapath_ops.h"
#include "multinic_debug.h"
#include "multinic_ebpf.h"
#include "multinic_ebpf_flows.h"
#include "multinic_ebpf_link.h"
#include "multinic_ebpf_maps.h"
#include "multinic_ebpf_numa.h"
#include "multinic_errors.h"
#include "multinicd/bpf/multinic_maps.h"
#include "multinicd/bpf/egress.skel.h"
#include "multinicd/bpf/ingress.skel.h"

DEFINE_MTYPE_STATIC(MULTINICD, MN_EBPF_TASK, "multinic eBPF task record");
DEFINE_MTYPE_STATIC(MULTINICD, MN_EBPF_NICS, "multinic eBPF NIC list");

#define BPFFS "/sys/fs/bpf"
#define LOAD_FAILED "the eBPF programs could not be loaded (see the log)"

/* A task whose device carries mn_egress, and the addresses it steers. */
PREDECL_HASH(ebpf_tasks);
struct ebpf_task {
	struct ebpf_tasks_item item;
	char name[MN_TASK_NAME_MAX + 1];
	char host_ifname[IFNAMSIZ];
	ifindex_t host_ifindex;
	bool netkit;
	struct bpf_link *link; /* its pinned link; NULL on clsact */
	bool has_vip[AFI_MAX];
	struct prefix vip[AFI_MAX];
	unsigned int naddrs;
	struct mn_dp_task_addr *addrs;
	int numa_node;
};

static int ebpf_task_cmp(const struct ebpf_task *a, const struct ebpf_task *b)
{
	return strcmp(a->name, b->name);
}

static uint32_t ebpf_task_hash(const struct ebpf_task *t)
{
	return string_hash_make(t->name);
}

DECLARE_HASH(ebpf_tasks, struct ebpf_task, item, ebpf_task_cmp, ebpf_task_hash);

static struct {
	bool active; /* the datapath switch wants eBPF to carry the tasks */
	bool loaded;
	bool failed; /* loading failed: not retried on every event */
	/*
	 * Until settled, maps are only added to: a restarted multinicd does
	 * not yet know every NIC and address the pinned maps use.
	 */
	bool settled;
	/* The configuration is loaded: its tasks, hence what is ours, known. */
	bool config_known;
	/* everything is off the hooks (ebpf_stop()): nothing to do again */
	bool stopped;
	struct mn_dp_config cfg; /* as last handed down */
	struct egress_bpf *egress;
	struct ingress_bpf *ingress;
	struct mn_dp_nic *nics; /* the selected NICs, as last handed down */
	unsigned int n_nics;
	struct ebpf_tasks_head tasks;
} eb;

/*
 * Loading
 */

int mn_ebpf_bpffs_ready(void)
{
	struct statfs st;

	if (statfs(BPFFS, &st) < 0 || st.f_type != BPF_FS_MAGIC) {
		/* Not mounted (e.g. a fresh mount namespace): mount it. */
		if (mount("bpf", BPFFS, "bpf", 0, "mode=0700") < 0) {
			flog_err(EC_MULTINIC_BPF, "cannot mount bpffs on %s: %s", BPFFS,
				 safe_strerror(errno));
			return -errno;
		}
	}
	/* libbpf creates only the last directory of a pin path. */
	if ((mkdir(MN_PIN_ROOT, 0700) < 0 && errno != EEXIST) ||
	    (mkdir(MN_PIN_LINKS, 0700) < 0 && errno != EEXIST)) {
		flog_err(EC_MULTINIC_BPF, "cannot create %s: %s", MN_PIN_LINKS,
			 safe_strerror(errno));
		return -errno;
	}
	return 0;
}

static void maps_hand_over(void)
{
	const struct mn_ebpf_map_fds fds = {
		.config = bpf_map__fd(eb.egress->maps.mn_config),
		.nics = bpf_map__fd(eb.egress->maps.mn_nics),
		.maglev = bpf_map__fd(eb.egress->maps.mn_maglev),
		.addrs = bpf_map__fd(eb.egress->maps.mn_addrs),
		.nic_stats = bpf_map__fd(eb.egress->maps.mn_nic_stats),
		.task_stats = bpf_map__fd(eb.egress->maps.mn_task_stats),
	};
	const struct mn_ebpf_numa_fds numa_fds = {
		.tasks = bpf_map__fd(eb.egress->maps.mn_numa_tasks),
		.nodes = bpf_map__fd(eb.egress->maps.mn_numa_nodes),
		.maglev = bpf_map__fd(eb.egress->maps.mn_maglev_node),
		.stats = bpf_map__fd(eb.egress->maps.mn_numa_stats),
		.task_stats = fds.task_stats,
	};

	mn_ebpf_maps_set(&fds);
	mn_ebpf_flows_set(bpf_map__fd(eb.egress->maps.mn_flows),
			  bpf_map__fd(eb.egress->maps.mn_nic_load),
			  bpf_program__fd(eb.egress->progs.mn_sweep_arm));
	mn_ebpf_numa_maps_set(&numa_fds);
}

static bool ebpf_load(void)
{
	LIBBPF_OPTS(bpf_object_open_opts, opts, .pin_root_path = MN_PIN_MAPS);
	unsigned int adopted;
	int err = 0;

	if (eb.loaded)
		return true;
	if (eb.failed)
		return false;
	frr_with_privs (&multinic_privs) {
		if (mn_ebpf_bpffs_ready() < 0) {
			err = -1;
			break;
		}
		eb.egress = egress_bpf__open_opts(&opts);
		eb.ingress = ingress_bpf__open_opts(&opts);
		if (!eb.egress || !eb.ingress) {
			err = -errno;
			break;
		}
		err = egress_bpf__load(eb.egress);
		if (!err)
			err = ingress_bpf__load(eb.ingress);
	}
	if (err) {
		flog_err(EC_MULTINIC_BPF, "eBPF datapath: cannot load the programs: %s",
			 safe_strerror(-err));
		egress_bpf__destroy(eb.egress);
		ingress_bpf__destroy(eb.ingress);
		eb.egress = NULL;
		eb.ingress = NULL;
		eb.failed = true;
		return false;
	}
	eb.loaded = true;
	maps_hand_over();
	frr_with_privs (&multinic_privs)
		adopted = mn_ebpf_slots_adopt();
	/* what an earlier multinicd left: hold the maps until tasks settle */
	eb.settled = adopted == 0 || eb.config_known;
	zlog_info("eBPF datapath: programs loaded, maps pinned under %s%s", MN_PIN_MAPS,
		  adopted ? " (adopted from a previous multinicd)" : "");
	return true;
}

static int prog_fd(bool egress)
{
	return bpf_program__fd(egress ? eb.egress->progs.mn_egress : eb.ingress->progs.mn_ingress);
}

/*
 * Hooks
 */

/* NICs and veth: tcx where the kernel has it, else clsact. */
static enum mn_ebpf_hook veth_hook(void)
{
	return multinic_caps.has.tcx ? MN_HOOK_TCX : MN_HOOK_CLSACT;
}

/*
 * The netkit path: mn_egress on BPF_NETKIT_PEER of the primary (the host
 * end), where it runs in the peer's xmit, i.e. on every packet the task
 * sends, with skb->dev already the primary.  A veth gets it on its tcx
 * (or clsact) ingress, the same place seen from the host.
 */
static enum mn_ebpf_hook task_hook(const struct ebpf_task *t)
{
	return t->netkit ? MN_HOOK_NETKIT : veth_hook();
}

/*
 * Addresses: the host's own, then the attached tasks' (an entry enables
 * steering for its address: tasks come last, once mn_nics is ready).
 */

static bool is_task_device(ifindex_t ifindex)
{
	struct ebpf_task *t;

	frr_each (ebpf_tasks, &eb.tasks, t)
		if (t->host_ifindex == ifindex)
			return true;
	return false;
}

/* The host's own addresses (not link-local: the programs skip those). */
static void host_addrs(struct mn_ebpf_addr_set *set)
{
	struct vrf *vrf = vrf_lookup_by_id(VRF_DEFAULT);
	struct interface *ifp;
	struct connected *ifc;

	if (!vrf)
		return;
	FOR_ALL_INTERFACES (vrf, ifp) {
		if (is_task_device(ifp->ifindex))
			continue;
		frr_each (if_connected, ifp->connected, ifc) {
			const struct prefix *p = ifc->address;

			if (p->family == AF_INET6 && IN6_IS_ADDR_LINKLOCAL(&p->u.prefix6))
				continue;
			mn_ebpf_addr_set_add(set, p, 0, MN_NIC_NONE);
		}
	}
}

static void task_addrs(struct mn_ebpf_addr_set *set, const struct ebpf_task *t)
{
	unsigned int i;
	afi_t afi;

	for (afi = AFI_IP; afi <= AFI_IP6; afi++)
		if (t->has_vip[afi])
			mn_ebpf_addr_set_add(set, &t->vip[afi], t->host_ifindex, MN_NIC_NONE);
	for (i = 0; i < t->naddrs; i++)
		mn_ebpf_addr_set_add(set, &t->addrs[i].addr, t->host_ifindex,
				     mn_ebpf_slot_of(t->addrs[i].nic_ifindex));
}

/*
 * One task's addresses in or out of mn_addrs: wiring or removing a task
 * costs its own entries, not a rewrite of the whole map.
 */
static void task_addrs_write(const struct ebpf_task *t, bool add)
{
	struct mn_ebpf_addr_set *set = mn_ebpf_addr_set_new();

	task_addrs(set, t);
	if (add)
		mn_ebpf_addrs_write(set, false);
	else
		mn_ebpf_addrs_delete(set);
	mn_ebpf_addr_set_free(&set);
}

static void addrs_update(void)
{
	struct mn_ebpf_addr_set *set = mn_ebpf_addr_set_new();
	struct ebpf_task *t;

	host_addrs(set);
	frr_each (ebpf_tasks, &eb.tasks, t)
		task_addrs(set, t);
	mn_ebpf_addrs_write(set, eb.settled);
	mn_ebpf_addr_set_free(&set);
}

/*
 * NICs: a slot each in the maps, mn_ingress on each
 */

static void slot_release(struct mn_ebpf_slot *s)
{
	if (s->attached)
		mn_ebpf_hook_detach(s->ifindex, veth_hook(), &s->link);
	s->attached = false;
}

static bool nic_selected(ifindex_t ifindex)
{
	unsigned int i;

	for (i = 0; i < eb.n_nics; i++)
		if (eb.nics[i].ifindex == ifindex)
			return true;
	return false;
}

static int nic_links_update(char *err, size_t len)
{
	char path[PATH_MAX], why[256];
	struct mn_ebpf_slot *s;
	uint32_t i;
	int ret = 0;

	for (i = 0; i < MN_MAX_NICS; i++) {
		s = mn_ebpf_slot(i);
		if (!s->ifindex || s->attached || !nic_selected(s->ifindex))
			continue;
		mn_ebpf_nic_pin_path(s->name, path, sizeof(path));
		if (mn_ebpf_hook_attach(path, prog_fd(false), "mn_ingress", s->ifindex,
					veth_hook(), true, &s->link, why, sizeof(why)) < 0) {
			snprintf(err, len, "NIC %s: %s", s->name, why);
			ret = -EIO;
			continue;
		}
		s->attached = true;
		strlcpy(s->pinned_as, s->name, sizeof(s->pinned_as));
		DEBUGD(&mn_dbg_bpf, "eBPF datapath: mn_ingress on NIC %s (%s)", s->name,
		       mn_ebpf_hook_name(veth_hook()));
	}
	return ret;
}

/*
 * A NIC renamed while its program is on it (same ifindex): its link's pin
 * follows the name, so that the pin never names another device.
 */
static void nic_links_repin(void)
{
	char path[PATH_MAX];
	struct mn_ebpf_slot *s;
	uint32_t i;
	int ret;

	for (i = 0; i < MN_MAX_NICS; i++) {
		s = mn_ebpf_slot(i);
		if (!s->link || !strcmp(s->pinned_as, s->name))
			continue;
		mn_ebpf_nic_pin_path(s->name, path, sizeof(path));
		frr_with_privs (&multinic_privs) {
			bpf_link__unpin(s->link);
			ret = bpf_link__pin(s->link, path);
		}
		if (ret < 0)
			flog_err(EC_MULTINIC_BPF, "eBPF datapath: cannot pin NIC %s's link at %s: %s",
				 s->name, path, safe_strerror(-ret));
		else
			DEBUGD(&mn_dbg_bpf, "eBPF datapath: NIC %s renamed %s, its link pinned at %s",
			       s->pinned_as, s->name, path);
		strlcpy(s->pinned_as, s->name, sizeof(s->pinned_as));
	}
}

/*
 * Everything the maps and the NICs' hooks need, from what was handed
 * down.  Errors are the NICs' hooks' (the caller decides on a fall-back).
 */
static int ebpf_sync(char *err, size_t len)
{
	if (!ebpf_load()) {
		snprintf(err, len, "%s", LOAD_FAILED);
		return -ENOTSUP;
	}
	eb.stopped = false;
	mn_ebpf_slots_assign(eb.nics, eb.n_nics, eb.settled, slot_release);
	if (eb.settled) {
		mn_ebpf_config_write(&eb.cfg);
		/*
		 * Least-loaded needs its sweep running in the datapath
		 * (multinic_ebpf_flows.h); under hash it stops by itself.
		 * Started here, not by the map writer: the flow table reads
		 * the slots, so the maps stay below it.
		 */
		if (eb.cfg.placement == MN_PLACEMENT_LEAST_LOADED)
			mn_ebpf_flows_sweep_start();
		mn_ebpf_nics_write(eb.nics, eb.n_nics);
		mn_ebpf_maglev_write(eb.nics, eb.n_nics);
	}
	mn_ebpf_numa_sync(eb.nics, eb.n_nics, eb.cfg.numa_policy, eb.settled);
	addrs_update();
	nic_links_repin();
	return nic_links_update(err, len);
}

/*
 * Tasks
 */

static struct ebpf_task *task_find(const char *name)
{
	struct ebpf_task key = {};

	strlcpy(key.name, name, sizeof(key.name));
	return ebpf_tasks_find(&eb.tasks, &key);
}

static void task_free(struct ebpf_task *t)
{
	ebpf_tasks_del(&eb.tasks, t);
	XFREE(MTYPE_MN_EBPF_TASK, t->addrs);
	XFREE(MTYPE_MN_EBPF_TASK, t);
}

static struct ebpf_task *task_new(const struct mn_task_wiring *w)
{
	struct ebpf_task *t = XCALLOC(MTYPE_MN_EBPF_TASK, sizeof(*t));

	strlcpy(t->name, w->name, sizeof(t->name));
	strlcpy(t->host_ifname, w->host_ifname, sizeof(t->host_ifname));
	t->host_ifindex = w->host_ifindex;
	t->netkit = w->device == MN_DP_DEV_NETKIT;
	memcpy(t->has_vip, w->has_vip, sizeof(t->has_vip));
	memcpy(t->vip, w->vip, sizeof(t->vip));
	t->naddrs = w->naddrs;
	t->numa_node = w->numa_node;
	if (w->naddrs) {
		t->addrs = XCALLOC(MTYPE_MN_EBPF_TASK, w->naddrs * sizeof(*t->addrs));
		memcpy(t->addrs, w->addrs, w->naddrs * sizeof(*t->addrs));
	}
	ebpf_tasks_add(&eb.tasks, t);
	return t;
}

/* The task's program comes off and its counters go (its ifindex may be reused). */
static void task_unhook(struct ebpf_task *t)
{
	mn_ebpf_hook_detach(t->host_ifindex, task_hook(t), &t->link);
	mn_ebpf_task_counters_delete(t->host_ifindex);
	mn_ebpf_numa_task_del(t->host_ifindex);
	DEBUGD(&mn_dbg_bpf, "eBPF datapath: mn_egress off task %s (%s)", t->name, t->host_ifname);
}

static int ebpf_task_attach(const struct mn_task_wiring *w, char *err, size_t len)
{
	char path[PATH_MAX];
	struct ebpf_task *t;
	int ret;

	if (!eb.active || task_find(w->name))
		return 0;
	if (!ebpf_load()) {
		snprintf(err, len, "%s", LOAD_FAILED);
		return -ENOTSUP;
	}
	t = task_new(w);
	mn_ebpf_task_pin_path(t->name, path, sizeof(path));
	ret = mn_ebpf_hook_attach(path, prog_fd(true), "mn_egress", t->host_ifindex, task_hook(t),
				  w->adopted, &t->link, err, len);
	if (ret < 0) {
		task_free(t);
		return ret;
	}
	mn_ebpf_task_counters_create(t->host_ifindex);
	DEBUGD(&mn_dbg_bpf, "eBPF datapath: mn_egress on task %s (%s, %s)", t->name,
	       t->host_ifname, mn_ebpf_hook_name(task_hook(t)));
	mn_ebpf_numa_task_set(t->host_ifindex, t->numa_node); /* its node, before its addresses */
	mn_ebpf_numa_task_sync(t->host_ifindex, eb.nics, eb.n_nics, eb.cfg.numa_policy,
			       eb.settled);
	task_addrs_write(t, true); /* its addresses into mn_addrs */
	return 0;
}

static int ebpf_task_numa_changed(const char *name, int node, char *err, size_t len)
{
	struct ebpf_task *t = task_find(name);

	if (!t)
		return 0;
	t->numa_node = node;
	mn_ebpf_numa_task_set(t->host_ifindex, node);
	mn_ebpf_numa_task_sync(t->host_ifindex, eb.nics, eb.n_nics, eb.cfg.numa_policy,
			       eb.settled);
	return 0;
}

/* Only its addresses go from mn_addrs: the rest of the maps does not depend on tasks. */
static void ebpf_task_detach(const char *name)
{
	struct ebpf_task *t = task_find(name);

	if (!t)
		return;
	task_unhook(t);
	if (eb.loaded)
		task_addrs_write(t, false);
	task_free(t);
}

/*
 * Off: everything this multinicd attached, and what an earlier multinicd
 * left and this one did not take over (it may not even have loaded): its
 * programs would go on steering with its maps.  Every pin goes, tasks
 * this one does not know included (unlinking the pin drops the link's
 * last reference); our clsact filters go from every device.
 */
static void ebpf_stop(void)
{
	struct vrf *vrf = vrf_lookup_by_id(VRF_DEFAULT);
	struct ebpf_task *t;
	struct interface *ifp;
	uint32_t i;

	while ((t = ebpf_tasks_first(&eb.tasks))) {
		task_unhook(t);
		task_free(t);
	}
	for (i = 0; i < MN_MAX_NICS; i++)
		slot_release(mn_ebpf_slot(i));
	mn_ebpf_pins_remove();
	if (vrf && !multinic_caps.has.tcx)
		FOR_ALL_INTERFACES (vrf, ifp)
			if (ifp->ifindex != IFINDEX_INTERNAL)
				mn_ebpf_tc_detach(ifp->ifindex);
	/* placement hash: least-loaded's sweep timer stops by itself */
	if (eb.loaded)
		mn_ebpf_config_clear();
	eb.stopped = true;
	zlog_info("eBPF datapath: off, every program detached");
}

/*
 * Inactive (egress-mode kernel, or auto fell back): take off what this
 * multinicd put up, and what an eBPF predecessor left (its pinned links,
 * or without tcx its clsact filters, would go on steering the tasks with
 * its maps).  Only once the configuration, hence the tasks, is known: a
 * restarted multinicd must not cut off forwarding before it knows.
 */
static void ebpf_off_when_known(void)
{
	if (!eb.config_known || eb.stopped)
		return;
	if (eb.loaded || mn_ebpf_pins_exist() || !multinic_caps.has.tcx)
		ebpf_stop();
}

/*
 * The datapath switch's calls
 */

static int ebpf_config_changed(const struct mn_dp_config *cfg, bool active, char *err,
			       size_t len)
{
	bool was = eb.active;

	eb.active = active;
	eb.cfg = *cfg;
	if (!active) {
		ebpf_off_when_known();
		return 0;
	}
	if (!was)
		DEBUGD(&mn_dbg_datapath, "eBPF datapath: on");
	return ebpf_sync(err, len);
}

static int ebpf_nics_changed(const struct mn_dp_nic *nics, unsigned int n, char *err, size_t len)
{
	XFREE(MTYPE_MN_EBPF_NICS, eb.nics);
	eb.n_nics = n;
	if (n) {
		eb.nics = XCALLOC(MTYPE_MN_EBPF_NICS, n * sizeof(*nics));
		memcpy(eb.nics, nics, n * sizeof(*nics));
	}
	if (!eb.active) {
		ebpf_off_when_known();
		return 0;
	}
	return ebpf_sync(err, len);
}

/* Reconciling: the pins this multinicd holds, by file name. */
static bool pin_claimed(const char *pin, void *arg)
{
	const struct mn_ebpf_slot *s;
	char path[PATH_MAX];
	uint32_t i;

	if (!strncmp(pin, "task-", 5))
		return task_find(pin + 5) != NULL;
	for (i = 0; i < MN_MAX_NICS; i++) {
		s = mn_ebpf_slot(i);
		if (!s->link)
			continue;
		mn_ebpf_nic_pin_path(s->name, path, sizeof(path));
		if (!strcmp(strrchr(path, '/') + 1, pin))
			return true;
	}
	return false;
}

static bool task_counters_claimed(uint32_t ifindex, void *arg)
{
	return is_task_device(ifindex);
}

/*
 * What an earlier multinicd left for tasks or NICs this one does not
 * have: their links (the programs would go on steering with stale
 * entries) and their counters.
 */
static void ebpf_reconcile(void)
{
	unsigned int pins, counters;

	pins = mn_ebpf_pins_reconcile(pin_claimed, NULL);
	counters = mn_ebpf_task_counters_reconcile(task_counters_claimed, NULL);
	DEBUGD(&mn_dbg_bpf, "eBPF datapath: settled, %u pin(s) and %u task counter(s) nobody claimed removed",
	       pins, counters);
}

static void ebpf_tasks_settled(void)
{
	char err[256];

	eb.config_known = true;
	if (!eb.active) {
		ebpf_off_when_known();
		return;
	}
	if (eb.loaded && !eb.settled)
		zlog_info("eBPF datapath: configuration loaded and tasks wired again, syncing the maps");
	eb.settled = true;
	if (ebpf_sync(err, sizeof(err)) < 0)
		flog_err(EC_MULTINIC_BPF, "eBPF datapath: %s", err);
	ebpf_reconcile();
}

static void ebpf_stop_cb(void)
{
	eb.active = false;
	ebpf_stop();
}

/*
 * Links and maps stay pinned: the programs keep forwarding until the next
 * multinicd adopts them.
 */
static void ebpf_terminate(void)
{
	struct mn_ebpf_slot *s;
	struct ebpf_task *t;
	uint32_t i;

	for (i = 0; i < MN_MAX_NICS; i++) {
		s = mn_ebpf_slot(i);
		if (s->link)
			bpf_link__destroy(s->link);
	}
	mn_ebpf_slots_clear();
	while ((t = ebpf_tasks_first(&eb.tasks))) {
		if (t->link)
			bpf_link__destroy(t->link);
		task_free(t);
	}
	ebpf_tasks_fini(&eb.tasks);
	mn_ebpf_numa_clear();
	egress_bpf__destroy(eb.egress);
	ingress_bpf__destroy(eb.ingress);
	XFREE(MTYPE_MN_EBPF_NICS, eb.nics);
	memset(&eb, 0, sizeof(eb));
}

/*
 * Show
 */

static enum mn_datapath ebpf_task_datapath(const char *name)
{
	const struct ebpf_task *t = task_find(name);

	if (!t)
		return MN_DP_NONE;
	if (t->netkit)
		return MN_DP_NETKIT;
	return veth_hook() == MN_HOOK_TCX ? MN_DP_VETH_TCX : MN_DP_VETH_CLSACT;
}

static uint32_t prog_id(bool egress)
{
	struct bpf_prog_info info = {};
	uint32_t len = sizeof(info);

	if (!eb.loaded || bpf_prog_get_info_by_fd(prog_fd(egress), &info, &len) < 0)
		return 0;
	return info.id;
}

static void ebpf_task_objects(const char *name, mn_dp_object_fn fn, void *arg)
{
	const struct ebpf_task *t = task_find(name);
	char path[PATH_MAX], what[PATH_MAX + 160];

	if (!t)
		return;
	mn_ebpf_task_pin_path(t->name, path, sizeof(path));
	if (t->link)
		snprintf(what, sizeof(what), "mn_egress (program id %u) on %s %s, pinned %s",
			 prog_id(true), t->host_ifname, mn_ebpf_hook_name(task_hook(t)), path);
	else
		snprintf(what, sizeof(what),
			 "mn_egress (program id %u) on %s %s, filter handle 0x%x priority %u (not pinnable)",
			 prog_id(true), t->host_ifname, mn_ebpf_hook_name(task_hook(t)),
			 MN_TC_HANDLE, MN_TC_PRIORITY);
	fn(arg, "bpf-link", "host", true, what);
}

/* No entry until the programs saw a packet: all zero then. */
static bool ebpf_task_counters(const char *name, struct mn_dp_counters *c)
{
	const struct ebpf_task *t = task_find(name);

	memset(c, 0, sizeof(*c));
	if (!eb.loaded || !t)
		return false;
	mn_ebpf_task_counters(t->host_ifindex, c);
	return true;
}

static bool ebpf_task_numa_counters(const char *name, struct mn_dp_numa_counters *c)
{
	const struct ebpf_task *t = task_find(name);

	memset(c, 0, sizeof(*c));
	if (!eb.loaded || !t || t->numa_node < 0 || !eb.cfg.topology)
		return false;
	mn_ebpf_numa_counters(t->host_ifindex, t->numa_node, eb.cfg.topology, c);
	return true;
}

static bool ebpf_nic_view(ifindex_t ifindex, struct mn_dp_nic_view *v)
{
	const struct mn_ebpf_slot *s;

	memset(v, 0, sizeof(*v));
	v->hook = "";
	if (!eb.loaded)
		return false;
	v->slot = mn_ebpf_slot_of(ifindex);
	if (v->slot == MN_NIC_NONE)
		return false;
	s = mn_ebpf_slot(v->slot);
	if (s->attached)
		v->hook = mn_ebpf_hook_name(veth_hook());
	if (s->link)
		mn_ebpf_nic_pin_path(s->name, v->link, sizeof(v->link));
	mn_ebpf_flows_nic_load(v->slot, &v->load);
	return mn_ebpf_nic_counters(v->slot, &v->counters);
}

static int ebpf_flows(mn_dp_flow_fn fn, void *arg)
{
	return eb.loaded ? mn_ebpf_flows_walk(fn, arg) : -1;
}

static const struct mn_datapath_ops ebpf_ops = {
	.name = "ebpf",
	.config_changed = ebpf_config_changed,
	.nics_changed = ebpf_nics_changed,
	.task_attach = ebpf_task_attach,
	.task_detach = ebpf_task_detach,
	.task_numa_changed = ebpf_task_numa_changed,
	.tasks_settled = ebpf_tasks_settled,
	.stop = ebpf_stop_cb,
	.terminate = ebpf_terminate,
	.task_datapath = ebpf_task_datapath,
	.task_objects = ebpf_task_objects,
	.task_counters = ebpf_task_counters,
	.nic_view = ebpf_nic_view,
	.flows = ebpf_flows,
	.task_numa_counters = ebpf_task_numa_counters,
};

const struct mn_datapath_ops *mn_ebpf_datapath(void)
{
	ebpf_tasks_init(&eb.tasks);
	return &ebpf_ops;
}
