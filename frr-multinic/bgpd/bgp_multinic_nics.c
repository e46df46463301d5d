// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * bgpd_multinic: each NIC session's outbound policy (see
 * bgp_multinic_nics.h).
 */
#include <zebra.h>

#include "lib/jhash.h"
#include "lib/libfrr.h"
#include "lib/log.h"

#include "bgpd/bgpd.h"
#include "bgpd/bgp_attr.h"
#include "bgpd/bgp_route.h"
#include "bgpd/bgp_table.h"
#include "bgpd/bgp_updgrp.h"
#include "bgpd/bgp_multinic.h"
#include "bgpd/bgp_multinic_lb.h"
#include "bgpd/bgp_multinic_nics.h"

static bool in_scope(const struct peer *peer, safi_t safi)
{
	return safi == SAFI_UNICAST && peer->bgp && peer->bgp == mn_ingress_bgp();
}

/* A task route: what "redistribute multinic" made of multinicd's routes. */
static bool task_route(const struct bgp_path_info *pi)
{
	return pi->peer == pi->peer->bgp->peer_self && pi->type == ZEBRA_ROUTE_MULTINIC &&
	       pi->sub_type == BGP_ROUTE_REDISTRIBUTE;
}

enum mn_out mn_nics_session_verdict(const struct peer *peer, const struct prefix *p)
{
	const struct mn_nic_state *nic = mn_ingress_nic_of_peer(peer);
	struct mn_pfx_facts f = mn_ingress_facts(mn_ingress_prefix(p));

	return mn_out_verdict(&f, nic ? nic->name : NULL);
}

/*
 * patch 0012's bgp_announce_check: after the outbound route-map, before
 * the next hop is chosen, once per update subgroup -- which, for a NIC
 * session, holds that NIC's sessions only (below).
 */
static int announce_check(struct update_subgroup *subgrp, struct bgp_dest *dest,
			  struct bgp_path_info *pi, struct attr *attr)
{
	struct peer *peer = SUBGRP_PEER(subgrp);
	const struct prefix *p = bgp_dest_get_prefix(dest);
	const struct mn_nic_state *nic;
	enum mn_out out;

	/* single-session mode's own paths: its own hook (bgp_multinic_addpath.c) */
	if (!in_scope(peer, SUBGRP_SAFI(subgrp)) || !task_route(pi))
		return 0;
	out = mn_nics_session_verdict(peer, p);
	if (out != MN_OUT_ANNOUNCE) {
		if (MN_DEBUG)
			zlog_debug("multinic ingress: %pFX not sent to %s: %s", p, peer->host,
				   mn_out_text(out));
		return 1;
	}
	nic = mn_ingress_nic_of_peer(peer);
	/* a link bandwidth set by the operator's route-map wins */
	if (nic && mn_ingress_cfg.lb != MN_LB_NONE &&
	    !CHECK_FLAG(attr->rmap_change_flags, BATTR_RMAP_LINK_BW_SET))
		mn_attr_set_link_bandwidth(attr, peer->bgp->as, mn_ingress_nic_bandwidth(nic),
					   mn_ingress_cfg.lb);
	return 0;
}

/*
 * patch 0012's bgp_updgrp_peer_split: sessions over different interfaces
 * share no update group, so that what announce_check sets for a subgroup
 * (from the NIC of its interface) is right for every peer in it.  Called
 * with the update group's copy of the peer, whose nexthop it has.
 *
 * The answer must never change while a group is in bgpd's hash (its key
 * would change under it): it depends on the session's interface only,
 * which is fixed for an established session, not on whether multinicd
 * has described that interface as a NIC yet.
 */
static int updgrp_split(const struct peer *peer, afi_t afi, safi_t safi)
{
	const char *ifname;

	/* not in_scope(): an instance being deleted must keep its keys */
	if (safi != SAFI_UNICAST || !peer->bgp ||
	    peer->bgp->inst_type != BGP_INSTANCE_TYPE_DEFAULT || !peer->nexthop.ifp)
		return 0;
	ifname = peer->nexthop.ifp->name;
	return (int)(jhash(ifname, strlen(ifname), 0x4d4e) | 1);
}

/*
 * What changed reaches the sessions
 */

static void peer_announce(struct peer *peer)
{
	afi_t afi;

	for (afi = AFI_IP; afi <= AFI_IP6; afi++)
		bgp_announce_route(peer, afi, SAFI_UNICAST, false);
}

/*
 * A NIC appeared, went or changed speed: its sessions announce again
 * (another link bandwidth, another set of per-NIC addresses).
 */
static int nic_changed(const struct mn_nic_state *old, const struct mn_nic_state *now)
{
	const char *name = now ? now->name : old->name;
	struct bgp *bgp = mn_ingress_bgp();
	struct listnode *node;
	struct peer *peer;

	if (!bgp)
		return 0;
	for (ALL_LIST_ELEMENTS_RO(bgp->peer, node, peer)) {
		if (!peer->nexthop.ifp || !strmatch(peer->nexthop.ifp->name, name))
			continue;
		if (!old || !now || old->speed != now->speed)
			peer_announce(peer);
	}
	return 0;
}

/* A task prefix changed: its route is announced again, judged anew. */
static int prefix_changed(const struct prefix *p)
{
	afi_t afi = family2afi(p->family);
	struct bgp_path_info *pi;
	struct bgp_dest *dest;
	struct bgp *bgp;

	dest = mn_ingress_dest(p, &bgp);
	if (!dest)
		return 0;
	for (pi = bgp_dest_get_bgp_path_info(dest); pi; pi = pi->next)
		if (task_route(pi) && !CHECK_FLAG(pi->flags, BGP_PATH_REMOVED)) {
			bgp_path_info_set_flag(dest, pi, BGP_PATH_ATTR_CHANGED);
			bgp_process(bgp, dest, pi, afi, SAFI_UNICAST);
		}
	bgp_dest_unlock_node(dest);
	return 0;
}

/* Another link-bandwidth encoding: every NIC session announces again. */
static int cfg_changed(void)
{
	struct bgp *bgp = mn_ingress_bgp();
	struct listnode *node;
	struct peer *peer;

	if (!bgp)
		return 0;
	for (ALL_LIST_ELEMENTS_RO(bgp->peer, node, peer))
		if (mn_ingress_nic_of_peer(peer))
			peer_announce(peer);
	return 0;
}

/*
 * The split must outlast bgpd's update groups: bgpd deletes its instances
 * (and releases their update groups from its hash, by key) after the
 * module's frr_early_fini, and a key computed without the hook would not
 * find them.  It reads nothing of the module's state, so it stays until
 * frr_fini.
 */
static int split_fini(void)
{
	hook_unregister(bgp_updgrp_peer_split, updgrp_split);
	return 0;
}

void mn_nics_init(void)
{
	hook_register(bgp_announce_check, announce_check);
	hook_register(bgp_updgrp_peer_split, updgrp_split);
	hook_register(frr_fini, split_fini);
	hook_register(mn_ingress_nic_changed, nic_changed);
	hook_register(mn_ingress_prefix_changed, prefix_changed);
	hook_register(mn_ingress_cfg_changed, cfg_changed);
}

void mn_nics_fini(void)
{
	hook_unregister(bgp_announce_check, announce_check);
	hook_unregister(mn_ingress_nic_changed, nic_changed);
	hook_unregister(mn_ingress_prefix_changed, prefix_changed);
	hook_unregister(mn_ingress_cfg_changed, cfg_changed);
}
