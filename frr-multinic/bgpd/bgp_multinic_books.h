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
};

/* The VIPs a host holds, in prefix order. */
extern struct mn_holding *mn_host_vip_first(struct mn_host *h);
extern struct mn_holding *mn_host_vip_next(struct mn_host *h, struct mn_holding *hd);
extern const struct prefix *mn_holding_prefix(const struct mn_holding *hd);

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

/* A new policy is in force: books re-linked and rebuilt from the RIB. */
extern void mn_books_policy_installed(void);

extern void mn_books_clear_counters(void);
extern void mn_books_init(void);
extern void mn_books_fini(void);

#endif /* _BGP_MULTINIC_BOOKS_H */
