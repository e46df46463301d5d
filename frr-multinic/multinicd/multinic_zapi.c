// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * multinicd: routes and nexthop groups sent to zebra.
 */
#include <zebra.h>

#include "lib/log.h"
#include "lib/vrf.h"
#include "lib/zclient.h"

#include "multinicd.h"
#include "multinic_debug.h"
#include "multinic_zapi.h"

struct zclient *mn_zclient;

uint32_t mn_zapi_nhg_base(void)
{
	return zclient_get_nhg_start(ZEBRA_ROUTE_MULTINIC);
}

static bool zapi_sent(enum zclient_send_status st, const char *what)
{
	if (st == ZCLIENT_SEND_FAILURE) {
		zlog_warn("cannot send %s to zebra", what);
		return false;
	}
	return true;
}

static void zapi_nh_fill(struct zapi_nexthop *znh, int family, const struct mn_zapi_nh *nh)
{
	memset(znh, 0, sizeof(*znh));
	znh->vrf_id = VRF_DEFAULT;
	znh->ifindex = nh->ifindex;
	if (!nh->has_gate)
		znh->type = NEXTHOP_TYPE_IFINDEX;
	else if (family == AF_INET)
		znh->type = NEXTHOP_TYPE_IPV4_IFINDEX;
	else
		znh->type = NEXTHOP_TYPE_IPV6_IFINDEX;
	znh->gate = nh->gate;
	znh->weight = nh->weight;
	/* A configured gateway need not be inside a connected prefix. */
	if (nh->has_gate)
		SET_FLAG(znh->flags, ZAPI_NEXTHOP_FLAG_ONLINK);
}

bool mn_zapi_nhg_install(uint32_t id, int family, const struct mn_zapi_nh *nh, unsigned int n,
			 uint16_t resilient_buckets)
{
	struct zapi_nhg api = {};
	unsigned int i;

	if (!mn_zclient || n == 0)
		return false;
	api.id = id;
	api.proto = ZEBRA_ROUTE_MULTINIC;
	api.resilience.buckets = resilient_buckets;
	/*
	 * Only buckets idle this long move to a NIC that joins, so active
	 * flows stay on their NIC; a removed NIC's buckets move at once.
	 * zebra 10.3 hands this value to the kernel times 1000 in clock_t
	 * units (1/100 s), so 1 means 10 s: short enough for a returning NIC
	 * to take new flows soon, long enough to keep any active flow.
	 */
	api.resilience.idle_timer = resilient_buckets ? 1 : 0;
	for (i = 0; i < n && i < MULTIPATH_NUM; i++)
		zapi_nh_fill(&api.nexthops[i], family, &nh[i]);
	api.nexthop_num = i;
	DEBUGD(&mn_dbg_zebra, "zebra: nexthop group %u: %u next hop(s)%s", id, i,
	       resilient_buckets ? ", resilient" : "");
	return zapi_sent(zclient_nhg_send(mn_zclient, ZEBRA_NHG_ADD, &api), "a nexthop group");
}

bool mn_zapi_nhg_remove(uint32_t id)
{
	struct zapi_nhg api = { .id = id, .proto = ZEBRA_ROUTE_MULTINIC };

	if (!mn_zclient)
		return false;
	DEBUGD(&mn_dbg_zebra, "zebra: nexthop group %u removed", id);
	return zapi_sent(zclient_nhg_send(mn_zclient, ZEBRA_NHG_DEL, &api),
			 "a nexthop group removal");
}

/* A route of ours to p in table (0: main), without next hops yet. */
static void zapi_route_init(struct zapi_route *api, const struct prefix *p, uint32_t table)
{
	memset(api, 0, sizeof(*api));
	api->vrf_id = VRF_DEFAULT;
	api->type = ZEBRA_ROUTE_MULTINIC;
	api->safi = SAFI_UNICAST;
	prefix_copy(&api->prefix, p);
	apply_mask(&api->prefix);
	if (table) {
		SET_FLAG(api->message, ZAPI_MESSAGE_TABLEID);
		api->tableid = table;
	}
}

static bool zapi_route_send(bool add, struct zapi_route *api)
{
	if (!mn_zclient)
		return false;
	DEBUGD(&mn_dbg_zebra, "zebra: route %pFX table %u %s", &api->prefix, api->tableid,
	       add ? "add" : "delete");
	return zapi_sent(zclient_route_send(add ? ZEBRA_ROUTE_ADD : ZEBRA_ROUTE_DELETE, mn_zclient,
					    api),
			 "a route");
}

bool mn_zapi_route_nhg(bool add, const struct prefix *p, uint32_t table, uint32_t nhg_id)
{
	struct zapi_route api;

	zapi_route_init(&api, p, table);
	if (add)
		zapi_route_set_nhg_id(&api, &nhg_id);
	return zapi_route_send(add, &api);
}

bool mn_zapi_route_nh(bool add, const struct prefix *p, uint32_t table, const struct mn_zapi_nh *nh)
{
	struct zapi_route api;

	zapi_route_init(&api, p, table);
	if (add) {
		SET_FLAG(api.message, ZAPI_MESSAGE_NEXTHOP);
		api.nexthop_num = 1;
		if (nh) {
			zapi_nh_fill(&api.nexthops[0], p->family, nh);
		} else {
			api.nexthops[0].type = NEXTHOP_TYPE_BLACKHOLE;
			api.nexthops[0].bh_type = BLACKHOLE_REJECT; /* unreachable */
			api.nexthops[0].vrf_id = VRF_DEFAULT;
		}
	}
	return zapi_route_send(add, &api);
}

bool mn_zapi_route_dev(bool add, const struct prefix *p, ifindex_t ifindex)
{
	const struct mn_zapi_nh nh = { .ifindex = ifindex };

	return mn_zapi_route_nh(add, p, 0, &nh);
}

/*
 * Graceful restart.  zebra flushes a client's routes and nexthop groups
 * when it disconnects, unless the client announced graceful restart:
 * then they stay (marked stale once the client is back) until the client
 * says it has sent its routes again, or MN_ZAPI_STALE_TIME passes.  So a
 * crashed or restarted multinicd changes nothing in the kernel, and bgpd
 * keeps announcing the task VIPs it redistributes instead of withdrawing
 * and re-announcing them.  A multinicd that stops for good unwires its
 * tasks first, which removes their routes one by one.
 */
#define MN_ZAPI_STALE_TIME 120 /* s: covers watchfrr's restart back-off */

static bool zapi_gr_send(enum zserv_client_capabilities cap, afi_t afi)
{
	struct zapi_cap api = {};

	if (!mn_zclient || mn_zclient->sock < 0)
		return false;
	api.cap = cap;
	api.afi = afi;
	api.safi = SAFI_UNICAST;
	api.vrf_id = VRF_DEFAULT;
	api.stale_removal_time = MN_ZAPI_STALE_TIME;
	return zapi_sent(zclient_capabilities_send(ZEBRA_CLIENT_CAPABILITIES, mn_zclient, &api),
			 zserv_gr_client_cap_string(cap));
}

void mn_zapi_gr_enable(void)
{
	zapi_gr_send(ZEBRA_CLIENT_GR_CAPABILITIES, AFI_IP);
}

void mn_zapi_routes_complete(void)
{
	zapi_gr_send(ZEBRA_CLIENT_ROUTE_UPDATE_COMPLETE, AFI_IP);
	zapi_gr_send(ZEBRA_CLIENT_ROUTE_UPDATE_COMPLETE, AFI_IP6);
}

void mn_zapi_opaque_start(struct stream *s, uint8_t version, uint8_t kind, uint32_t generation)
{
	stream_reset(s);
	stream_putc(s, version);
	stream_putc(s, kind);
	stream_putl(s, generation);
}

bool mn_zapi_opaque_send(uint32_t type, struct stream *s)
{
	return zclient_send_opaque(mn_zclient, type, STREAM_DATA(s), stream_get_endp(s)) !=
	       ZCLIENT_SEND_FAILURE;
}
