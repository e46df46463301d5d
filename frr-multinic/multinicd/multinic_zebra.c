// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * multinicd: zebra client.
 *
 * Interfaces, addresses and routes come from zebra only: multinicd runs
 * no netlink listener of its own for what zebra already reports.  Every
 * event is handed down to the NIC layer (multinic_nic.c); nothing here
 * decides anything.
 */
#include <zebra.h>

#include "lib/frrevent.h"
#include "lib/if.h"
#include "lib/log.h"
#include "lib/memory.h"
#include "lib/typesafe.h"
#include "lib/nexthop.h"
#include "lib/prefix.h"
#include "lib/vrf.h"
#include "lib/zclient.h"

#include "multinicd.h"
#include "multinic_authz.h"
#include "multinic_ingress.h"
#include "common/multinic_authz_wire.h"
#include "common/multinic_ingress_wire.h"
#include "multinic_debug.h"
#include "multinic_names.h"
#include "multinic_nic.h"
#include "multinic_task.h"
#include "multinic_zapi.h"
#include "multinic_zebra.h"

static struct zclient *zclient;
static struct event *t_nics_update;

static void nics_update(struct event *t)
{
	mn_nics_update();
}

/*
 * Interface hooks run before lib/if.c finishes its own update (if_unreal
 * fires while the interface still has its index), so the NIC and task
 * layers are told from a deferred event, which also coalesces bursts.
 *
 * multinicd's own task devices are never NICs: a change of one concerns
 * its task only.  A NIC update looks at every interface and every task;
 * run for each of a thousand new task devices it cost O(T^2).
 */
PREDECL_LIST(changed_devices);
struct changed_device {
	struct changed_devices_item item;
	char ifname[IFNAMSIZ];
};
DECLARE_LIST(changed_devices, struct changed_device, item);

DEFINE_MTYPE_STATIC(MULTINICD, MN_CHANGED_DEVICE, "multinic task device change");

static struct changed_devices_head changed_devices;
static struct event *t_task_devices;

static void task_devices_changed(struct event *t)
{
	struct changed_device *d;

	while ((d = changed_devices_pop(&changed_devices))) {
		mn_tasks_device_changed(d->ifname);
		XFREE(MTYPE_MN_CHANGED_DEVICE, d);
	}
}

static void task_device_changed(const char *ifname)
{
	struct changed_device *d = XCALLOC(MTYPE_MN_CHANGED_DEVICE, sizeof(*d));

	strlcpy(d->ifname, ifname, sizeof(d->ifname));
	changed_devices_add_tail(&changed_devices, d);
	event_add_event(master, task_devices_changed, NULL, 0, &t_task_devices);
}

static int if_event(struct interface *ifp)
{
	DEBUGD(&mn_dbg_zebra, "zebra: interface %s (ifindex %d) %s", ifp->name, ifp->ifindex,
	       if_is_operative(ifp) ? "up" : "down");
	if (mn_ifname_is_task_device(ifp->name))
		task_device_changed(ifp->name);
	else
		event_add_event(master, nics_update, NULL, 0, &t_nics_update);
	return 0;
}

/* A NIC's addresses are what bgpd_multinic announces as its next hops. */
static void address_changed(const struct connected *c)
{
	if (!c || !c->ifp || !mn_ifname_is_task_device(c->ifp->name))
		mn_ingress_addresses_changed();
}

static int interface_address_add(ZAPI_CALLBACK_ARGS)
{
	address_changed(zebra_interface_address_read(cmd, zclient->ibuf, vrf_id));
	return 0;
}

static int interface_address_delete(ZAPI_CALLBACK_ARGS)
{
	struct connected *c;

	c = zebra_interface_address_read(cmd, zclient->ibuf, vrf_id);
	address_changed(c);
	if (c)
		connected_free(&c);
	return 0;
}

/*
 * "has a default gateway" (NIC match rules) and each NIC's gateway come
 * from tracking the default routes with zebra's nexthop tracking.
 */
static void default_route_track(afi_t afi, bool on)
{
	struct prefix p = {};

	p.family = afi2family(afi);
	if (zclient_send_rnh(zclient, on ? ZEBRA_NEXTHOP_REGISTER : ZEBRA_NEXTHOP_UNREGISTER, &p,
			     SAFI_UNICAST, false, true, VRF_DEFAULT) == ZCLIENT_SEND_FAILURE)
		zlog_warn("cannot %s tracking of the %s default route", on ? "start" : "stop",
			  afi2str(afi));
}

static void nexthop_update(struct vrf *vrf, struct prefix *matched, struct zapi_route *nhr)
{
	ifindex_t ifindex[MULTIPATH_NUM];
	union g_addr gw[MULTIPATH_NUM];
	unsigned int i, n = 0;
	afi_t afi = family2afi(matched->family);

	if (vrf->vrf_id != VRF_DEFAULT || matched->prefixlen != 0)
		return;
	/* A /0 registration may be answered by a longer match: ignore it. */
	if (nhr->prefix.prefixlen != 0)
		nhr->nexthop_num = 0;
	for (i = 0; i < nhr->nexthop_num && n < MULTIPATH_NUM; i++) {
		const struct zapi_nexthop *znh = &nhr->nexthops[i];

		if (!znh->ifindex)
			continue;
		ifindex[n] = znh->ifindex;
		gw[n] = znh->gate;
		n++;
	}
	DEBUGD(&mn_dbg_zebra, "zebra: %s default route through %u interface(s)", afi2str(afi), n);
	mn_nic_default_route_update(afi, ifindex, gw, n);
}

static int neighbour_change(ZAPI_CALLBACK_ARGS)
{
	struct zapi_neigh_ip api = {};

	if (zclient_neigh_ip_decode(zclient->ibuf, &api) < 0)
		return -1;
	DEBUGD(&mn_dbg_zebra, "zebra: neighbour %pIA on ifindex %u %s (state 0x%x)", &api.ip_in,
	       api.index, cmd == ZEBRA_NEIGH_REMOVED ? "removed" : "changed", api.ndm_state);
	mn_nic_neighbour_update(api.index, &api.ip_in,
				cmd == ZEBRA_NEIGH_REMOVED ? ZEBRA_NEIGH_STATE_NONE : api.ndm_state);
	return 0;
}

static int route_notify_owner(ZAPI_CALLBACK_ARGS)
{
	enum zapi_route_notify_owner note;
	uint32_t table;
	struct prefix p;
	safi_t safi;
	afi_t afi;

	if (!zapi_route_notify_decode(zclient->ibuf, &p, &table, &note, &afi, &safi))
		return -1;
	if (note == ZAPI_ROUTE_FAIL_INSTALL)
		zlog_warn("zebra could not install route %pFX (table %u)", &p, table);
	return 0;
}

static void zebra_connected(struct zclient *zc)
{
	DEBUGD(&mn_dbg_zebra, "zebra: connected");
	zclient_send_reg_requests(zc, VRF_DEFAULT);
	/* before any route: zebra keeps them across a multinicd restart */
	mn_zapi_gr_enable();
	zebra_route_notify_send(ZEBRA_ROUTE_NOTIFY_REQUEST, zc, true);
	/* the gateways' neighbour states, for show multinic nic */
	zclient_register_neigh(zc, VRF_DEFAULT, AFI_IP, true);
	zclient_register_neigh(zc, VRF_DEFAULT, AFI_IP6, true);
	/* Registrations do not survive a zebra restart: renew them here. */
	default_route_track(AFI_IP, true);
	default_route_track(AFI_IP6, true);
	mn_authz_zebra_connected(zc);
	mn_ingress_zebra_connected(zc);
}

/* bgpd_multinic asking for the authorization policy or the ingress state. */
static int opaque_recv(ZAPI_CALLBACK_ARGS)
{
	struct zapi_opaque_msg info;

	if (zclient_opaque_decode(zclient->ibuf, &info) != 0)
		return -1;
	if (info.type == MN_OPAQUE_AUTHZ_REQUEST)
		mn_authz_requested();
	else if (info.type == MN_OPAQUE_INGRESS_REQUEST)
		mn_ingress_requested();
	return 0;
}

static zclient_handler *const multinic_handlers[] = {
	[ZEBRA_INTERFACE_ADDRESS_ADD] = interface_address_add,
	[ZEBRA_INTERFACE_ADDRESS_DELETE] = interface_address_delete,
	[ZEBRA_ROUTE_NOTIFY_OWNER] = route_notify_owner,
	[ZEBRA_NEIGH_ADDED] = neighbour_change,
	[ZEBRA_NEIGH_REMOVED] = neighbour_change,
	[ZEBRA_OPAQUE_MESSAGE] = opaque_recv,
};

void multinic_zebra_init(void)
{
	changed_devices_init(&changed_devices);
	hook_register_prio(if_real, 0, if_event);
	hook_register_prio(if_up, 0, if_event);
	hook_register_prio(if_down, 0, if_event);
	hook_register_prio(if_unreal, 0, if_event);

	zclient = zclient_new(master, &zclient_options_default, multinic_handlers,
			      array_size(multinic_handlers));
	zclient_init(zclient, ZEBRA_ROUTE_MULTINIC, 0, &multinic_privs);
	mn_zclient = zclient;
	zclient->zebra_connected = zebra_connected;
	zclient->nexthop_update = nexthop_update;
}

void multinic_zebra_terminate(void)
{
	struct changed_device *d;

	event_cancel(&t_nics_update);
	event_cancel(&t_task_devices);
	while ((d = changed_devices_pop(&changed_devices)))
		XFREE(MTYPE_MN_CHANGED_DEVICE, d);
	changed_devices_fini(&changed_devices);
	zclient_stop(zclient);
	zclient_free(zclient);
	zclient = NULL;
	mn_zclient = NULL;
}
