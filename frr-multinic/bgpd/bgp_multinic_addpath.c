// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * bgpd_multinic: single-session mode, one path per healthy NIC (see
 * bgp_multinic_addpath.h).
 */
#include <zebra.h>

#include "lib/frrevent.h"
#include "lib/log.h"
#include "lib/memory.h"
#include "lib/monotime.h"

#include "bgpd/bgpd.h"
#include "bgpd/bgp_attr.h"
#include "bgpd/bgp_aspath.h"
#include "bgpd/bgp_route.h"
#include "bgpd/bgp_table.h"
#include "bgpd/bgp_updgrp.h"
#include "bgpd/bgp_zebra.h"
#include "bgpd/bgp_multinic.h"
#include "bgpd/bgp_multinic_addpath.h"
#include "bgpd/bgp_multinic_lb.h"

DEFINE_MTYPE_STATIC(BGPD, MN_REFUSAL, "multinic single-session refusal");

/* Prefixes single-session mode does not build, and why (for show). */
PREDECL_HASH(mn_refusals);
struct mn_refusal {
	struct mn_refusals_item item;
	struct prefix p;
	const char *why;
};

static int mn_refusal_cmp(const struct mn_refusal *a, const struct mn_refusal *b)
{
	return prefix_cmp(&a->p, &b->p);
}

static uint32_t mn_refusal_hash(const struct mn_refusal *r)
{
	return prefix_hash_key(&r->p);
}

DECLARE_HASH(mn_refusals, struct mn_refusal, item, mn_refusal_cmp, mn_refusal_hash);

static struct mn_refusals_head refusals = INIT_HASH(refusals);
static struct event *t_resync;

static const char *const why_redistributing =
	"redistribute multinic is configured in this address family (its paths and single-session paths must not share a prefix)";
static const char *const why_local_path =
	"the prefix has another local path (network, redistribute or aggregate-address)";

/* Whether a path is one of single-session mode's. */
static bool mn_addpath_own(const struct bgp_path_info *pi)
{
	return pi->peer && pi->peer->bgp && pi->peer == pi->peer->bgp->peer_self &&
	       pi->type == ZEBRA_ROUTE_MULTINIC && pi->sub_type == BGP_ROUTE_STATIC;
}

/*
 * patch 0012's bgp_announce_check, for single-session mode's own paths
 * (the per-session policy, bgp_multinic_nics.c, judges only redistributed
 * task routes): whatever the session (eBGP included), the next hop stays
 * the NIC's address, and an IPv6 one goes without the session's
 * link-local address.
 */
static int announce_check(struct update_subgroup *subgrp, struct bgp_dest *dest,
			  struct bgp_path_info *pi, struct attr *attr)
{
	struct peer *peer = SUBGRP_PEER(subgrp);

	if (SUBGRP_SAFI(subgrp) != SAFI_UNICAST || !peer->bgp || peer->bgp != mn_ingress_bgp() ||
	    !mn_addpath_own(pi))
		return 0;
	/*
	 * As "set ip next-hop unchanged" would: neither the next-hop-self of
	 * eBGP (subgroup_announce_check) nor the per-peer rewrite
	 * (bpacket_reformat_for_peer) replaces the NIC's address.
	 */
	SET_FLAG(attr->rmap_change_flags, BATTR_RMAP_NEXTHOP_UNCHANGED);
	/* the session's own link-local address would point at the wrong NIC */
	if (bgp_dest_get_prefix(dest)->family == AF_INET6)
		attr->mp_nexthop_len = BGP_ATTR_NHLEN_IPV6_GLOBAL;
	return 0;
}

static void refusal_set(const struct prefix *p, const char *why)
{
	struct mn_refusal key = {}, *r;

	prefix_copy(&key.p, p);
	r = mn_refusals_find(&refusals, &key);
	if (!why) {
		if (r) {
			mn_refusals_del(&refusals, r);
			XFREE(MTYPE_MN_REFUSAL, r);
		}
		return;
	}
	if (!r) {
		r = XCALLOC(MTYPE_MN_REFUSAL, sizeof(*r));
		prefix_copy(&r->p, p);
		mn_refusals_add(&refusals, r);
		zlog_warn("multinic single-session: no paths for %pFX: %s", p, why);
	}
	r->why = why;
}

const char *mn_addpath_refusal(const struct prefix *p)
{
	struct mn_refusal key = {};
	const struct mn_refusal *r;

	prefix_copy(&key.p, p);
	r = mn_refusals_const_find(&refusals, &key);
	return r ? r->why : NULL;
}

static bool redistributing(struct bgp *bgp, afi_t afi)
{
	return bgp_redist_lookup(bgp, afi, ZEBRA_ROUTE_MULTINIC, 0) != NULL;
}

static bool other_local_path(struct bgp *bgp, struct bgp_dest *dest)
{
	struct bgp_path_info *pi;

	for (pi = bgp_dest_get_bgp_path_info(dest); pi; pi = pi->next)
		if (pi->peer == bgp->peer_self && !mn_addpath_own(pi) &&
		    !CHECK_FLAG(pi->flags, BGP_PATH_REMOVED))
			return true;
	return false;
}

unsigned int mn_addpath_paths(const struct prefix *p)
{
	struct bgp_path_info *pi;
	struct bgp_dest *dest;
	struct bgp *bgp;
	unsigned int n = 0;

	dest = mn_ingress_dest(p, &bgp);
	if (!dest)
		return 0;
	for (pi = bgp_dest_get_bgp_path_info(dest); pi; pi = pi->next)
		n += mn_addpath_own(pi) && !CHECK_FLAG(pi->flags, BGP_PATH_REMOVED);
	bgp_dest_unlock_node(dest);
	return n;
}

/*
 * The paths
 */

/* A NIC's path: its address as next hop, its link bandwidth. */
static struct attr *nic_attr(struct bgp *bgp, afi_t afi, const struct mn_nic_state *nic)
{
	struct attr attr, *interned;

	bgp_attr_default_set(&attr, bgp, BGP_ORIGIN_INCOMPLETE);
	if (afi == AFI_IP) {
		attr.nexthop = nic->addr4;
		attr.mp_nexthop_global_in = nic->addr4;
		attr.mp_nexthop_len = BGP_ATTR_NHLEN_IPV4;
		attr.nh_type = NEXTHOP_TYPE_IPV4;
	} else {
		UNSET_FLAG(attr.flag, ATTR_FLAG_BIT(BGP_ATTR_NEXT_HOP));
		attr.mp_nexthop_global = nic->addr6;
		attr.mp_nexthop_len = BGP_ATTR_NHLEN_IPV6_GLOBAL;
		attr.nh_type = NEXTHOP_TYPE_IPV6;
	}
	if (mn_ingress_cfg.lb != MN_LB_NONE)
		mn_attr_set_link_bandwidth(&attr, bgp->as, mn_ingress_nic_bandwidth(nic),
					   mn_ingress_cfg.lb);
	interned = bgp_attr_intern(&attr);
	aspath_unintern(&attr.aspath);
	return interned;
}

static bool path_of_nic(const struct bgp_path_info *pi, afi_t afi, const struct mn_nic_state *nic)
{
	if (afi == AFI_IP)
		return IPV4_ADDR_SAME(&pi->attr->nexthop, &nic->addr4);
	return IPV6_ADDR_SAME(&pi->attr->mp_nexthop_global, &nic->addr6);
}

static void path_add(struct bgp *bgp, struct bgp_dest *dest, afi_t afi,
		     const struct mn_nic_state *nic)
{
	const struct prefix *p = bgp_dest_get_prefix(dest);
	struct bgp_path_info *new;

	new = info_make(ZEBRA_ROUTE_MULTINIC, BGP_ROUTE_STATIC, 0, bgp->peer_self,
			nic_attr(bgp, afi, nic), dest);
	SET_FLAG(new->flags, BGP_PATH_VALID);
	bgp_path_info_add(dest, new);
	bgp_aggregate_increment(bgp, p, new, afi, SAFI_UNICAST);
	bgp_process(bgp, dest, new, afi, SAFI_UNICAST);
	if (MN_DEBUG)
		zlog_debug("multinic single-session: %pFX path via %s added", p, nic->name);
}

static void path_update(struct bgp *bgp, struct bgp_dest *dest, struct bgp_path_info *pi,
			afi_t afi, const struct mn_nic_state *nic)
{
	const struct prefix *p = bgp_dest_get_prefix(dest);
	struct attr *attr = nic_attr(bgp, afi, nic);

	if (attr == pi->attr) { /* interned: the same attributes */
		bgp_attr_unintern(&attr);
		return;
	}
	bgp_path_info_set_flag(dest, pi, BGP_PATH_ATTR_CHANGED);
	bgp_aggregate_decrement(bgp, p, pi, afi, SAFI_UNICAST);
	bgp_attr_unintern(&pi->attr);
	pi->attr = attr;
	pi->uptime = monotime(NULL);
	bgp_aggregate_increment(bgp, p, pi, afi, SAFI_UNICAST);
	bgp_process(bgp, dest, pi, afi, SAFI_UNICAST);
	if (MN_DEBUG)
		zlog_debug("multinic single-session: %pFX path via %s updated", p, nic->name);
}

static void path_del(struct bgp *bgp, struct bgp_dest *dest, struct bgp_path_info *pi, afi_t afi)
{
	const struct prefix *p = bgp_dest_get_prefix(dest);

	bgp_aggregate_decrement(bgp, p, pi, afi, SAFI_UNICAST);
	bgp_path_info_delete(dest, pi);
	bgp_process(bgp, dest, pi, afi, SAFI_UNICAST);
	if (MN_DEBUG && afi == AFI_IP)
		zlog_debug("multinic single-session: %pFX path via %pI4 withdrawn", p,
			   &pi->attr->nexthop);
	else if (MN_DEBUG)
		zlog_debug("multinic single-session: %pFX path via %pI6 withdrawn", p,
			   &pi->attr->mp_nexthop_global);
}

/* The NICs that give p a path, by the rules. */
static unsigned int wanted_nics(const struct prefix *p, afi_t afi,
				const struct mn_nic_state **want)
{
	struct mn_pfx_facts f = mn_ingress_facts(mn_ingress_prefix(p));
	const struct mn_nic_state *nics;
	unsigned int n, i, n_want = 0;

	if (!mn_ingress_cfg.single_session)
		return 0;
	nics = mn_ingress_nics(&n);
	for (i = 0; i < n; i++) {
		struct mn_nic_facts nf = {
			.name = nics[i].name,
			.up = nics[i].up,
			.has_addr = nics[i].has_addr[afi == AFI_IP6],
		};

		if (mn_nic_path_wanted(&f, &nf))
			want[n_want++] = &nics[i];
	}
	return n_want;
}

/* p's own paths made to match what the NICs and multinicd say. */
static void prefix_sync(const struct prefix *p)
{
	const struct mn_nic_state *want[MN_INGRESS_NICS_MAX];
	bool used[MN_INGRESS_NICS_MAX] = {};
	struct bgp *bgp = mn_ingress_bgp();
	afi_t afi = family2afi(p->family);
	struct bgp_path_info *pi, *next;
	struct bgp_table *table;
	struct bgp_dest *dest;
	const char *why = NULL;
	unsigned int n_want, i;

	if (!bgp || (afi != AFI_IP && afi != AFI_IP6) || !bgp->rib[afi][SAFI_UNICAST])
		return;
	table = bgp->rib[afi][SAFI_UNICAST];
	n_want = wanted_nics(p, afi, want);
	dest = bgp_node_lookup(table, p);
	if (n_want && redistributing(bgp, afi))
		why = why_redistributing;
	else if (n_want && dest && other_local_path(bgp, dest))
		why = why_local_path;
	refusal_set(p, why);
	if (why)
		n_want = 0;
	if (!dest && !n_want)
		return;
	if (!dest)
		dest = bgp_afi_node_get(table, afi, SAFI_UNICAST, p, NULL);
	for (pi = bgp_dest_get_bgp_path_info(dest); pi; pi = next) {
		next = pi->next;
		if (!mn_addpath_own(pi) || CHECK_FLAG(pi->flags, BGP_PATH_REMOVED))
			continue;
		for (i = 0; i < n_want; i++)
			if (!used[i] && path_of_nic(pi, afi, want[i]))
				break;
		if (i < n_want) {
			used[i] = true;
			path_update(bgp, dest, pi, afi, want[i]);
		} else {
			path_del(bgp, dest, pi, afi);
		}
	}
	for (i = 0; i < n_want; i++)
		if (!used[i])
			path_add(bgp, dest, afi, want[i]);
	bgp_dest_unlock_node(dest);
}

static void prefix_sync_cb(const struct mn_tpfx *pfx, void *arg)
{
	prefix_sync(&pfx->p);
}

/* Every task prefix, and every prefix refused so far. */
static void sync_all(void)
{
	struct mn_refusal *r;

	mn_ingress_each_prefix(prefix_sync_cb, NULL);
	frr_each_safe (mn_refusals, &refusals, r)
		if (!mn_ingress_prefix(&r->p))
			refusal_set(&r->p, NULL);
}

/*
 * Listeners
 */

static int nic_changed(const struct mn_nic_state *old, const struct mn_nic_state *now)
{
	sync_all();
	return 0;
}

static int prefix_changed(const struct prefix *p)
{
	prefix_sync(p);
	return 0;
}

static int cfg_changed(void)
{
	sync_all();
	return 0;
}

static void resync(struct event *event)
{
	sync_all();
}

/*
 * A local path of another kind came to (or left) a task prefix -- an
 * operator configured "redistribute multinic" or a "network" -- which
 * single-session paths must not share a prefix with: looked at again once
 * bgpd is done processing (never from within it).
 */
static int route_update(struct bgp *bgp, afi_t afi, safi_t safi, struct bgp_dest *dest,
			struct bgp_path_info *old, struct bgp_path_info *new)
{
	const struct prefix *p = bgp_dest_get_prefix(dest);
	struct bgp_path_info *pi;
	bool own = false, other = false;

	if (!mn_ingress_cfg.single_session || bgp != mn_ingress_bgp() || safi != SAFI_UNICAST ||
	    !mn_ingress_prefix(p))
		return 0;
	for (pi = bgp_dest_get_bgp_path_info(dest); pi; pi = pi->next) {
		if (CHECK_FLAG(pi->flags, BGP_PATH_REMOVED))
			continue;
		own = own || mn_addpath_own(pi);
		other = other || (pi->peer == bgp->peer_self && !mn_addpath_own(pi));
	}
	if ((own && other) || (!own && !other && mn_addpath_refusal(p)))
		event_add_event(bm->master, resync, NULL, 0, &t_resync);
	return 0;
}

/* The instance goes, and its paths with it: the refusals were its. */
static int inst_delete(struct bgp *bgp)
{
	struct mn_refusal *r;

	if (bgp->inst_type != BGP_INSTANCE_TYPE_DEFAULT)
		return 0;
	while ((r = mn_refusals_pop(&refusals)))
		XFREE(MTYPE_MN_REFUSAL, r);
	return 0;
}

void mn_addpath_init(void)
{
	hook_register(bgp_announce_check, announce_check);
	hook_register(mn_ingress_nic_changed, nic_changed);
	hook_register(mn_ingress_prefix_changed, prefix_changed);
	hook_register(mn_ingress_cfg_changed, cfg_changed);
	hook_register(bgp_route_update, route_update);
	hook_register(bgp_inst_delete, inst_delete);
}

void mn_addpath_fini(void)
{
	struct mn_refusal *r;

	event_cancel(&t_resync);
	hook_unregister(bgp_announce_check, announce_check);
	hook_unregister(mn_ingress_nic_changed, nic_changed);
	hook_unregister(mn_ingress_prefix_changed, prefix_changed);
	hook_unregister(mn_ingress_cfg_changed, cfg_changed);
	hook_unregister(bgp_route_update, route_update);
	hook_unregister(bgp_inst_delete, inst_delete);
	while ((r = mn_refusals_pop(&refusals)))
		XFREE(MTYPE_MN_REFUSAL, r);
	mn_refusals_fini(&refusals);
}
