// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * multinicd: a task's device pair and netns contents (see
 * multinic_task_netns.h).
 */
#include <zebra.h>

#include "lib/log.h"
#include "lib/prefix.h"

#include "multinicd.h"
#include "multinic_caps.h"
#include "multinic_debug.h"
#include "multinic_netlink.h"
#include "multinic_task_netns.h"

static const char *const task_gw_str[AFI_MAX] = {
	[AFI_IP] = "169.254.1.1",
	[AFI_IP6] = "fe80::1",
};

const char *mn_task_gateway(afi_t afi)
{
	return task_gw_str[afi];
}

const char *mn_task_device_name(enum mn_dp_device device)
{
	return device == MN_DP_DEV_NETKIT ? "netkit" : "veth";
}

/* The device pair: netkit when the kernel has it, else veth. */
static int pair_create(const struct mn_task_wiring *w, const struct mn_nl_ns *ns, uint32_t mtu,
		       struct mn_task_pair *pair, char *err, size_t len)
{
	int peer_ifindex, ret;

	if (multinic_caps.has.netkit) {
		ret = mn_nl_netkit_create(w->host_ifname, w->peer_ifname, ns, mtu,
					  &pair->host_ifindex, &peer_ifindex, err, len);
		if (ret == 0) {
			pair->device = MN_DP_DEV_NETKIT;
			return 0;
		}
	}
	ret = mn_nl_veth_create(w->host_ifname, w->peer_ifname, ns, mtu, &pair->host_ifindex,
				&peer_ifindex, err, len);
	if (ret == 0)
		pair->device = MN_DP_DEV_VETH;
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
static bool pair_adopt(const struct mn_task_wiring *w, const struct mn_nl_ns *ns,
		       struct mn_task_pair *pair)
{
	struct mn_nl_ns host = MN_NL_NS_HOST;
	char kind[16] = "";
	int ifindex;

	ifindex = mn_nl_link_index(&host, w->host_ifname);
	if (ifindex <= 0 || mn_nl_link_index(ns, w->peer_ifname) <= 0)
		return false;
	/* the kind decides the hook its pinned program sits on */
	mn_nl_link_kind(&host, w->host_ifname, kind, sizeof(kind));
	pair->host_ifindex = ifindex;
	pair->device = strmatch(kind, "netkit") ? MN_DP_DEV_NETKIT : MN_DP_DEV_VETH;
	zlog_info("task %s: adopting %s <-> %s left by an earlier multinicd", w->name,
		  w->host_ifname, w->peer_ifname);
	return true;
}

/* An address that is already there is fine on an adopted pair. */
static int addr_add(const struct mn_nl_ns *ns, const char *peer, const struct prefix *p,
		    bool adopted, char *err, size_t len)
{
	int ret = mn_nl_addr_add(ns, peer, p, err, len);

	return ret == -EEXIST && adopted ? 0 : ret;
}

/* Inside the netns: one family's VIP, gateway neighbour, default route. */
static int family_setup(const struct prefix *vip, const struct mn_nl_ns *ns, const char *peer,
			const uint8_t *host_mac, bool adopted, char *err, size_t len)
{
	afi_t afi = family2afi(vip->family);
	struct mn_nl_route route = {};
	struct prefix gw;
	int ret;

	str2prefix(task_gw_str[afi], &gw);
	ret = addr_add(ns, peer, vip, adopted, err, len);
	/* netkit is L3: no neighbours, the route is on the link */
	if (ret == 0 && host_mac)
		ret = mn_nl_neigh_add(ns, peer, &gw, host_mac, err, len);
	if (ret)
		return ret;
	route.dst.family = vip->family;
	route.gw = host_mac ? &gw : NULL;
	route.src = vip;
	route.ifname = peer;
	return mn_nl_route_add(ns, &route, err, len);
}

/*
 * The VIPs with their default routes, then the per-NIC addresses beside
 * them (the application binds to one; the datapath's per-NIC steering
 * does the rest).
 */
static int netns_setup(const struct mn_task_wiring *w, const struct mn_nl_ns *ns, uint32_t mtu,
		       const uint8_t *host_mac, bool adopted, char *err, size_t len)
{
	unsigned int i;
	afi_t afi;
	int ret;

	ret = mn_nl_link_up(ns, w->peer_ifname, mtu, err, len);
	for (afi = AFI_IP; afi <= AFI_IP6 && ret == 0; afi++)
		if (w->has_vip[afi])
			ret = family_setup(&w->vip[afi], ns, w->peer_ifname, host_mac, adopted, err,
					   len);
	for (i = 0; i < w->naddrs && ret == 0; i++)
		ret = addr_add(ns, w->peer_ifname, &w->addrs[i].addr, adopted, err, len);
	return ret;
}

int mn_task_netns_wire(const struct mn_task_wiring *w, const char *netns, uint32_t mtu,
		       struct mn_task_pair *pair, char *err, size_t len)
{
	struct mn_nl_ns host = MN_NL_NS_HOST, ns;
	char path[PATH_MAX];
	uint8_t mac[6];
	bool has_mac;
	int fd, ret = 0;

	memset(pair, 0, sizeof(*pair));
	mn_netns_path(netns, path, sizeof(path));
	fd = mn_nl_netns_open(path, err, len);
	if (fd < 0)
		return fd;
	ns.fd = fd;
	ns.name = netns;

	pair->adopted = pair_adopt(w, &ns, pair);
	if (!pair->adopted) {
		/* A device left by an earlier instance would block the new pair. */
		mn_nl_link_delete(&host, w->host_ifname, NULL, 0);
		ret = pair_create(w, &ns, mtu, pair, err, len);
	}
	if (ret == 0)
		ret = mn_nl_link_up(&host, w->host_ifname, 0, err, len);
	if (ret == 0) {
		has_mac = mn_nl_link_mac(&host, w->host_ifname, mac, NULL, 0) == 0;
		ret = netns_setup(w, &ns, mtu, has_mac ? mac : NULL, pair->adopted, err, len);
	}
	close(fd);
	if (ret == 0)
		DEBUGD(&mn_dbg_task, "task %s: %s %s <-> %s in netns %s %s", w->name,
		       mn_task_device_name(pair->device), w->host_ifname, w->peer_ifname,
		       netns, pair->adopted ? "adopted" : "created");
	return ret;
}

/*
 * A netkit peer is born blackholed: the task sends nothing until its
 * datapath is in place.  Once it is (the kernel rules, and in eBPF mode
 * mn_egress on the peer hook), the policy becomes forward: it only
 * applies while no program is attached, and then the kernel path must
 * carry the task (kernel mode, or eBPF detached: auto falling back).
 */
int mn_task_netns_open(const char *host_ifname, enum mn_dp_device device, char *err, size_t len)
{
	if (device != MN_DP_DEV_NETKIT)
		return 0;
	return mn_nl_netkit_set_peer_policy(host_ifname, true, err, len);
}

int mn_task_netns_unwire(const char *host_ifname, char *err, size_t len)
{
	struct mn_nl_ns host = MN_NL_NS_HOST;
	int ret;

	/* Deleting our end deletes the peer and all that lives on it. */
	frr_with_privs (&multinic_privs)
		ret = mn_nl_link_delete(&host, host_ifname, err, len);
	return ret;
}
