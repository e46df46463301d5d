// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * bgpd_multinic: second looks at what was judged.
 *
 * A verdict depends on more than the announcement: on which host holds the
 * VIP, how many the host holds, and the policy.  When those change the
 * verdict must follow, whatever the host supports (route refresh or not)
 * and whether or not bgpd keeps received routes (soft-reconfiguration
 * inbound): refused announcements are kept here and replayed once
 * authorized, paths a new policy no longer authorizes are replayed so that
 * the route-map refuses them.
 */
#include <zebra.h>

#include "lib/frrevent.h"
#include "lib/jhash.h"
#include "lib/log.h"
#include "lib/memory.h"
#include "lib/routemap.h"

#include "bgpd/bgpd.h"
#include "bgpd/bgp_attr.h"
#include "bgpd/bgp_fsm.h"
#include "bgpd/bgp_label.h"
#include "bgpd/bgp_route.h"
#include "bgpd/bgp_table.h"
#include "bgpd/bgp_multinic.h"
#include "bgpd/bgp_multinic_books.h"
#include "bgpd/bgp_multinic_revisit.h"

DEFINE_MTYPE_STATIC(BGPD, MN_PARKED, "multinic refused announcement");

/*
 * Refused announcements kept for a second look.
 *
 * bgpd keeps nothing of a route its inbound policy refused (unless the
 * session has soft-reconfiguration inbound), and a host need not support
 * route refresh.  A refusal that can be lifted without the host doing
 * anything -- another host withdraws the VIP, the host withdraws another
 * of its VIPs, a new policy -- would then last until the host happened to
 * announce again.  So the refused announcements of host sessions are kept
 * here with their attributes until the host withdraws them, they are
 * accepted, or the session goes down; whenever something that refusals
 * depend on changes, they are judged again, and those authorized now are
 * replayed into bgpd (bgp_update() as a soft reconfiguration does, so the
 * session's route-map has the last word).  At most MN_PARKED_MAX per host:
 * a host cannot make the switch keep more of what it sends.
 */

#define MN_PARKED_MAX 256

PREDECL_HASH(mn_parked);
struct mn_parked {
	struct mn_parked_item item;
	struct peer *peer; /* locked while kept */
	afi_t afi;
	uint32_t addpath_id;
	struct prefix p;
	struct attr *attr; /* interned */
	enum mn_reject why;
	struct mn_host *host;
};

static int mn_parked_cmp(const struct mn_parked *a, const struct mn_parked *b)
{
	if (a->peer != b->peer)
		return numcmp((uintptr_t)a->peer, (uintptr_t)b->peer);
	if (a->afi != b->afi)
		return numcmp(a->afi, b->afi);
	if (a->addpath_id != b->addpath_id)
		return numcmp(a->addpath_id, b->addpath_id);
	return prefix_cmp(&a->p, &b->p);
}

static uint32_t mn_parked_hash(const struct mn_parked *k)
{
	return jhash_3words((uint32_t)(uintptr_t)k->peer, k->afi, k->addpath_id,
			    prefix_hash_key(&k->p));
}

DECLARE_HASH(mn_parked, struct mn_parked, item, mn_parked_cmp, mn_parked_hash);

static struct mn_parked_head parked = INIT_HASH(parked);

static struct mn_parked *parked_find(struct peer *peer, afi_t afi, uint32_t addpath_id,
				     const struct prefix *p)
{
	struct mn_parked key = { .peer = peer, .afi = afi, .addpath_id = addpath_id };

	prefix_copy(&key.p, p);
	return mn_parked_find(&parked, &key);
}

static void parked_drop(struct mn_parked *pk)
{
	mn_parked_del(&parked, pk);
	pk->host->n_parked--;
	bgp_attr_unintern(&pk->attr);
	peer_unlock(pk->peer);
	XFREE(MTYPE_MN_PARKED, pk);
}

/*
 * Keep a refused announcement of a host's session.  Returns false when it
 * is the refusal already kept (the same route sent again, or replayed):
 * each refusal is counted and logged once.
 */
static bool parked_keep(struct peer *peer, afi_t afi, uint32_t addpath_id, const struct prefix *p,
			struct attr *attr, const struct mn_verdict *v)
{
	struct mn_host *h = v->host->books;
	struct mn_parked *pk = parked_find(peer, afi, addpath_id, p);
	bool again = pk && pk->why == v->why;

	if (pk) {
		bgp_attr_unintern(&pk->attr);
		pk->attr = bgp_attr_intern(attr);
		pk->why = v->why;
		return !again;
	}
	if (h->n_parked >= MN_PARKED_MAX) {
		h->parked_full = true;
		return true;
	}
	pk = XCALLOC(MTYPE_MN_PARKED, sizeof(*pk));
	pk->peer = peer_lock(peer);
	pk->afi = afi;
	pk->addpath_id = addpath_id;
	prefix_copy(&pk->p, p);
	pk->attr = bgp_attr_intern(attr);
	pk->why = v->why;
	pk->host = h;
	h->n_parked++;
	mn_parked_add(&parked, pk);
	return true;
}

static int parked_forget(struct peer *peer, afi_t afi, uint32_t addpath_id, const struct prefix *p)
{
	struct mn_parked *pk = parked_find(peer, afi, addpath_id, p);

	if (pk)
		parked_drop(pk);
	return 0;
}

static void parked_clear(struct peer *peer)
{
	struct mn_parked *pk;

	frr_each_safe (mn_parked, &parked, pk)
		if (!peer || pk->peer == peer)
			parked_drop(pk);
}

/*
 * The verdict on a received announcement as the session's route-map asks
 * it: on the attributes as the entries before the condition leave them
 * ("set ipv6 next-hop prefer-global" decides which next hop is installed,
 * hence checked).  The route-map is applied to a copy, as bgpd applies it
 * (bgp_input_modifier(), static there) and as "show ... filtered-routes"
 * does; the condition itself is a pure lookup, so this changes nothing.
 */
static bool judge_received(struct peer *peer, afi_t afi, const struct prefix *p,
			   const struct attr *received, struct mn_verdict *v)
{
	struct bgp_filter *filter = &peer->filter[afi][SAFI_UNICAST];
	struct route_map *rmap = ROUTE_MAP_IN_NAME(filter) ? ROUTE_MAP_IN(filter) : NULL;
	struct bgp_path_info probe = {};
	struct bgp_path_info_extra extra = {};
	struct bgp_labels labels = {};
	struct attr seen = *received;
	bool ok;

	if (rmap) {
		probe.peer = peer;
		probe.attr = &seen;
		probe.extra = &extra;
		extra.labels = &labels;
		SET_FLAG(peer->rmap_type, PEER_RMAP_TYPE_IN);
		route_map_apply(rmap, p, &probe);
		peer->rmap_type = 0;
	}
	ok = mn_judge(peer, &seen, p, v);
	bgp_attr_flush(&seen);
	return ok;
}

/*
 * Replays: an announcement judged again goes through bgpd's inbound
 * processing as if received, without the host.
 */

PREDECL_DLIST(mn_replays);
struct mn_replay {
	struct mn_replays_item item;
	struct peer *peer; /* locked */
	afi_t afi;
	uint32_t addpath_id;
	struct prefix p;
	struct attr *attr; /* interned */
};

DECLARE_DLIST(mn_replays, struct mn_replay, item);

static void replay_add(struct mn_replays_head *list, struct peer *peer, afi_t afi,
		       uint32_t addpath_id, const struct prefix *p, struct attr *attr)
{
	struct mn_replay *r = XCALLOC(MTYPE_MN_PARKED, sizeof(*r));

	r->peer = peer_lock(peer);
	r->afi = afi;
	r->addpath_id = addpath_id;
	prefix_copy(&r->p, p);
	r->attr = bgp_attr_intern(attr);
	mn_replays_add_tail(list, r);
}

static void replay_all(struct mn_replays_head *list, const char *why)
{
	struct mn_replay *r;

	while ((r = mn_replays_pop(list))) {
		if (peer_established(r->peer->connection)) {
			if (MN_DEBUG)
				zlog_debug("multinic authorization: %s %pFX from %s", why, &r->p,
					   r->peer->host);
			bgp_update(r->peer, &r->p, r->addpath_id, r->attr, r->afi, SAFI_UNICAST,
				   ZEBRA_ROUTE_BGP, BGP_ROUTE_NORMAL, NULL, NULL, 0, 1, NULL);
		}
		bgp_attr_unintern(&r->attr);
		peer_unlock(r->peer);
		XFREE(MTYPE_MN_PARKED, r);
	}
}

/*
 * Refusals judged again whenever what they depend on changed (a VIP was
 * released, a policy arrived): in an event of its own, as these changes
 * are noticed deep inside bgpd's route processing.
 */
static struct event *t_revisit;

static void revisit(struct event *event)
{
	struct mn_replays_head list;
	struct mn_parked *pk;
	struct mn_verdict v;

	mn_replays_init(&list);
	frr_each_safe (mn_parked, &parked, pk) {
		if (!judge_received(pk->peer, pk->afi, &pk->p, pk->attr, &v))
			continue;
		replay_add(&list, pk->peer, pk->afi, pk->addpath_id, &pk->p, pk->attr);
		parked_drop(pk);
	}
	replay_all(&list, "authorized now:");
	mn_replays_fini(&list);
}

static int revisit_schedule(void)
{
	if (mn_parked_count(&parked))
		event_add_event(bm->master, revisit, NULL, 0, &t_revisit);
	return 0;
}

/*
 * bgpd's events
 */

/*
 * The inbound policy refused a received route.  Only a refusal by the
 * session's route-map can be bgpd_multinic's: bgpd refuses routes for
 * other reasons before the route-map runs (a host re-advertising what it
 * learned from the switch: "as-path contains our own AS"), and those are
 * neither counted nor kept.  The verdict is asked again as the route-map
 * asked it (it is pure; a refused announcement added no path, so the books
 * hold what they held then) and, when it refuses too, the refusal is
 * bgpd_multinic's to count, log (bgp_multinic_books.c) and keep.
 */
#define BGP_REASON_ROUTE_MAP "route-map;" /* bgp_update()'s, for the inbound route-map */

static int revisit_update_filtered(struct peer *peer, afi_t afi, safi_t safi,
				   const struct prefix *p, uint32_t addpath_id, struct attr *attr,
				   const char *reason)
{
	struct mn_verdict v;

	if (!mn_books_family(afi, safi) || !strmatch(reason, BGP_REASON_ROUTE_MAP) ||
	    !mn_session_judged(peer, afi, safi))
		return 0;
	if (judge_received(peer, afi, p, attr, &v)) {
		if (MN_DEBUG)
			zlog_debug("multinic authorization: %pFX from %s refused by bgpd (%s), not by the policy",
				   p, peer->host, reason);
		return 0;
	}
	if (v.host && v.host->books && !parked_keep(peer, afi, addpath_id, p, attr, &v))
		return 0;
	mn_books_refusal(peer, p, &v);
	return 0;
}

static int revisit_withdraw_received(struct peer *peer, afi_t afi, safi_t safi,
				     const struct prefix *p, uint32_t addpath_id)
{
	if (mn_books_family(afi, safi))
		parked_forget(peer, afi, addpath_id, p);
	return 0;
}

/* A session went down: bgpd drops its routes, the host sends them again. */
static int revisit_session_down(struct peer *peer)
{
	parked_clear(peer);
	return 0;
}

/*
 * A new policy
 */

/*
 * Paths in the RIB that the policy in force no longer authorizes are
 * replayed with their own attributes: the session's route-map refuses them
 * now and bgpd removes them from the RIB and the FIB at once, whatever the
 * host supports (no route refresh, no soft-reconfiguration needed).
 */
static void revoke_path(struct bgp *bgp, afi_t afi, struct bgp_dest *dest,
			struct bgp_path_info *pi, void *arg)
{
	struct mn_verdict v;

	if (pi->type != ZEBRA_ROUTE_BGP || pi->sub_type != BGP_ROUTE_NORMAL ||
	    !peer_established(pi->peer->connection) ||
	    !mn_session_judged(pi->peer, afi, SAFI_UNICAST) ||
	    mn_judge(pi->peer, pi->attr, bgp_dest_get_prefix(dest), &v))
		return;
	replay_add(arg, pi->peer, afi, pi->addpath_rx_id, bgp_dest_get_prefix(dest), pi->attr);
}

static void revoke_unauthorized(void)
{
	struct mn_replays_head list;

	mn_replays_init(&list);
	mn_books_each_counted_path(revoke_path, &list);
	replay_all(&list, "revoked:");
	mn_replays_fini(&list);
}

/*
 * What was refused but not kept here (before the first policy, on a
 * session that was no host's, beyond MN_PARKED_MAX) can only be judged
 * again if bgpd kept it (soft-reconfiguration inbound) or the host sends it
 * again (route refresh): asked of every host session.  A session that can
 * do neither is named in the log when it may have such refusals.
 */
static void resend_unkept(bool first_policy)
{
	struct listnode *node, *pnode;
	struct mn_phost *ph;
	struct peer *peer;
	struct bgp *bgp;
	afi_t afi;

	for (ALL_LIST_ELEMENTS_RO(bm->bgp, node, bgp)) {
		for (ALL_LIST_ELEMENTS_RO(bgp->peer, pnode, peer)) {
			ph = mn_policy_host_of_peer(mn_policy(), peer);
			if (!ph || !peer_established(peer->connection))
				continue;
			for (afi = AFI_IP; afi <= AFI_IP6; afi++) {
				if (!peer->afc_nego[afi][SAFI_UNICAST] ||
				    !mn_session_judged(peer, afi, SAFI_UNICAST) ||
				    !peer_clear_soft(peer, afi, SAFI_UNICAST, BGP_CLEAR_SOFT_IN))
					continue;
				if (first_policy || ph->books->new_in_policy || ph->books->parked_full)
					zlog_warn("multinic authorization: %s %s (host %s) has neither soft-reconfiguration inbound nor route refresh: what it announced before this policy is judged when it announces it again",
						  peer->host, afi2str(afi), ph->name);
			}
		}
	}
}

static void parked_room_again(struct mn_host *h)
{
	h->parked_full = false;
}

void mn_revisit_policy_installed(void)
{
	revoke_unauthorized();
	revisit(NULL);
	resend_unkept(mn_books_first_policy());
	mn_books_each_host(parked_room_again);
}

void mn_revisit_init(void)
{
	hook_register(bgp_update_filtered, revisit_update_filtered);
	hook_register(bgp_withdraw_received, revisit_withdraw_received);
	hook_register(peer_backward_transition, revisit_session_down);
	hook_register(mn_books_path_accepted, parked_forget);
	hook_register(mn_books_vip_released, revisit_schedule);
}

void mn_revisit_fini(void)
{
	hook_unregister(bgp_update_filtered, revisit_update_filtered);
	hook_unregister(bgp_withdraw_received, revisit_withdraw_received);
	hook_unregister(peer_backward_transition, revisit_session_down);
	hook_unregister(mn_books_path_accepted, parked_forget);
	hook_unregister(mn_books_vip_released, revisit_schedule);
	event_cancel(&t_revisit);
	parked_clear(NULL);
	mn_parked_fini(&parked);
}
