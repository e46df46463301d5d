// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * bgpd_multinic: the authorization policy as received from multinicd, and
 * the verdict on one announcement.
 *
 * The verdict is a pure function of the policy, the announcement and what
 * the caller's books say about the VIP (struct mn_claim): it changes
 * nothing, so the route-map match can ask it as often as bgpd evaluates
 * the route-map (including "show ... received-routes"), exactly as
 * bgp_rpki.c's match asks the RPKI table.
 */
#ifndef _BGP_MULTINIC_POLICY_H
#define _BGP_MULTINIC_POLICY_H

#include "lib/prefix.h"
#include "lib/stream.h"
#include "lib/typesafe.h"

#include "common/multinic_authz_wire.h"

struct attr;
struct peer;
struct mn_host;

/* Why an announcement is refused, in the order the checks are made. */
enum mn_reject {
	MN_REJ_NO_POLICY,
	MN_REJ_UNKNOWN_PEER,
	MN_REJ_NOT_HOST_ROUTE,
	MN_REJ_OUTSIDE_RANGES,
	MN_REJ_RANGE_NOT_ALLOWED,
	MN_REJ_NEXTHOP,
	MN_REJ_OWNED,
	MN_REJ_LIMIT,
	MN_REJ_MAX,
};

extern const char *mn_reject_key(enum mn_reject why);  /* JSON key */
extern const char *mn_reject_text(enum mn_reject why); /* show, log */

/* One BGP session of a host: its neighbor address or interface name. */
PREDECL_HASH(mn_nbrs);
struct mn_pnbr {
	struct mn_nbrs_item item; /* in the policy's lookup by session */
	bool is_ifname;
	struct prefix addr; /* a /32 or /128 */
	char ifname[IFNAMSIZ];
	struct mn_phost *host;
};

struct mn_phost {
	char name[MN_AUTHZ_HOST_NAME_MAX + 1];
	uint32_t max_vips; /* 0: the policy's default */
	uint16_t n_nbrs;
	struct mn_pnbr *nbrs;
	uint16_t n_ranges;
	struct prefix *ranges;
	/* the host's books, kept across policies (bgp_multinic_books.c) */
	struct mn_host *books;
};

struct mn_policy {
	uint32_t generation;
	uint32_t max_vips_per_host; /* 0: none */
	uint32_t n_ranges, n_hosts;
	uint32_t got_ranges, got_hosts;
	struct prefix *ranges;
	struct mn_phost *hosts;
	struct mn_nbrs_head nbrs; /* every host's sessions, built on install */
};

/* The policy in force (NULL until one arrived) and since when. */
extern const struct mn_policy *mn_policy(void);
extern time_t mn_policy_since(void);

/*
 * Feed one policy message from multinicd.  Returns a complete policy once
 * its END arrived with the counts its BEGIN announced (the caller installs
 * it with mn_policy_install()), else NULL; a malformed message is logged
 * and drops the policy being received, never the one in force.
 */
extern struct mn_policy *mn_policy_recv(struct stream *s);
extern void mn_policy_install(struct mn_policy *pol);
extern void mn_policy_fini(void);

/* Lookups in a policy. */
extern struct mn_phost *mn_policy_host_of_peer(const struct mn_policy *pol,
					       const struct peer *peer);
extern const struct mn_phost *mn_policy_host(const struct mn_policy *pol, const char *name);
extern const struct prefix *mn_policy_range_of(const struct mn_policy *pol,
					       const struct prefix *p);
extern uint32_t mn_policy_host_limit(const struct mn_policy *pol, const struct mn_phost *ph);

/* What the caller's books say about the announced VIP and its host. */
struct mn_claim {
	bool held;		 /* the host holds the VIP already */
	const char *owner;	 /* another host holding it; NULL: none */
	uint32_t held_in_family; /* VIPs the host holds in the VIP's family */
	/*
	 * When the host holds more than its limit (a policy lowered it): how
	 * many of its VIPs of that family sort before this one.
	 */
	uint32_t rank;
};

struct mn_verdict {
	enum mn_reject why; /* valid when refused */
	struct mn_phost *host; /* the session's host, NULL: none */
	char detail[128];
};

/*
 * The verdict on an announcement of p with attr over peer's session: true
 * when authorized.  host: the session's host in pol (mn_policy_host_of_peer);
 * claim: the books' answer for that host and p.  Changes nothing.
 */
extern bool mn_policy_verdict(const struct mn_policy *pol, struct mn_phost *host,
			      const struct peer *peer, const struct attr *attr,
			      const struct prefix *p, const struct mn_claim *claim,
			      struct mn_verdict *v);

#endif /* _BGP_MULTINIC_POLICY_H */
