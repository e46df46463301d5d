// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * multinicd: tasks (container network namespaces) and their wiring.
 */
#include <zebra.h>

#include <fcntl.h>
#include <linux/nsfs.h>
#include <sched.h>
#include <sys/ioctl.h>
#include <sys/stat.h>

#include "lib/frrevent.h"
#include "lib/hook.h"
#include "lib/if.h"
#include "lib/log.h"
#include "lib/memory.h"
#include "lib/vrf.h"

#include "multinicd.h"
#include "multinic_caps.h"
#include "multinic_ebpf.h"
#include "multinic_errors.h"
#include "multinic_kernel.h"
#include "multinic_netlink.h"
#include "multinic_nic.h"
#include "multinic_task.h"
#include "multinic_zapi.h"

DEFINE_MTYPE_STATIC(MULTINICD, MN_TASK, "multinic task");
DEFINE_MTYPE_STATIC(MULTINICD, MN_TASK_ADDR, "multinic per-NIC task address");

struct mn_tasks_head mn_tasks;

/*
 * The task's default gateway: a link-local address answered by a
 * permanent neighbour entry for the host device's MAC (the Calico
 * pattern), so the task needs no address of the host and the host needs
 * neither proxy ARP nor an address on the task's link.
 */
static const char *const task_gw_str[AFI_MAX] = {
	[AFI_IP] = "169.254.1.1/32",
	[AFI_IP6] = "fe80::1/128",
};

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

static void task_schedule(struct mn_task *task)
{
	task->rewire_pending = true;
	if (!config_loading)
		event_add_event(master, task_rewire, task, 0, &task->t_rewire);
}

void mn_tasks_config_start(void)
{
	config_loading = true;
}

/*
 * After a restart zebra holds the routes the previous instance left
 * (graceful restart) until told that this one has sent its own: once the
 * configuration is loaded and every task is wired again, has failed, or
 * still waits for a NIC after MN_TASKS_SETTLE_MAX.  Telling it too early
 * would drop a VIP route that is about to be re-sent, and bgpd would
 * withdraw the VIP meanwhile.
 */
#define MN_TASKS_SETTLE_CHECK_MS 100
#define MN_TASKS_SETTLE_MAX_MS	 15000

static struct event *t_settle;
static unsigned int settle_waited_ms;

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
		zlog_warn("tasks not all wired %u ms after the configuration was loaded; telling zebra to drop what was not re-sent",
			  settle_waited_ms);
	mn_zapi_routes_complete();
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
	task->host_ifindex = -1;
	mn_task_addrs_init(&task->addrs);
	mn_tasks_add(&mn_tasks, task);
	task_schedule(task);
	return task;
}

static void task_unwire(struct mn_task *task);

void mn_task_del(struct mn_task *task)
{
	struct mn_task_addr *ta;

	event_cancel(&task->t_rewire);
	task_unwire(task);
	while ((ta = mn_task_addrs_pop(&task->addrs)))
		XFREE(MTYPE_MN_TASK_ADDR, ta);
	mn_task_addrs_fini(&task->addrs);
	mn_tasks_del(&mn_tasks, task);
	XFREE(MTYPE_MN_TASK, task);
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

void mn_tasks_clear(void)
{
	struct mn_task *task;

	while ((task = mn_tasks_first(&mn_tasks)))
		mn_task_del(task);
}

/*
 * Validation helpers
 */

bool mn_task_netns_usable(const char *netns, char *err, size_t len)
{
	char path[PATH_MAX];
	struct stat st;
	bool ok;
	int fd;

	if (!mn_netns_ref_valid(netns, err, len))
		return false;
	mn_netns_path(netns, path, sizeof(path));
	if (stat(path, &st) < 0) {
		snprintf(err, len, "network namespace %s does not exist (%s)", netns, path);
		return false;
	}
	frr_with_privs (&multinic_privs)
		fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		snprintf(err, len, "cannot open network namespace %s: %s", path,
			 safe_strerror(errno));
		return false;
	}
	ok = ioctl(fd, NS_GET_NSTYPE) == CLONE_NEWNET;
	close(fd);
	if (!ok)
		snprintf(err, len, "%s is not a network namespace", path);
	return ok;
}

static bool same_address(const struct prefix *a, const struct prefix *b)
{
	if (a->family != b->family)
		return false;
	if (a->family == AF_INET)
		return IPV4_ADDR_SAME(&a->u.prefix4, &b->u.prefix4);
	return a->family == AF_INET6 && IPV6_ADDR_SAME(&a->u.prefix6, &b->u.prefix6);
}

static bool task_uses_address(const struct mn_task *task, const struct prefix *addr)
{
	const struct mn_task_addr *ta;
	afi_t afi;

	for (afi = AFI_IP; afi <= AFI_IP6; afi++) {
		if (task->has_vip[afi] && same_address(&task->vip[afi], addr))
			return true;
		frr_each (mn_task_addrs, &task->addrs, ta)
			if (ta->has[afi] && same_address(&ta->addr[afi], addr))
				return true;
	}
	return false;
}

bool mn_task_vip_free(const struct prefix *vip, const struct mn_task *self, char *err, size_t len)
{
	struct vrf *vrf = vrf_lookup_by_id(VRF_DEFAULT);
	const struct mn_task *task;
	struct interface *ifp;
	struct connected *ifc;

	frr_each (mn_tasks, &mn_tasks, task) {
		if (task == self || !task_uses_address(task, vip))
			continue;
		snprintfrr(err, len, "address %pFX is already used by task %s", vip, task->name);
		return false;
	}
	if (!vrf)
		return true;
	FOR_ALL_INTERFACES (vrf, ifp) {
		frr_each (if_connected, ifp->connected, ifc) {
			if (!same_address(ifc->address, vip))
				continue;
			snprintfrr(err, len, "address %pFX is already an address of interface %s",
				   vip, ifp->name);
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

/* The device pair: netkit when the kernel has it, else veth. */
static int task_create_pair(struct mn_task *task, const struct mn_nl_ns *ns, char *err, size_t len)
{
	int peer_ifindex, ret = -EOPNOTSUPP;

	if (multinic_caps.has.netkit) {
		ret = mn_nl_netkit_create(task->host_ifname, MN_TASK_PEER_IFNAME, ns,
					  task->mtu_in_use, &task->host_ifindex, &peer_ifindex, err,
					  len);
		if (ret == 0) {
			task->device = "netkit";
			return 0;
		}
	}
	ret = mn_nl_veth_create(task->host_ifname, MN_TASK_PEER_IFNAME, ns, task->mtu_in_use,
				&task->host_ifindex, &peer_ifindex, err, len);
	if (ret == 0)
		task->device = "veth";
	return ret;
}

/*
 * Per-NIC addresses sit beside the VIPs on the task's device; the
 * application binds to one, and the host's per-NIC rule does the rest.
 */
static int task_setup_nic_addresses(struct mn_task *task, const struct mn_nl_ns *ns, bool adopted,
				    char *err, size_t len)
{
	struct mn_task_addr *ta;
	afi_t afi;
	int ret;

	frr_each (mn_task_addrs, &task->addrs, ta) {
		for (afi = AFI_IP; afi <= AFI_IP6; afi++) {
			if (!ta->has[afi])
				continue;
			ret = mn_nl_addr_add(ns, MN_TASK_PEER_IFNAME, &ta->addr[afi], err, len);
			if (ret == -EEXIST && adopted)
				ret = 0;
			if (ret)
				return ret;
		}
	}
	return 0;
}

/* Inside the netns: VIPs, gateway neighbour, default routes from the VIP. */
static int task_setup_netns(struct mn_task *task, const struct mn_nl_ns *ns,
			    const uint8_t host_mac[6], bool adopted, char *err, size_t len)
{
	const char *dev = MN_TASK_PEER_IFNAME;
	struct mn_nl_route route;
	struct prefix gw;
	afi_t afi;
	int ret;

	ret = mn_nl_link_up(ns, dev, task->mtu_in_use, err, len);
	for (afi = AFI_IP; afi <= AFI_IP6 && ret == 0; afi++) {
		if (!task->has_vip[afi])
			continue;
		str2prefix(task_gw_str[afi], &gw);
		ret = mn_nl_addr_add(ns, dev, &task->vip[afi], err, len);
		if (ret == -EEXIST && adopted)
			ret = 0;
		/* netkit is L3: no neighbours, the route is on the link */
		if (ret == 0 && host_mac)
			ret = mn_nl_neigh_add(ns, dev, &gw, host_mac, err, len);
		if (ret)
			break;
		memset(&route, 0, sizeof(route));
		route.dst.family = afi2family(afi);
		route.gw = host_mac ? &gw : NULL;
		route.src = &task->vip[afi];
		route.ifname = dev;
		ret = mn_nl_route_add(ns, &route, err, len);
	}
	if (ret == 0)
		ret = task_setup_nic_addresses(task, ns, adopted, err, len);
	return ret;
}

/*
 * A restarted multinicd keeps the device pair an earlier instance left:
 * forwarding goes on through it meanwhile (the pinned eBPF programs, or
 * the kernel routes and rules, which zebra keeps for us thanks to
 * graceful restart, multinic_zapi.c), and recreating it would cut the
 * task off and make bgpd withdraw its VIPs.  The pair is ours when the
 * host end exists and the task's netns has our peer; what belongs inside
 * is then re-added where missing.
 */
static bool task_adopt_pair(struct mn_task *task, const struct mn_nl_ns *ns)
{
	struct mn_nl_ns host = MN_NL_NS_HOST;
	char kind[16] = "";
	int ifindex;

	ifindex = mn_nl_link_index(&host, task->host_ifname);
	if (ifindex <= 0 || mn_nl_link_index(ns, MN_TASK_PEER_IFNAME) <= 0)
		return false;
	/* the kind decides the hook its pinned program sits on */
	mn_nl_link_kind(&host, task->host_ifname, kind, sizeof(kind));
	task->host_ifindex = ifindex;
	task->device = strmatch(kind, "netkit") ? "netkit" : "veth";
	zlog_info("task %s: adopting %s <-> %s left by an earlier multinicd", task->name,
		  task->host_ifname, MN_TASK_PEER_IFNAME);
	return true;
}

/*
 * A netkit peer is born blackholed: the task sends nothing until its
 * datapath is in place.  Once it is (the kernel rules, and in eBPF mode
 * mn_egress on the peer hook), the policy becomes forward: it only
 * applies while no program is attached, and then the kernel path must
 * carry the task (kernel mode, or eBPF detached: auto falling back).
 */
static int task_open_netkit(struct mn_task *task, char *err, size_t len)
{
	if (!task->device || !strmatch(task->device, "netkit"))
		return 0;
	return mn_nl_netkit_set_peer_policy(task->host_ifname, true, err, len);
}

static int task_wire(struct mn_task *task, char *err, size_t len)
{
	struct mn_nl_ns host = MN_NL_NS_HOST, ns;
	char path[PATH_MAX];
	uint8_t mac[6];
	bool has_mac, adopted;
	int fd, ret = 0;

	mn_netns_path(task->netns, path, sizeof(path));
	fd = mn_nl_netns_open(path, err, len);
	if (fd < 0)
		return fd;
	ns.fd = fd;
	ns.name = task->netns;

	adopted = task_adopt_pair(task, &ns);
	if (!adopted) {
		/* A device left by an earlier instance would block the new pair. */
		mn_nl_link_delete(&host, task->host_ifname, NULL, 0);
		ret = task_create_pair(task, &ns, err, len);
	}
	if (ret == 0)
		ret = mn_nl_link_up(&host, task->host_ifname, 0, err, len);
	if (ret == 0) {
		has_mac = mn_nl_link_mac(&host, task->host_ifname, mac, NULL, 0) == 0;
		ret = task_setup_netns(task, &ns, has_mac ? mac : NULL, adopted, err, len);
	}
	close(fd);
	if (ret == 0)
		ret = mn_kernel_task_attach(task, err, len);
	if (ret == 0)
		ret = mn_ebpf_task_attach(task, err, len);
	if (ret == 0)
		ret = task_open_netkit(task, err, len);
	return ret;
}

/*
 * The host routes to the VIPs go through zebra, which must know the new
 * device first: they are sent once zebra has reported it up.
 */
static void host_route_set(bool *installed, bool want, const struct prefix *p, ifindex_t ifindex)
{
	if (want == *installed)
		return;
	mn_zapi_route_dev(want, p, want ? ifindex : 0);
	*installed = want;
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
		host_route_set(&task->host_routes[afi], up && task->has_vip[afi], &task->vip[afi],
			       ifindex);
		frr_each (mn_task_addrs, &task->addrs, ta)
			host_route_set(&ta->host_route[afi], up && ta->has[afi], &ta->addr[afi],
				       ifindex);
	}
}

static void task_unwire(struct mn_task *task)
{
	struct mn_nl_ns host = MN_NL_NS_HOST;
	enum mn_task_status was = task->status;
	char err[256];

	mn_ebpf_task_detach(task);
	mn_kernel_task_detach(task);
	task->status = MN_TASK_INCOMPLETE; /* makes the host routes go */
	task_host_routes_update(task);
	/* Deleting our end deletes the peer and all that lives on it. */
	if (was == MN_TASK_WIRED || was == MN_TASK_FAILED) {
		frr_with_privs (&multinic_privs) {
			if (mn_nl_link_delete(&host, task->host_ifname, err, sizeof(err)) < 0 &&
			    was == MN_TASK_WIRED)
				zlog_warn("task %s: %s", task->name, err);
		}
	}
	task->host_ifindex = -1;
	task->device = NULL;
	task->status = MN_TASK_INCOMPLETE;
	task->error[0] = '\0';
}

static bool task_complete(const struct mn_task *task)
{
	return task->netns[0] && (task->has_vip[AFI_IP] || task->has_vip[AFI_IP6]);
}

static void task_rewire(struct event *t)
{
	struct mn_task *task = EVENT_ARG(t);

	task->rewire_pending = false;
	char err[256] = "";
	int ret;

	task_unwire(task);
	if (!multinic_cfg.configured || !task_complete(task))
		return;
	task->mtu_in_use = task->mtu ? task->mtu : mn_nics_min_mtu();
	if (!task->mtu_in_use) {
		task->status = MN_TASK_WAITING;
		strlcpy(task->error, "no selected NIC is up", sizeof(task->error));
		return;
	}
	frr_with_privs (&multinic_privs)
		ret = task_wire(task, err, sizeof(err));
	if (ret < 0) {
		task_fail(task, err);
		return;
	}
	task->status = MN_TASK_WIRED;
	zlog_info("task %s wired: %s %s <-> %s in netns %s", task->name, task->device,
		  task->host_ifname, MN_TASK_PEER_IFNAME, task->netns);
	task_host_routes_update(task);
}

/* NICs changed: tasks waiting for one may now be wired. */
static int tasks_nics_changed(void)
{
	struct mn_task *task;

	frr_each (mn_tasks, &mn_tasks, task) {
		if (task->status == MN_TASK_WAITING)
			task_schedule(task);
		else
			task_host_routes_update(task);
	}
	return 0;
}

void mn_task_init(void)
{
	mn_tasks_init(&mn_tasks);
	hook_register(mn_nics_changed, tasks_nics_changed);
}

void mn_task_terminate(void)
{
	event_cancel(&t_settle);
	mn_tasks_clear();
	mn_tasks_fini(&mn_tasks);
}
