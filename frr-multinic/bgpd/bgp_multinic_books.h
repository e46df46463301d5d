// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * bgpd_multinic: the books the rack switch keeps on what hosts announce.
 *
 * Per host (kept across policy changes): the VIPs it holds -- its paths in
 * bgpd's unicast tables, which the "another host's VIP" and VIP limit
 * checks read -- and its accepted/rejected counters.
 *
 * The books are written from bgpd's own events (bgpd hooks of
 * packaging/patches/0008), never from the route-map match: a path starts or
 * stops being counted in its peer's accepted prefixes, or the inbound policy
 * refused a received route.  Those happen once per change of the RIB and
 * once per received announcement; the route-map, by contrast, is also
 * re-run by every "show bgp ... received-routes" and "filtered-routes", and
 * by each entry of a route-map that uses the condition twice.
 */
#ifndef _BGP_MULTINIC_BOOKS_H
#define _BGP_MULTINIC_BOOKS_H

#include "lib/hook.h"
#include "lib/typesafe.h"
#include "lib/vrf.h"

#include "bgpd/bgp_multinic_policy.h"

PREDECL_RBTREE_UNIQ(mn_host_vips);
PREDECL_RBTREE_UNIQ(mn_hosts);

/* One host's paths for one VIP. */
struct mn_holding {
	struct mn_host_vips_item host_item; /* in the host's books, by VIP */
	struct mn_vip *vip;
	struct mn_host *host;
	struct mn_holding *next; /* the VIP's other holders */
	uint32_t paths;		 /* counted paths of the host's sessions */
};

struct mn_host {
	struct mn_hosts_item item;
	char name[MN_AUTHZ_HOST_NAME_MAX + 1];
	struct mn_host_vips_head vips;
	uint32_t n_vips[2]; /* [0] IPv4, [1] IPv6 */
	uint64_t accepted;
	uint64_t rejected[MN_REJ_MAX];
	/* refused announcements kept for a second look (_revisit.c's) */
	uint32_t n_parked;
	bool parked_full; /* some were not kept since the last policy */
	uint32_t last_install; /* the last policy it was in (count of installs) */
	bool new_in_policy;    /* not in the policy before the one in force */
	struct mn_log_limit {
		time_t start;
		uint32_t lines;
		uint32_t suppressed;
	} log;
};

/* The VIPs a host holds, in prefix order. */
extern struct mn_holding *mn_host_vip_first(struct mn_host *h);
extern struct mn_holding *mn_host_vip_next(struct mn_host *h, struct mn_holding *hd);
extern const struct prefix *mn_holding_prefix(const struct mn_holding *hd);

/* Whether some host holds p (an authorized VIP in bgpd's table). */
extern bool mn_books_vip_held(vrf_id_t vrf_id, const struct prefix *p);

/* The books of a host (NULL: none kept yet). */
extern struct mn_host *mn_books_host(const char *name);

/* Totals over every session, hosts or not. */
extern uint64_t mn_books_total_accepted(void);
extern const uint64_t *mn_books_total_rejected(void);

/*
 * The verdict on an announcement (what the route-map condition asks):
 * the policy in force and these books, nothing changed.
 */
extern bool mn_judge(const struct peer *peer, const struct attr *attr, const struct prefix *p,
		     struct mn_verdict *v);

/* Whether the session's inbound route-map asks bgpd_multinic's verdict. */
extern bool mn_session_judged(const struct peer *peer, afi_t afi, safi_t safi);
/* The address families the books cover: IPv4 and IPv6 unicast. */
extern bool mn_books_family(afi_t afi, safi_t safi);

/* A refusal of the policy: counted and logged (at most 20 a host in 10 s). */
extern void mn_books_refusal(const struct peer *peer, const struct prefix *p,
			     const struct mn_verdict *v);

/* Every counted path of the IPv4/IPv6 unicast tables of every instance. */
struct bgp;
struct bgp_dest;
struct bgp_path_info;
typedef void (*mn_path_fn)(struct bgp *bgp, afi_t afi, struct bgp_dest *dest,
			   struct bgp_path_info *pi, void *arg);
extern void mn_books_each_counted_path(mn_path_fn fn, void *arg);

/* A new policy is in force: books re-linked and rebuilt from the RIB. */
extern void mn_books_policy_installed(void);
extern bool mn_books_first_policy(void);
extern void mn_books_each_host(void (*fn)(struct mn_host *h));

/*
 * What the books tell the layers above (bgp_multinic_revisit.c): a host's
 * path was accepted, a VIP lost a holder.  Called from within bgpd's route
 * processing: listeners must not feed routes back into bgpd from them.
 */
DECLARE_HOOK(mn_books_path_accepted,
	     (struct peer *peer, afi_t afi, uint32_t addpath_id, const struct prefix *p),
	     (peer, afi, addpath_id, p));
DECLARE_HOOK(mn_books_vip_released, (), ());

extern void mn_books_clear_counters(void);
extern void mn_books_init(void);
extern void mn_books_fini(void);

#endif /* _BGP_MULTINIC_BOOKS_H */
