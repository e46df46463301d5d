// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * multinicd: tasks (container network namespaces) and their wiring.
 */
#include <zebra.h>

#include <fcntl.h>
#include <sys/stat.h>

#include "lib/frrevent.h"
#include "lib/hook.h"
#include "lib/if.h"
#include "lib/log.h"
#include "lib/memory.h"
#include "lib/vrf.h"

#include "multinicd.h"
#include "multinic_addr_policy.h"
#include "multinic_datapath.h"
#include "multinic_debug.h"
#include "multinic_errors.h"
#include "multinic_nic.h"
#include "multinic_task.h"
#include "multinic_task_netns.h"
#include "multinic_zapi.h"

DEFINE_MTYPE_STATIC(MULTINICD, MN_TASK, "multinic task");
DEFINE_MTYPE_STATIC(MULTINICD, MN_TASK_ADDR, "multinic per-NIC task address");

struct mn_tasks_head mn_tasks;

DEFINE_HOOK(mn_task_routes_changed, (const struct mn_task *task), (task));
DEFINE_HOOK(mn_tasks_settled, (), ());

static void task_rewire(struct event *t);

const char *mn_task_status_name(enum mn_task_status status)
{
	switch (status) {
	case MN_TASK_INCOMPLETE:
		return "incomplete";
	case MN_TASK_WAITING:
		return "waiting";
	case MN_TASK_WIRED:
		return "wired";
	case MN_TASK_FAILED:
		return "failed";
	}
	return "unknown";
}

struct mn_task *mn_task_find(const char *name)
{
	struct mn_task key = {};

	strlcpy(key.name, name, sizeof(key.name));
	return mn_tasks_find(&mn_tasks, &key);
}

/* Rewire after the commit: one commit changes several leaves. */
/*
 * While a configuration is being loaded line by line (vtysh -b after a
 * restart), a task would otherwise be wired with half its configuration
 * and rewired at each further line, recreating its device pair: the
 * wiring waits for the end of the load instead.
 */
static bool config_loading;
static bool config_load_seen; /* since multinicd started */

static void task_schedule(struct mn_task *task)
{
	task->rewire_pending = true;
	if (!config_loading)
		event_add_event(master, task_rewire, task, 0, &task->t_rewire);
}

void mn_tasks_config_start(void)
{
	config_loading = true;
	config_load_seen = true;
}

/*
 * Settling.  After a restart, what an earlier multinicd left stays in
 * place until this one has claimed its own again: zebra holds its routes
 * (graceful restart), the eBPF datapath only adds to its pinned maps.
 * Both are told once the configuration is loaded and every task is wired
 * again, has failed, or still waits for a NIC after
 * MN_TASKS_SETTLE_MAX_MS.  Telling them too early would drop a VIP route
 * or map entry that is about to be re-sent (bgpd would withdraw the VIP
 * meanwhile).  A multinicd that gets no configuration load at all
 * settles MN_TASKS_SETTLE_MAX_MS after it started.
 */
#define MN_TASKS_SETTLE_CHECK_MS 100
#define MN_TASKS_SETTLE_MAX_MS	 15000

static struct event *t_settle;
static unsigned int settle_waited_ms;

/* Reconciling: a task device is kept while a wired task uses it. */
static bool task_device_claimed(const char *name, const char *ifname, void *arg)
{
	const struct mn_task *task;

	if (name) {
		task = mn_task_find(name);
		return task && task->status == MN_TASK_WIRED && strmatch(task->host_ifname, ifname);
	}
	frr_each (mn_tasks_const, &mn_tasks, task)
		if (task->status == MN_TASK_WIRED && strmatch(task->host_ifname, ifname))
			return true;
	return false;
}

static void tasks_settled(void)
{
	unsigned int removed;

	removed = mn_task_devices_reconcile(task_device_claimed, NULL);
	DEBUGD(&mn_dbg_task, "tasks settled: %zu task(s), %u device pair(s) nobody claimed removed",
	       mn_tasks_count(&mn_tasks), removed);
	mn_datapath_tasks_settled();
	mn_zapi_routes_complete();
	hook_call(mn_tasks_settled);
}

static bool task_settled(const struct mn_task *task)
{
	afi_t afi;

	if (task->rewire_pending || task->status == MN_TASK_WAITING)
		return false;
	if (task->status != MN_TASK_WIRED)
		return true;
	for (afi = AFI_IP; afi <= AFI_IP6; afi++)
		if (task->has_vip[afi] && !task->host_routes[afi])
			return false;
	return true;
}

static void tasks_settle_check(struct event *t)
{
	struct mn_task *task;
	bool settled = true;

	frr_each (mn_tasks, &mn_tasks, task)
		settled = settled && task_settled(task);
	if (!settled && settle_waited_ms < MN_TASKS_SETTLE_MAX_MS) {
		settle_waited_ms += MN_TASKS_SETTLE_CHECK_MS;
		event_add_timer_msec(master, tasks_settle_check, NULL, MN_TASKS_SETTLE_CHECK_MS,
				     &t_settle);
		return;
	}
	if (!settled)
		zlog_warn("tasks not all wired %u ms after the configuration was loaded; dropping what an earlier multinicd left and was not claimed",
			  settle_waited_ms);
	tasks_settled();
}

/* No configuration load came since multinicd started. */
static void tasks_settle_deadline(struct event *t)
{
	if (config_load_seen)
		return;
	zlog_info("no configuration loaded %u ms after start: tasks settled",
		  MN_TASKS_SETTLE_MAX_MS);
	tasks_settled();
}

void mn_tasks_config_end(void)
{
	struct mn_task *task;

	config_loading = false;
	frr_each (mn_tasks, &mn_tasks, task)
		if (task->rewire_pending)
			task_schedule(task);
	/* after the rewires just scheduled */
	settle_waited_ms = 0;
	event_add_timer_msec(master, tasks_settle_check, NULL, MN_TASKS_SETTLE_CHECK_MS,
			     &t_settle);
}

/*
 * Configuration
 */

struct mn_task *mn_task_add(const char *name)
{
	struct mn_task *task = XCALLOC(MTYPE_MN_TASK, sizeof(*task));

	strlcpy(task->name, name, sizeof(task->name));
	mn_task_ifname(name, task->host_ifname, sizeof(task->host_ifname));
	strlcpy(task->peer_ifname, MN_TASK_PEER_IFNAME, sizeof(task->peer_ifname));
	task->host_ifindex = -1;
	task->announce = true;
	task->numa.node_cfg = task->numa.node = MN_NUMA_NODE_NONE;
	mn_task_addrs_init(&task->addrs);
	mn_tasks_add(&mn_tasks, task);
	task_schedule(task);
	return task;
}

static void task_unwire(struct mn_task *task);

static void task_free(struct mn_task *task)
{
	struct mn_task_addr *ta;

	event_cancel(&task->t_rewire);
	while ((ta = mn_task_addrs_pop(&task->addrs)))
		XFREE(MTYPE_MN_TASK_ADDR, ta);
	mn_task_addrs_fini(&task->addrs);
	mn_tasks_del(&mn_tasks, task);
	XFREE(MTYPE_MN_TASK, task);
}

static void task_takedown(struct mn_task *task, bool gone);

void mn_task_del(struct mn_task *task)
{
	task_takedown(task, true);
	task_free(task);
}

/*
 * Every configuration change first unwires the task, while its state still
 * describes what was installed (the old VIPs, netns and addresses), then
 * changes the configuration and schedules the rewiring.
 */
void mn_task_set_netns(struct mn_task *task, const char *netns)
{
	task_unwire(task);
	strlcpy(task->netns, netns ? netns : "", sizeof(task->netns));
	task_schedule(task);
}

void mn_task_set_vip(struct mn_task *task, afi_t afi, const struct prefix *vip)
{
	task_unwire(task);
	task->has_vip[afi] = vip != NULL;
	if (vip)
		prefix_copy(&task->vip[afi], vip);
	task_schedule(task);
}

void mn_task_set_mtu(struct mn_task *task, uint32_t mtu)
{
	task_unwire(task);
	task->mtu = mtu;
	task_schedule(task);
}

void mn_task_set_peer_ifname(struct mn_task *task, const char *ifname)
{
	task_unwire(task);
	strlcpy(task->peer_ifname, ifname ? ifname : MN_TASK_PEER_IFNAME, sizeof(task->peer_ifname));
	task_schedule(task);
}

/* Whether its routes are announced changes nothing of the wiring. */
void mn_task_set_announce(struct mn_task *task, bool announce)
{
	if (task->announce == announce)
		return;
	task->announce = announce;
	DEBUGD(&mn_dbg_task, "task %s: %s", task->name,
	       announce ? "announced" : "not announced");
	hook_call(mn_task_routes_changed, task);
}

struct mn_task_addr *mn_task_addr_add(struct mn_task *task, const char *nic)
{
	struct mn_task_addr *ta = XCALLOC(MTYPE_MN_TASK_ADDR, sizeof(*ta));

	task_unwire(task);
	strlcpy(ta->nic, nic, sizeof(ta->nic));
	mn_task_addrs_add_tail(&task->addrs, ta);
	task_schedule(task);
	return ta;
}

void mn_task_addr_del(struct mn_task *task, struct mn_task_addr *ta)
{
	task_unwire(task);
	mn_task_addrs_del(&task->addrs, ta);
	XFREE(MTYPE_MN_TASK_ADDR, ta);
	task_schedule(task);
}

void mn_task_addr_set(struct mn_task *task, struct mn_task_addr *ta, afi_t afi,
		      const struct prefix *addr)
{
	task_unwire(task);
	ta->has[afi] = addr != NULL;
	if (addr)
		prefix_copy(&ta->addr[afi], addr);
	task_schedule(task);
}

/*
 * Validation helpers
 */

bool mn_task_netns_usable(const char *netns, char *err, size_t len)
{
	char path[PATH_MAX];
	int ret;

	if (!mn_netns_ref_valid(netns, err, len))
		return false;
	mn_netns_path(netns, path, sizeof(path));
	frr_with_privs (&multinic_privs)
		ret = mn_task_netns_probe(path, NULL, err, len);
	return ret == 0;
}

static bool same_address(const struct prefix *a, const struct prefix *b)
{
	if (a->family != b->family)
		return false;
	if (a->family == AF_INET)
		return IPV4_ADDR_SAME(&a->u.prefix4, &b->u.prefix4);
	return a->family == AF_INET6 && IPV6_ADDR_SAME(&a->u.prefix6, &b->u.prefix6);
}

static bool same_gateway(const union g_addr *gw, const struct prefix *p)
{
	if (p->family == AF_INET)
		return IPV4_ADDR_SAME(&gw->ipv4, &p->u.prefix4);
	return IPV6_ADDR_SAME(&gw->ipv6, &p->u.prefix6);
}

/*
 * An address a task may take, as far as the host is concerned: a unicast
 * address of a network (multinic_addr_policy.c), not one of the host's
 * interfaces, not a NIC's gateway.  Which task uses which address is the
 * candidate configuration's business (checked as a whole).
 */
bool mn_task_addr_usable(const struct prefix *p, char *err, size_t len)
{
	struct vrf *vrf = vrf_lookup_by_id(VRF_DEFAULT);
	const char *why = mn_task_addr_refusal(p->family, &p->u.prefix);
	const struct mn_nic *nic;
	struct interface *ifp;
	struct connected *ifc;
	union g_addr gw;

	if (why) {
		snprintfrr(err, len,
			   "address %pFXh is %s; a task's addresses must be unicast addresses of a network",
			   p, why);
		return false;
	}
	frr_each (mn_nics_const, &mn_nics, nic) {
		if (!mn_nic_gateway(nic, family2afi(p->family), &gw) || !same_gateway(&gw, p))
			continue;
		snprintfrr(err, len, "address %pFXh is the gateway of NIC %s", p, nic->name);
		return false;
	}
	if (!vrf)
		return true;
	FOR_ALL_INTERFACES (vrf, ifp) {
		frr_each (if_connected, ifp->connected, ifc) {
			if (!same_address(ifc->address, p))
				continue;
			snprintfrr(err, len, "address %pFX is already an address of interface %s",
				   p, ifp->name);
			return false;
		}
	}
	return true;
}

/*
 * Wiring
 */

static void task_fail(struct mn_task *task, const char *err)
{
	task->status = MN_TASK_FAILED;
	strlcpy(task->error, err, sizeof(task->error));
	flog_err(EC_MULTINIC_NETLINK, "task %s: %s", task->name, err);
}

/*
 * The per-NIC addresses as the datapaths take them: each with its NIC's
 * interface, which must exist.  Returns how many, or -ENODEV with err set.
 */
static int wiring_addrs(const struct mn_task *task, struct mn_dp_task_addr **out, char *err,
			size_t len)
{
	const struct mn_task_addr *ta;
	struct interface *ifp;
	unsigned int n = 0;
	afi_t afi;

	*out = NULL;
	frr_each (mn_task_addrs_const, &task->addrs, ta)
		for (afi = AFI_IP; afi <= AFI_IP6; afi++)
			n += ta->has[afi];
	if (!n)
		return 0;
	*out = XCALLOC(MTYPE_MN_TASK_ADDR, n * sizeof(**out));
	n = 0;
	frr_each (mn_task_addrs_const, &task->addrs, ta) {
		ifp = if_lookup_by_name(ta->nic, VRF_DEFAULT);
		for (afi = AFI_IP; afi <= AFI_IP6; afi++) {
			if (!ta->has[afi])
				continue;
			if (!ifp || ifp->ifindex == IFINDEX_INTERNAL) {
				snprintf(err, len, "per-NIC address of NIC %s: no such interface",
					 ta->nic);
				XFREE(MTYPE_MN_TASK_ADDR, *out);
				return -ENODEV;
			}
			strlcpy((*out)[n].nic, ta->nic, sizeof((*out)[n].nic));
			(*out)[n].nic_ifindex = ifp->ifindex;
			prefix_copy(&(*out)[n].addr, &ta->addr[afi]);
			n++;
		}
	}
	return n;
}

/*
 * The names a task's host device may take, in order: the one its alias
 * marks (the device an earlier multinicd made, whatever its name), the
 * name multinicd 0.1 gave it, then mn_task_ifname()'s variants.  A name
 * held by a device that is not this task's is skipped.
 */
#define MN_TASK_IFNAME_VARIANTS 8

static int task_pair_wire(struct mn_task *task, struct mn_task_wiring *w,
			  struct mn_task_pair *pair, char *err, size_t len)
{
	char marked[IFNAMSIZ], legacy[IFNAMSIZ];
	bool has_marked, has_legacy;
	unsigned int i, variant = 0;
	int ret = -EADDRINUSE;

	has_marked = mn_task_device_find(task->name, marked, sizeof(marked));
	has_legacy = mn_task_ifname_legacy(task->name, legacy, sizeof(legacy)) &&
		     if_nametoindex(legacy) > 0;
	for (i = 0; i < MN_TASK_IFNAME_VARIANTS + 2 && ret == -EADDRINUSE; i++) {
		if (i == 0 && has_marked)
			strlcpy(task->host_ifname, marked, sizeof(task->host_ifname));
		else if (i == 1 && has_legacy)
			strlcpy(task->host_ifname, legacy, sizeof(task->host_ifname));
		else if (i >= 2)
			mn_task_ifname_variant(task->name, variant++, task->host_ifname,
					       sizeof(task->host_ifname));
		else
			continue;
		frr_with_privs (&multinic_privs)
			ret = mn_task_netns_wire(w, task->netns, task->mtu_in_use, pair, err, len);
		if (ret == -EADDRINUSE)
			DEBUGD(&mn_dbg_task, "task %s: %s", task->name, err);
	}
	return ret;
}

/*
 * The device pair and the netns first, then the datapaths get the task
 * handed down; a netkit peer opens once they are in place.
 */
static int task_wire(struct mn_task *task, char *err, size_t len)
{
	struct mn_task_wiring w = {
		.name = task->name,
		.host_ifname = task->host_ifname,
		.peer_ifname = task->peer_ifname,
	};
	struct mn_dp_task_addr *addrs;
	struct mn_task_pair pair;
	int n, ret;

	memcpy(w.has_vip, task->has_vip, sizeof(w.has_vip));
	memcpy(w.vip, task->vip, sizeof(w.vip));
	w.numa_node = task->numa.node;
	n = wiring_addrs(task, &addrs, err, len);
	if (n < 0)
		return n;
	w.naddrs = n;
	w.addrs = addrs;
	ret = task_pair_wire(task, &w, &pair, err, len);
	if (ret == 0) {
		task->host_ifindex = w.host_ifindex = pair.host_ifindex;
		task->device = w.device = pair.device;
		task->adopted = w.adopted = pair.adopted;
		task->host_if_seen = false;
		task->netns_dev = pair.netns_dev;
		task->netns_ino = pair.netns_ino;
		ret = mn_datapath_task_attach(&w, err, len);
	}
	if (ret == 0)
		frr_with_privs (&multinic_privs)
			ret = mn_task_netns_open(task->host_ifname, task->device, err, len);
	XFREE(MTYPE_MN_TASK_ADDR, addrs);
	return ret;
}

/*
 * The host routes to the VIPs go through zebra, which must know the new
 * device first: they are sent once zebra has reported it up.
 */
static void host_route_set(const struct mn_task *task, bool *installed, bool want,
			   const struct prefix *p, ifindex_t ifindex)
{
	if (want == *installed)
		return;
	mn_zapi_route_dev(want, p, want ? ifindex : 0);
	*installed = want;
	DEBUGD(&mn_dbg_task, "task %s: host route %pFX %s", task->name, p,
	       want ? "sent to zebra" : "withdrawn");
	hook_call(mn_task_routes_changed, task);
}

static void task_host_routes_update(struct mn_task *task)
{
	struct interface *ifp = if_lookup_by_name(task->host_ifname, VRF_DEFAULT);
	bool up = task->status == MN_TASK_WIRED && ifp && ifp->ifindex == task->host_ifindex &&
		  if_is_operative(ifp);
	ifindex_t ifindex = up ? ifp->ifindex : 0;
	struct mn_task_addr *ta;
	afi_t afi;

	for (afi = AFI_IP; afi <= AFI_IP6; afi++) {
		host_route_set(task, &task->host_routes[afi], up && task->has_vip[afi],
			       &task->vip[afi], ifindex);
		frr_each (mn_task_addrs, &task->addrs, ta)
			host_route_set(task, &ta->host_route[afi], up && ta->has[afi],
				       &ta->addr[afi], ifindex);
	}
}

/* Unwire; a task that goes for good retires its pair (deleted in bulk). */
static void task_takedown(struct mn_task *task, bool gone)
{
	enum mn_task_status was = task->status;
	char err[256];
	int ret = 0;

	mn_datapath_task_detach(task->name);
	task->status = MN_TASK_INCOMPLETE; /* makes the host routes go */
	task_host_routes_update(task);
	if (was == MN_TASK_WIRED || was == MN_TASK_FAILED)
		ret = gone ? mn_task_netns_retire(task->name, task->host_ifname, err, sizeof(err))
			   : mn_task_netns_unwire(task->name, task->host_ifname, err, sizeof(err));
	if (ret < 0 && was == MN_TASK_WIRED)
		zlog_warn("task %s: %s", task->name, err);
	if (was == MN_TASK_WIRED)
		DEBUGD(&mn_dbg_task, "task %s unwired", task->name);
	task->host_ifindex = -1;
	task->device = MN_DP_DEV_VETH;
	task->adopted = false;
	task->status = MN_TASK_INCOMPLETE;
	task->error[0] = '\0';
}

static void task_unwire(struct mn_task *task)
{
	task_takedown(task, false);
}

static bool task_complete(const struct mn_task *task)
{
	return task->netns[0] && (task->has_vip[AFI_IP] || task->has_vip[AFI_IP6]);
}

static void task_wait(struct mn_task *task, const char *why)
{
	task->status = MN_TASK_WAITING;
	strlcpy(task->error, why, sizeof(task->error));
	DEBUGD(&mn_dbg_task, "task %s waits: %s", task->name, why);
}

static bool task_netns_present(struct mn_task *task, char *err, size_t len)
{
	char path[PATH_MAX];
	int ret;

	mn_netns_path(task->netns, path, sizeof(path));
	frr_with_privs (&multinic_privs)
		ret = mn_task_netns_probe(path, NULL, err, len);
	return ret == 0;
}

static void task_rewire(struct event *t)
{
	struct mn_task *task = EVENT_ARG(t);
	char err[256] = "";

	task->rewire_pending = false;
	task->waits_for_netns = false;
	task_unwire(task);
	if (!multinic_cfg.configured || !task_complete(task))
		return;
	if (!task_netns_present(task, err, sizeof(err))) {
		task_wait(task, err);
		task->waits_for_netns = true;
		return;
	}
	task->mtu_in_use = task->mtu ? task->mtu : mn_nics_min_mtu();
	if (!task->mtu_in_use) {
		task_wait(task, "no selected NIC is up");
		return;
	}
	mn_task_numa_resolve(task); /* its node, handed down with the wiring */
	if (task_wire(task, err, sizeof(err)) < 0) {
		task_fail(task, err);
		return;
	}
	task->status = MN_TASK_WIRED;
	zlog_info("task %s wired: %s %s <-> %s in netns %s", task->name,
		  mn_task_device_name(task->device), task->host_ifname, task->peer_ifname,
		  task->netns);
	task_host_routes_update(task);
}

/* NICs changed: tasks waiting for one may now be wired. */
/*
 * A wired task's host device was reported by zebra and is gone now: the
 * pair went (its netns was destroyed, or someone deleted it).  Wiring
 * again recreates it, or finds the netns gone and waits.
 */
static bool task_device_lost(struct mn_task *task)
{
	struct interface *ifp;

	if (task->status != MN_TASK_WIRED)
		return false;
	ifp = if_lookup_by_name(task->host_ifname, VRF_DEFAULT);
	if (ifp && ifp->ifindex == task->host_ifindex) {
		task->host_if_seen = true;
		return false;
	}
	return task->host_if_seen;
}

/*
 * A task without a configured MTU takes the smallest MTU of the NICs up;
 * when that changes (a NIC joins, leaves, or changes its MTU) the task's
 * device follows, in place.
 */
static void task_mtu_follow(struct mn_task *task)
{
	uint32_t mtu = mn_nics_min_mtu();
	char err[256];
	int ret;

	if (task->status != MN_TASK_WIRED || task->mtu || !mtu || mtu == task->mtu_in_use)
		return;
	frr_with_privs (&multinic_privs)
		ret = mn_task_netns_set_mtu(task->netns, task->host_ifname, task->peer_ifname, mtu,
					    err, sizeof(err));
	if (ret < 0) {
		zlog_warn("task %s: cannot follow the NICs' MTU %u: %s", task->name, mtu, err);
		return;
	}
	DEBUGD(&mn_dbg_task, "task %s: MTU %u -> %u (the NICs')", task->name, task->mtu_in_use,
	       mtu);
	task->mtu_in_use = mtu;
}

/* The task's host device as zebra reports it: gone (rewire) or up (routes). */
static void task_device_follow(struct mn_task *task)
{
	if (task_device_lost(task)) {
		zlog_info("task %s: %s went away; wiring it again", task->name, task->host_ifname);
		task_schedule(task);
	} else {
		task_host_routes_update(task);
	}
}

static int tasks_nics_changed(void)
{
	struct mn_task *task;

	frr_each (mn_tasks, &mn_tasks, task) {
		task_mtu_follow(task);
		if (task->status == MN_TASK_WAITING && !task->waits_for_netns)
			task_schedule(task);
		else
			task_device_follow(task);
	}
	return 0;
}

/*
 * zebra reported a change of a task device (it appeared, came up, went
 * down or away): only the task whose device it is is concerned.  A burst
 * of a thousand new tasks is a thousand such reports: going through every
 * NIC and task for each (as for a NIC change) cost O(T^2).  A linear
 * search for the task: ~1 us per report at T = 1024.
 */
void mn_tasks_device_changed(const char *ifname)
{
	struct mn_task *task;

	frr_each (mn_tasks, &mn_tasks, task)
		if (task->status != MN_TASK_INCOMPLETE && strmatch(task->host_ifname, ifname)) {
			task_device_follow(task);
			return;
		}
}

/*
 * Netns watch.  A wired task whose netns path went or now names another
 * namespace, and a task waiting for its netns that has appeared, are
 * wired again.  Names under /run/netns are watched (inotify,
 * multinic_netns_watch.c); every netns is also looked at every
 * MN_TASKS_NETNS_POLL_MS, for paths elsewhere (/proc/PID/ns/net, a
 * runtime's bind mount) and for a netns file that becomes a namespace
 * only after it appeared ("ip netns add" creates it, then mounts).
 */
#define MN_TASKS_NETNS_POLL_MS 1000

static struct event *t_netns_poll;

static void task_netns_check(struct mn_task *task)
{
	char path[PATH_MAX];
	struct stat st;
	bool same;

	if (task->rewire_pending || !task->netns[0])
		return;
	if (task->status == MN_TASK_WAITING && task->waits_for_netns) {
		if (task_netns_present(task, NULL, 0))
			task_schedule(task);
		return;
	}
	if (task->status != MN_TASK_WIRED)
		return;
	mn_netns_path(task->netns, path, sizeof(path));
	frr_with_privs (&multinic_privs)
		same = stat(path, &st) == 0 && st.st_dev == task->netns_dev &&
		       st.st_ino == task->netns_ino;
	if (same)
		return;
	zlog_info("task %s: netns %s is gone or was replaced; wiring it again", task->name,
		  task->netns);
	task_schedule(task);
}

static void tasks_netns_poll(struct event *t)
{
	struct mn_task *task;

	frr_each (mn_tasks, &mn_tasks, task)
		task_netns_check(task);
	event_add_timer_msec(master, tasks_netns_poll, NULL, MN_TASKS_NETNS_POLL_MS,
			     &t_netns_poll);
}

void mn_tasks_netns_changed(const char *name)
{
	char path[PATH_MAX], changed[PATH_MAX];
	struct mn_task *task;

	if (mn_netns_path(name, changed, sizeof(changed)) < 0)
		return;
	frr_each (mn_tasks, &mn_tasks, task) {
		mn_netns_path(task->netns, path, sizeof(path));
		if (!strcmp(path, changed) ||
		    (!strncmp(path, "/var", 4) && !strcmp(path + 4, changed)))
			task_netns_check(task);
	}
}

/*
 * Show: the task's own objects (device pair, netns contents, host
 * routes), then what the datapaths made for it.
 */
static void object(mn_dp_object_fn fn, void *arg, const char *kind, const char *where,
		   bool present, const char *fmt, ...) PRINTFRR(6, 7);
static void object(mn_dp_object_fn fn, void *arg, const char *kind, const char *where,
		   bool present, const char *fmt, ...)
{
	char what[200];
	va_list ap;

	va_start(ap, fmt);
	vsnprintfrr(what, sizeof(what), fmt, ap);
	va_end(ap);
	fn(arg, kind, where, present, what);
}

static void vip_objects(const struct mn_task *task, afi_t afi, mn_dp_object_fn fn, void *arg)
{
	bool wired = task->status == MN_TASK_WIRED;
	bool l2 = wired && task->device == MN_DP_DEV_VETH;
	const char *peer = task->peer_ifname, *gw = mn_task_gateway(afi);

	object(fn, arg, "address", task->netns, wired, "%pFX dev %s", &task->vip[afi], peer);
	if (l2)
		object(fn, arg, "neighbour", task->netns, wired, "%s lladdr <%s> dev %s permanent",
		       gw, task->host_ifname, peer);
	object(fn, arg, "route", task->netns, wired, "default %s%s dev %s src %pFXh",
	       l2 ? "via " : "", l2 ? gw : "", peer, &task->vip[afi]);
	object(fn, arg, "route", "host", task->host_routes[afi],
	       "%pFX dev %s proto multinic (zebra)", &task->vip[afi], task->host_ifname);
}

void mn_task_objects(const struct mn_task *task, mn_dp_object_fn fn, void *arg)
{
	bool wired = task->status == MN_TASK_WIRED;
	const struct mn_task_addr *ta;
	afi_t afi;

	object(fn, arg, "link", "host", wired, "%s (%s, peer %s, mtu %u)", task->host_ifname,
	       wired ? mn_task_device_name(task->device) : "-", task->peer_ifname,
	       task->mtu_in_use);
	object(fn, arg, "link", task->netns, wired, "%s", task->peer_ifname);
	for (afi = AFI_IP; afi <= AFI_IP6; afi++)
		if (task->has_vip[afi])
			vip_objects(task, afi, fn, arg);
	frr_each (mn_task_addrs_const, &task->addrs, ta) {
		for (afi = AFI_IP; afi <= AFI_IP6; afi++) {
			if (!ta->has[afi])
				continue;
			object(fn, arg, "address", task->netns, wired, "%pFX dev %s (per-NIC, %s)",
			       &ta->addr[afi], task->peer_ifname, ta->nic);
			object(fn, arg, "route", "host", ta->host_route[afi],
			       "%pFX dev %s proto multinic (zebra)", &ta->addr[afi],
			       task->host_ifname);
		}
	}
	mn_datapath_task_objects(task->name, fn, arg);
}

static struct event *t_settle_deadline;

void mn_task_init(void)
{
	mn_tasks_init(&mn_tasks);
	mn_task_devices_init();
	hook_register(mn_nics_changed, tasks_nics_changed);
	event_add_timer_msec(master, tasks_settle_deadline, NULL, MN_TASKS_SETTLE_MAX_MS,
			     &t_settle_deadline);
	event_add_timer_msec(master, tasks_netns_poll, NULL, MN_TASKS_NETNS_POLL_MS,
			     &t_netns_poll);
}

void mn_task_terminate(void)
{
	struct mn_task *task;

	event_cancel(&t_settle);
	event_cancel(&t_settle_deadline);
	event_cancel(&t_netns_poll);
	while ((task = mn_tasks_first(&mn_tasks)))
		task_free(task);
	mn_tasks_fini(&mn_tasks);
	mn_task_devices_fini();
}
