// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * bgpd_multinic: resilient ingress at the rack switch (see
 * bgp_multinic_resilient.h).
 */
#include <zebra.h>

#include "lib/frrevent.h"
#include "lib/if.h"
#include "lib/json.h"
#include "lib/log.h"
#include "lib/memory.h"
#include "lib/vrf.h"
#include "lib/vty.h"
#include "lib/zclient.h"

#include "bgpd/bgpd.h"
#include "bgpd/bgp_nhg.h"
#include "bgpd/bgp_route.h"
#include "bgpd/bgp_table.h"
#include "bgpd/bgp_zebra.h"
#include "bgpd/bgp_multinic.h"
#include "bgpd/bgp_multinic_books.h"
#include "bgpd/bgp_multinic_ingress.h"
#include "bgpd/bgp_multinic_policy.h"
#include "bgpd/bgp_multinic_resilient.h"

DEFINE_MTYPE_STATIC(BGPD, MN_RGROUP, "multinic resilient nexthop group");

/* A VIP's resilient group, with its next hops as last sent to zebra. */
PREDECL_HASH(mn_rgroups);
struct mn_rgroup {
	struct mn_rgroups_item item;
	vrf_id_t vrf_id;
	struct prefix p;
	uint32_t id;
	uint16_t buckets;
	uint32_t idle_timer;
	uint16_t n;
	struct zapi_nexthop *nh;
};

static int mn_rgroup_cmp(const struct mn_rgroup *a, const struct mn_rgroup *b)
{
	if (a->vrf_id != b->vrf_id)
		return numcmp(a->vrf_id, b->vrf_id);
	return prefix_cmp(&a->p, &b->p);
}

static uint32_t mn_rgroup_hash(const struct mn_rgroup *g)
{
	return prefix_hash_key(&g->p) ^ g->vrf_id;
}

DECLARE_HASH(mn_rgroups, struct mn_rgroup, item, mn_rgroup_cmp, mn_rgroup_hash);

static struct mn_rgroups_head groups = INIT_HASH(groups);

/*
 * Group ids go back to bgpd's allocator a while after the group's removal
 * was sent: zebra frees a group only once no route uses it any more, and
 * an id handed out again before that would name the old group.
 */
#define MN_RGROUP_ID_HOLD_S 5
#define MN_RGROUP_IDS_HELD  1024
static uint32_t held_ids[MN_RGROUP_IDS_HELD];
static unsigned int n_held;
static struct event *t_release;

static void ids_release(struct event *event)
{
	while (n_held)
		bgp_nhg_id_free(held_ids[--n_held]);
}

static void id_hold(uint32_t id)
{
	if (n_held == MN_RGROUP_IDS_HELD)
		ids_release(NULL);
	held_ids[n_held++] = id;
	event_add_timer(bm->master, ids_release, NULL, MN_RGROUP_ID_HOLD_S, &t_release);
}

static struct mn_rgroup *group_find(vrf_id_t vrf_id, const struct prefix *p)
{
	struct mn_rgroup key = { .vrf_id = vrf_id };

	prefix_copy(&key.p, p);
	return mn_rgroups_find(&groups, &key);
}

static void group_free(struct zclient *zc, struct mn_rgroup *g)
{
	struct zapi_nhg api = { .id = g->id, .proto = ZEBRA_ROUTE_BGP };

	if (zc && zc->sock >= 0)
		zclient_nhg_send(zc, ZEBRA_NHG_DEL, &api);
	if (MN_DEBUG)
		zlog_debug("multinic resilient ingress: %pFX no longer through group %u", &g->p,
			   g->id);
	id_hold(g->id);
	mn_rgroups_del(&groups, g);
	XFREE(MTYPE_MN_RGROUP, g->nh);
	XFREE(MTYPE_MN_RGROUP, g);
}

/*
 * The route to g's prefix goes to zebra with plain next hops (api) now:
 * release g so that zebra does not keep the route on it.
 *
 * zebra 10.3 compares a route's new next hops with those of the route it
 * replaces (zebra_nhg_rib_compare_old_nhe() in nexthop_active_update())
 * and, when they are the same, keeps the old route's nexthop group, even
 * a protocol's own group that the protocol has just released: the route
 * would stay on our resilient group in the RIB and the kernel, and the
 * group with it, with bgpd believing otherwise.  So the group is first
 * replaced in place with other weights (every next hop 1, or every one 2
 * when the route's own weights are all 0 or 1; zebra scales a set of
 * weights to its maximum, 254, unless they are all 1, so the two never
 * compare equal), then released.  The kernel keeps the group's buckets
 * on their next hops meanwhile (no bucket moves before the idle timer);
 * the route then moves to a plain group of zebra's and ours goes away.
 */
static void group_release_for_plain(struct zclient *zc, struct mn_rgroup *g,
				    const struct zapi_route *api)
{
	struct zapi_nhg nhg = {
		.id = g->id,
		.proto = ZEBRA_ROUTE_BGP,
		.resilience = {
			.buckets = g->buckets,
			.idle_timer = g->idle_timer,
			.unbalanced_timer = 0,
		},
		.nexthop_num = g->n,
	};
	uint64_t weight = 2;
	uint16_t i;

	for (i = 0; i < api->nexthop_num; i++)
		if (api->nexthops[i].weight > 1)
			weight = 1;
	for (i = 0; i < g->n; i++) {
		nhg.nexthops[i] = g->nh[i];
		nhg.nexthops[i].weight = weight;
	}
	if (zc && zc->sock >= 0 && g->n)
		zclient_nhg_send(zc, ZEBRA_NHG_ADD, &nhg);
	group_free(zc, g);
}

/*
 * The interface whose connected subnet holds addr (the longest match), or
 * NULL.  lib's if_lookup_address() looks at IPv4 subnets only (FRR 10.3),
 * whatever family it is given.
 */
static struct interface *connected_interface(const struct prefix *addr, vrf_id_t vrf_id)
{
	struct vrf *vrf = vrf_lookup_by_id(vrf_id);
	struct interface *ifp, *best = NULL;
	struct connected *c;
	int bestlen = -1;

	if (!vrf)
		return NULL;
	FOR_ALL_INTERFACES (vrf, ifp)
		frr_each (if_connected, ifp->connected, c)
			if (c->address && c->address->family == addr->family &&
			    c->address->prefixlen > bestlen &&
			    prefix_match(CONNECTED_PREFIX(c), addr)) {
				bestlen = c->address->prefixlen;
				best = ifp;
			}
	return best;
}

/*
 * zebra takes a client's group only with every next hop tied to an
 * interface; bgpd sends the next hops of directly connected sessions as
 * plain addresses (zebra resolves them for routes), so the connected
 * interface is looked up here.  false: a next hop is not on a link of
 * ours (not a host's NIC): no resilient group for this route.
 */
static bool nexthop_bind(struct zapi_nexthop *nh)
{
	struct interface *ifp;
	struct prefix addr = {};

	if (nh->ifindex)
		return nh->type == NEXTHOP_TYPE_IPV4_IFINDEX || nh->type == NEXTHOP_TYPE_IPV6_IFINDEX;
	if (nh->type == NEXTHOP_TYPE_IPV4) {
		addr.family = AF_INET;
		addr.prefixlen = IPV4_MAX_BITLEN;
		addr.u.prefix4 = nh->gate.ipv4;
		nh->type = NEXTHOP_TYPE_IPV4_IFINDEX;
	} else if (nh->type == NEXTHOP_TYPE_IPV6) {
		addr.family = AF_INET6;
		addr.prefixlen = IPV6_MAX_BITLEN;
		addr.u.prefix6 = nh->gate.ipv6;
		nh->type = NEXTHOP_TYPE_IPV6_IFINDEX;
	} else {
		return false;
	}
	ifp = connected_interface(&addr, nh->vrf_id);
	if (!ifp)
		return false;
	nh->ifindex = ifp->ifindex;
	return true;
}

/* An authorized task VIP, and the route's best path from a host of the policy. */
static bool resilient_route(struct bgp *bgp, struct bgp_dest *dest, struct bgp_path_info *info)
{
	const struct prefix *p = bgp_dest_get_prefix(dest);
	struct bgp_table *table = bgp_dest_table(dest);

	return mn_ingress_cfg.resilient && bgp == mn_ingress_bgp() && table->safi == SAFI_UNICAST &&
	       p->prefixlen == prefix_blen(p) * 8 && info->peer &&
	       mn_policy_host_of_peer(mn_policy(), info->peer) &&
	       mn_books_vip_held(bgp->vrf_id, p);
}

/* patch 0013's bgp_zebra_route_announce */
static int route_announce(struct bgp *bgp, struct bgp_dest *dest, struct bgp_path_info *info,
			  struct zclient *zc, struct zapi_route *api)
{
	const struct prefix *p = bgp_dest_get_prefix(dest);
	struct mn_rgroup *g = group_find(bgp->vrf_id, p);
	struct zapi_nhg nhg = {
		.proto = ZEBRA_ROUTE_BGP,
		.resilience = {
			.buckets = mn_ingress_cfg.buckets,
			.idle_timer = mn_ingress_cfg.idle_timer,
			/* never move a running flow to even out the buckets */
			.unbalanced_timer = 0,
		},
	};
	uint16_t i;

	if (!resilient_route(bgp, dest, info) || !api->nexthop_num) {
		if (g)
			group_release_for_plain(zc, g, api);
		return 0;
	}
	for (i = 0; i < api->nexthop_num; i++) {
		nhg.nexthops[i] = api->nexthops[i];
		if (!nexthop_bind(&nhg.nexthops[i])) {
			if (g)
				group_release_for_plain(zc, g, api);
			return 0;
		}
	}
	nhg.nexthop_num = api->nexthop_num;
	/*
	 * The kernel refuses to change a resilient group's number of
	 * buckets in place: other buckets need a group of another id (the
	 * route moves to it, zebra frees the old one once unused).
	 */
	if (g && g->buckets != nhg.resilience.buckets) {
		group_free(zc, g);
		g = NULL;
	}
	if (!g) {
		g = XCALLOC(MTYPE_MN_RGROUP, sizeof(*g));
		g->vrf_id = bgp->vrf_id;
		prefix_copy(&g->p, p);
		g->buckets = nhg.resilience.buckets;
		g->id = bgp_nhg_id_alloc();
		if (!g->id) {
			zlog_warn("multinic resilient ingress: no nexthop group id left for %pFX", p);
			XFREE(MTYPE_MN_RGROUP, g);
			return 0;
		}
		mn_rgroups_add(&groups, g);
	}
	/*
	 * Sent every time, even unchanged: a zebra that restarted has lost
	 * it.  The same next hops replace the group in place, buckets kept.
	 */
	nhg.id = g->id;
	g->idle_timer = nhg.resilience.idle_timer;
	if (zclient_nhg_send(zc, ZEBRA_NHG_ADD, &nhg) == ZCLIENT_SEND_FAILURE) {
		group_free(zc, g);
		return 0;
	}
	XFREE(MTYPE_MN_RGROUP, g->nh);
	g->n = nhg.nexthop_num;
	g->nh = XCALLOC(MTYPE_MN_RGROUP, g->n * sizeof(*g->nh));
	memcpy(g->nh, nhg.nexthops, g->n * sizeof(*g->nh));
	zapi_route_set_nhg_id(api, &g->id);
	if (MN_DEBUG)
		zlog_debug("multinic resilient ingress: %pFX through group %u, %u next hop(s)", p,
			   g->id, g->n);
	return 0;
}

/* patch 0013's bgp_zebra_route_withdrawn */
static int route_withdrawn(struct bgp *bgp, struct bgp_dest *dest, struct zclient *zc)
{
	struct mn_rgroup *g = group_find(bgp->vrf_id, bgp_dest_get_prefix(dest));

	if (g)
		group_free(zc, g);
	return 0;
}

/* On or off, other buckets or timer: every route goes to zebra again. */
static int cfg_changed(void)
{
	struct bgp *bgp = mn_ingress_bgp();

	if (!bgp)
		return 0;
	bgp_zebra_announce_table(bgp, AFI_IP, SAFI_UNICAST);
	bgp_zebra_announce_table(bgp, AFI_IP6, SAFI_UNICAST);
	return 0;
}

void mn_resilient_show(struct vty *vty, json_object *json)
{
	const struct mn_rgroup *g;
	json_object *jg = NULL;
	char buf[INET6_ADDRSTRLEN];
	uint16_t i;

	if (json) {
		jg = json_object_new_object();
		json_object_object_add(json, "resilientGroups", jg);
	} else if (mn_rgroups_count(&groups)) {
		vty_out(vty, "Resilient nexthop groups:\n");
	}
	frr_each (mn_rgroups_const, &groups, g) {
		json_object *j = NULL, *a = NULL;
		char pfx[PREFIX_STRLEN];

		prefix2str(&g->p, pfx, sizeof(pfx));
		if (jg) {
			j = json_object_new_object();
			a = json_object_new_array();
			json_object_int_add(j, "id", g->id);
			json_object_object_add(j, "nexthops", a);
			json_object_object_add(jg, pfx, j);
		} else {
			vty_out(vty, "  %s: group %u,", pfx, g->id);
		}
		for (i = 0; i < g->n; i++) {
			inet_ntop(g->nh[i].type == NEXTHOP_TYPE_IPV4_IFINDEX ? AF_INET : AF_INET6,
				  &g->nh[i].gate, buf, sizeof(buf));
			if (a)
				json_object_array_add(a, json_object_new_string(buf));
			else
				vty_out(vty, " %s", buf);
		}
		if (!jg)
			vty_out(vty, "\n");
	}
}

void mn_resilient_init(void)
{
	hook_register(bgp_zebra_route_announce, route_announce);
	hook_register(bgp_zebra_route_withdrawn, route_withdrawn);
	hook_register(mn_ingress_cfg_changed, cfg_changed);
}

void mn_resilient_fini(void)
{
	struct mn_rgroup *g;

	hook_unregister(bgp_zebra_route_announce, route_announce);
	hook_unregister(bgp_zebra_route_withdrawn, route_withdrawn);
	hook_unregister(mn_ingress_cfg_changed, cfg_changed);
	event_cancel(&t_release);
	while ((g = mn_rgroups_pop(&groups))) {
		XFREE(MTYPE_MN_RGROUP, g->nh);
		XFREE(MTYPE_MN_RGROUP, g);
	}
	mn_rgroups_fini(&groups);
}
