// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * bgpd_multinic: the bgpd side of frr-multinic, loaded with
 * "bgpd -M multinic".
 *
 * On the rack switch it checks task VIP announcements received from
 * multi-NIC hosts against the authorization policy of frr-multinic.yang
 * and exposes the verdict as a route-map condition, in the manner of
 * "match rpki":
 *
 *   route-map HOSTS-IN permit 10
 *    match multinic authorized
 *   neighbor 10.0.1.2 route-map HOSTS-IN in
 *
 * An announcement is authorized when
 *   - the session belongs to a host of the policy (by neighbor address,
 *     or interface for an unnumbered session),
 *   - its prefix is a host route (/32, /128) inside a vip-range allowed
 *     to that host,
 *   - its next hop is the host's own address on that session,
 *   - no other host announces the same VIP, and
 *   - the host stays within its VIP limit (per address family).
 *
 * The policy is configured in frr-multinic.yang on the rack switch's
 * multinicd, which sends it over ZAPI opaque messages
 * (multinicd/multinic_authz_wire.h); doc/authorization.md says why.
 * bgpd_multinic keeps the last complete policy it received; until one
 * arrives nothing is authorized.  A new policy re-evaluates received
 * routes with a soft inbound reset (stored routes with soft-reconfiguration
 * inbound, else a route refresh): sessions stay up.
 *
 * The route-map condition's YANG, northbound callbacks and running-config
 * line are in core bgpd (packaging/patches/0007); the rule, its CLI, the
 * counters and "show bgp multinic authorization" are here.
 */
#include <zebra.h>

#include <lib/version.h>

#include "lib/command.h"
#include "lib/frrevent.h"
#include "lib/json.h"
#include "lib/libfrr.h"
#include "lib/module.h"
#include "lib/northbound_cli.h"
#include "lib/prefix.h"
#include "lib/routemap.h"
#include "lib/sockunion.h"
#include "lib/stream.h"
#include "lib/typesafe.h"
#include "lib/vty.h"
#include "lib/zclient.h"

#include "bgpd/bgpd.h"
#include "bgpd/bgp_attr.h"
#include "bgpd/bgp_route.h"
#include "bgpd/bgp_table.h"

#include "multinicd/multinic_authz_wire.h"

#include "bgpd/bgp_multinic_clippy.c"

#define BGP_MULTINIC_VERSION "0.2.0"
#define MULTINIC_STR	     "Multi-NIC task networking (bgpd_multinic)\n"
#define AUTHZ_STR	     "Task VIP authorization\n"

extern struct zebra_privs_t bgpd_privs;

/* The auxiliary zclient's ZAPI session id ("MN"): distinct from bgpd's. */
#define MN_ZAPI_SESSION_ID 0x4d4e

DEFINE_MTYPE_STATIC(BGPD, MN_POLICY, "multinic authorization policy");
DEFINE_MTYPE_STATIC(BGPD, MN_HOST, "multinic authorization host");
DEFINE_MTYPE_STATIC(BGPD, MN_VIP, "multinic authorized VIP");

static bool bgp_multinic_debug;

/*
 * The policy, as received from multinicd.
 */

struct mn_nbr {
	bool is_ifname;
	struct prefix addr; /* a /32 or /128 */
	char ifname[IFNAMSIZ];
};

struct mn_phost {
	char name[MN_AUTHZ_HOST_NAME_MAX + 1];
	uint32_t max_vips; /* 0: the policy's default */
	uint16_t n_nbrs;
	struct mn_nbr *nbrs;
	uint16_t n_ranges;
	struct prefix *ranges;
};

struct mn_policy {
	uint32_t generation;
	uint32_t max_vips_per_host; /* 0: none */
	uint32_t n_ranges, n_hosts;
	uint32_t got_ranges, got_hosts;
	struct prefix *ranges;
	struct mn_phost *hosts;
};

static struct mn_policy *policy;  /* in force; NULL until one arrives */
static struct mn_policy *pending; /* being received */
static time_t policy_since;

/*
 * Per-host state, kept across policy changes: the VIPs authorized for the
 * host (counted against its limit) and the verdict counters.
 */

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

static const struct {
	const char *key;  /* JSON */
	const char *text; /* show, log */
} reject_names[MN_REJ_MAX] = {
	[MN_REJ_NO_POLICY] = { "noPolicy", "no authorization policy received from multinicd" },
	[MN_REJ_UNKNOWN_PEER] = { "unknownPeer", "the session belongs to no authorized host" },
	[MN_REJ_NOT_HOST_ROUTE] = { "notHostRoute", "not a host route (/32 or /128)" },
	[MN_REJ_OUTSIDE_RANGES] = { "outsideRanges", "outside every vip-range" },
	[MN_REJ_RANGE_NOT_ALLOWED] = { "rangeNotAllowed", "in a vip-range not allowed to the host" },
	[MN_REJ_NEXTHOP] = { "foreignNextHop", "next hop is not the host's address on the session" },
	[MN_REJ_OWNED] = { "ownedByOtherHost", "VIP announced by another host" },
	[MN_REJ_LIMIT] = { "vipLimit", "host's VIP limit reached" },
};

PREDECL_RBTREE_UNIQ(mn_vips);
struct mn_vip {
	struct mn_vips_item item;
	struct prefix p;
};

static int mn_vip_cmp(const struct mn_vip *a, const struct mn_vip *b)
{
	return prefix_cmp(&a->p, &b->p);
}

DECLARE_RBTREE_UNIQ(mn_vips, struct mn_vip, item, mn_vip_cmp);

PREDECL_RBTREE_UNIQ(mn_hosts);
struct mn_host {
	struct mn_hosts_item item;
	char name[MN_AUTHZ_HOST_NAME_MAX + 1];
	struct mn_vips_head vips;
	uint32_t n_vips[2]; /* [0] IPv4, [1] IPv6 */
	uint64_t accepted;
	uint64_t rejected[MN_REJ_MAX];
};

static int mn_host_cmp(const struct mn_host *a, const struct mn_host *b)
{
	return strcmp(a->name, b->name);
}

DECLARE_RBTREE_UNIQ(mn_hosts, struct mn_host, item, mn_host_cmp);

static struct mn_hosts_head hosts = INIT_RBTREE_UNIQ(hosts);
static uint64_t total_accepted;
static uint64_t total_rejected[MN_REJ_MAX];

static int fam_idx(const struct prefix *p)
{
	return p->family == AF_INET6;
}

static struct mn_host *host_find(const char *name)
{
	struct mn_host key = {};

	strlcpy(key.name, name, sizeof(key.name));
	return mn_hosts_find(&hosts, &key);
}

static struct mn_host *host_get(const char *name)
{
	struct mn_host *h = host_find(name);

	if (h)
		return h;
	h = XCALLOC(MTYPE_MN_HOST, sizeof(*h));
	strlcpy(h->name, name, sizeof(h->name));
	mn_vips_init(&h->vips);
	mn_hosts_add(&hosts, h);
	return h;
}

static void host_vip_del(struct mn_host *h, struct mn_vip *v)
{
	mn_vips_del(&h->vips, v);
	h->n_vips[fam_idx(&v->p)]--;
	XFREE(MTYPE_MN_VIP, v);
}

static struct mn_vip *host_vip_find(struct mn_host *h, const struct prefix *p)
{
	struct mn_vip key = {};

	prefix_copy(&key.p, p);
	return mn_vips_find(&h->vips, &key);
}

static void host_vip_add(struct mn_host *h, const struct prefix *p)
{
	struct mn_vip *v = XCALLOC(MTYPE_MN_VIP, sizeof(*v));

	prefix_copy(&v->p, p);
	mn_vips_add(&h->vips, v);
	h->n_vips[fam_idx(p)]++;
}

static void host_vips_clear(struct mn_host *h)
{
	struct mn_vip *v;

	while ((v = mn_vips_first(&h->vips)))
		host_vip_del(h, v);
}

/*
 * Policy lookups
 */

static void policy_free(struct mn_policy *pol)
{
	uint32_t i;

	if (!pol)
		return;
	for (i = 0; i < pol->got_hosts; i++) {
		XFREE(MTYPE_MN_POLICY, pol->hosts[i].nbrs);
		XFREE(MTYPE_MN_POLICY, pol->hosts[i].ranges);
	}
	XFREE(MTYPE_MN_POLICY, pol->hosts);
	XFREE(MTYPE_MN_POLICY, pol->ranges);
	XFREE(MTYPE_MN_POLICY, pol);
}

static const struct mn_phost *policy_host(const char *name)
{
	uint32_t i;

	for (i = 0; policy && i < policy->n_hosts; i++)
		if (strmatch(policy->hosts[i].name, name))
			return &policy->hosts[i];
	return NULL;
}

static bool nbr_is_peer(const struct mn_nbr *n, const struct peer *peer)
{
	struct prefix pp;

	if (n->is_ifname)
		return peer->conf_if && strmatch(peer->conf_if, n->ifname);
	if (!sockunion2hostprefix(&peer->connection->su, &pp))
		return false;
	return prefix_same(&pp, &n->addr);
}

static const struct mn_phost *policy_host_of_peer(const struct peer *peer)
{
	uint32_t i;
	uint16_t j;

	for (i = 0; i < policy->n_hosts; i++)
		for (j = 0; j < policy->hosts[i].n_nbrs; j++)
			if (nbr_is_peer(&policy->hosts[i].nbrs[j], peer))
				return &policy->hosts[i];
	return NULL;
}

static const struct prefix *policy_range_of(const struct prefix *p)
{
	uint32_t i;

	for (i = 0; i < policy->n_ranges; i++)
		if (prefix_match(&policy->ranges[i], p))
			return &policy->ranges[i];
	return NULL;
}

static bool phost_allows(const struct mn_phost *ph, const struct prefix *range)
{
	uint16_t i;

	for (i = 0; i < ph->n_ranges; i++)
		if (prefix_same(&ph->ranges[i], range))
			return true;
	return false;
}

static uint32_t phost_limit(const struct mn_phost *ph)
{
	if (ph->max_vips)
		return ph->max_vips;
	if (policy->max_vips_per_host)
		return policy->max_vips_per_host;
	return UINT32_MAX;
}

/*
 * The next hop must be the host's own address on the session it came
 * over: the switch then forwards the VIP's traffic to that host and NIC
 * only.  For an IPv6 next hop on a numbered session the global next hop
 * is compared; on an unnumbered (link-local) session, the link-local one.
 */
static bool nexthop_is_peer(const struct peer *peer, const struct attr *attr,
			    const struct prefix *p, char *detail, size_t len)
{
	const union sockunion *su = peer->connection->su_remote ? peer->connection->su_remote
								: &peer->connection->su;
	bool v6nh = p->family == AF_INET6 || attr->mp_nexthop_len == BGP_ATTR_NHLEN_IPV6_GLOBAL ||
		    attr->mp_nexthop_len == BGP_ATTR_NHLEN_IPV6_GLOBAL_AND_LL;

	if (!v6nh) {
		if (su->sa.sa_family == AF_INET && IPV4_ADDR_SAME(&attr->nexthop, &su->sin.sin_addr))
			return true;
		snprintfrr(detail, len, "next hop %pI4, session address %pSU", &attr->nexthop, su);
		return false;
	}
	if (su->sa.sa_family == AF_INET6) {
		const struct in6_addr *a = &su->sin6.sin6_addr;

		if (IPV6_ADDR_SAME(&attr->mp_nexthop_global, a))
			return true;
		if (IN6_IS_ADDR_LINKLOCAL(a) &&
		    attr->mp_nexthop_len == BGP_ATTR_NHLEN_IPV6_GLOBAL_AND_LL &&
		    IPV6_ADDR_SAME(&attr->mp_nexthop_local, a))
			return true;
	}
	snprintfrr(detail, len, "next hop %pI6, session address %pSU", &attr->mp_nexthop_global, su);
	return false;
}

/*
 * Whether a host still has a path for p in bgp's RIB: the authorized VIP
 * sets are updated on announcements only, so withdrawn VIPs are found and
 * forgotten here, when the set is consulted.
 */
static bool host_announces(const char *name, struct bgp *bgp, const struct prefix *p)
{
	struct bgp_table *table = bgp->rib[family2afi(p->family)][SAFI_UNICAST];
	const struct mn_phost *ph = policy_host(name);
	struct bgp_path_info *pi;
	struct bgp_dest *dest;
	bool found = false;
	uint16_t i;

	if (!ph || !table)
		return false;
	dest = bgp_node_lookup(table, p);
	if (!dest)
		return false;
	for (pi = bgp_dest_get_bgp_path_info(dest); pi && !found; pi = pi->next) {
		if (CHECK_FLAG(pi->flags, BGP_PATH_REMOVED))
			continue;
		for (i = 0; i < ph->n_nbrs && !found; i++)
			found = nbr_is_peer(&ph->nbrs[i], pi->peer);
	}
	bgp_dest_unlock_node(dest);
	return found;
}

static void host_prune(struct mn_host *h, struct bgp *bgp)
{
	struct mn_vip *v;

	frr_each_safe (mn_vips, &h->vips, v) {
		if (!host_announces(h->name, bgp, &v->p))
			host_vip_del(h, v);
	}
}

/* The other host that holds p, if it still announces it. */
static struct mn_host *vip_owner(const struct mn_host *self, struct bgp *bgp, const struct prefix *p)
{
	struct mn_host *h;
	struct mn_vip *v;

	frr_each (mn_hosts, &hosts, h) {
		if (h == self || !(v = host_vip_find(h, p)))
			continue;
		if (host_announces(h->name, bgp, p))
			return h;
		host_vip_del(h, v);
	}
	return NULL;
}

/*
 * The verdict
 */

static void reject_count(struct mn_host *h, const struct peer *peer, const struct prefix *p,
			 enum mn_reject why, const char *detail)
{
	bool has_detail = detail && *detail;

	total_rejected[why]++;
	if (h)
		h->rejected[why]++;
	zlog_warn("multinic authorization: rejected %pFX from %s%s%s%s: %s%s%s%s", p, peer->host,
		  h ? " (host " : "", h ? h->name : "", h ? ")" : "", reject_names[why].text,
		  has_detail ? " (" : "", has_detail ? detail : "", has_detail ? ")" : "");
}

static bool mn_authorize(struct peer *peer, const struct attr *attr, const struct prefix *p)
{
	const struct mn_phost *ph;
	const struct prefix *range;
	struct mn_host *h = NULL, *owner;
	char detail[128] = "";
	enum mn_reject why;

	if (!policy) {
		why = MN_REJ_NO_POLICY;
		goto reject;
	}
	ph = policy_host_of_peer(peer);
	if (!ph) {
		why = MN_REJ_UNKNOWN_PEER;
		goto reject;
	}
	h = host_get(ph->name);
	if ((p->family != AF_INET && p->family != AF_INET6) || p->prefixlen != prefix_blen(p) * 8) {
		why = MN_REJ_NOT_HOST_ROUTE;
		goto reject;
	}
	range = policy_range_of(p);
	if (!range) {
		why = MN_REJ_OUTSIDE_RANGES;
		goto reject;
	}
	if (!phost_allows(ph, range)) {
		snprintfrr(detail, sizeof(detail), "vip-range %pFX", range);
		why = MN_REJ_RANGE_NOT_ALLOWED;
		goto reject;
	}
	if (!nexthop_is_peer(peer, attr, p, detail, sizeof(detail))) {
		why = MN_REJ_NEXTHOP;
		goto reject;
	}
	if (!host_vip_find(h, p)) {
		owner = vip_owner(h, peer->bgp, p);
		if (owner) {
			snprintf(detail, sizeof(detail), "host %s", owner->name);
			why = MN_REJ_OWNED;
			goto reject;
		}
		if (h->n_vips[fam_idx(p)] >= phost_limit(ph))
			host_prune(h, peer->bgp);
		if (h->n_vips[fam_idx(p)] >= phost_limit(ph)) {
			snprintf(detail, sizeof(detail), "%u %s VIPs", phost_limit(ph),
				 p->family == AF_INET ? "IPv4" : "IPv6");
			why = MN_REJ_LIMIT;
			goto reject;
		}
		host_vip_add(h, p);
	}
	h->accepted++;
	total_accepted++;
	if (bgp_multinic_debug)
		zlog_debug("multinic authorization: accepted %pFX from %s (host %s)", p, peer->host,
			   h->name);
	return true;

reject:
	reject_count(h, peer, p, why, detail);
	return false;
}

/*
 * The route-map rule "multinic"
 */

enum mn_verdict {
	MN_AUTHORIZED,
	MN_UNAUTHORIZED,
};

static enum route_map_cmd_result_t route_match_multinic(void *rule, const struct prefix *p,
							void *object)
{
	const enum mn_verdict *want = rule;
	struct bgp_path_info *path = object;
	bool ok = mn_authorize(path->peer, path->attr, p);

	return ok == (*want == MN_AUTHORIZED) ? RMAP_MATCH : RMAP_NOMATCH;
}

static void *route_match_multinic_compile(const char *arg)
{
	enum mn_verdict *want;

	if (!strmatch(arg, "authorized") && !strmatch(arg, "unauthorized"))
		return NULL;
	want = XMALLOC(MTYPE_ROUTE_MAP_COMPILED, sizeof(*want));
	*want = strmatch(arg, "authorized") ? MN_AUTHORIZED : MN_UNAUTHORIZED;
	return want;
}

static void route_match_multinic_free(void *rule)
{
	XFREE(MTYPE_ROUTE_MAP_COMPILED, rule);
}

static const struct route_map_rule_cmd route_match_multinic_cmd = {
	"multinic",
	route_match_multinic,
	route_match_multinic_compile,
	route_match_multinic_free,
};

#define MATCH_XPATH "./match-condition[condition='frr-bgp-route-map:multinic']"

DEFPY_YANG(match_multinic, match_multinic_cmd,
	   "[no] match multinic <authorized|unauthorized>$verdict",
	   NO_STR MATCH_STR MULTINIC_STR
	   "A task VIP the announcing host may announce (bgpd_multinic's policy)\n"
	   "Any other announcement\n")
{
	if (no) {
		nb_cli_enqueue_change(vty, MATCH_XPATH, NB_OP_DESTROY, NULL);
		return nb_cli_apply_changes(vty, NULL);
	}
	nb_cli_enqueue_change(vty, MATCH_XPATH, NB_OP_CREATE, NULL);
	nb_cli_enqueue_change(vty, MATCH_XPATH "/rmap-match-condition/frr-bgp-route-map:multinic",
			      NB_OP_MODIFY, verdict);
	return nb_cli_apply_changes(vty, NULL);
}

/*
 * A new policy: forget what it no longer allows, then have every session
 * with an inbound route-map re-evaluated without a reset.
 */

static void hosts_apply_policy(void)
{
	const struct mn_phost *ph;
	struct mn_host *h;
	struct mn_vip *v;
	uint32_t limit;

	frr_each (mn_hosts, &hosts, h) {
		ph = policy_host(h->name);
		if (!ph) {
			host_vips_clear(h);
			continue;
		}
		limit = phost_limit(ph);
		frr_each_safe (mn_vips, &h->vips, v) {
			const struct prefix *range = policy_range_of(&v->p);

			if (!range || !phost_allows(ph, range) || h->n_vips[fam_idx(&v->p)] > limit)
				host_vip_del(h, v);
		}
	}
}

static void reevaluate_received_routes(void)
{
	struct listnode *node, *pnode;
	struct bgp *bgp;
	struct peer *peer;
	afi_t afi;

	for (ALL_LIST_ELEMENTS_RO(bm->bgp, node, bgp)) {
		for (ALL_LIST_ELEMENTS_RO(bgp->peer, pnode, peer)) {
			if (!peer_established(peer->connection))
				continue;
			for (afi = AFI_IP; afi <= AFI_IP6; afi++) {
				if (!peer->afc_nego[afi][SAFI_UNICAST] ||
				    !peer->filter[afi][SAFI_UNICAST].map[RMAP_IN].name)
					continue;
				if (bgp_multinic_debug)
					zlog_debug("multinic authorization: re-evaluating %s %s",
						   peer->host, afi2str(afi));
				peer_clear_soft(peer, afi, SAFI_UNICAST, BGP_CLEAR_SOFT_IN);
			}
		}
	}
}

static void policy_install(struct mn_policy *pol)
{
	policy_free(policy);
	policy = pol;
	policy_since = monotime(NULL);
	zlog_info("multinic authorization: policy generation %u in force: %u vip-ranges, %u hosts",
		  pol->generation, pol->n_ranges, pol->n_hosts);
	hosts_apply_policy();
	reevaluate_received_routes();
}

/*
 * Receiving the policy from multinicd
 */

static bool get_prefix(struct stream *s, struct prefix *p)
{
	uint8_t family, len;

	memset(p, 0, sizeof(*p));
	STREAM_GETC(s, family);
	STREAM_GETC(s, len);
	if (family != AF_INET && family != AF_INET6)
		return false;
	p->family = family;
	p->prefixlen = len;
	if (len > prefix_blen(p) * 8)
		return false;
	STREAM_GET(&p->u.prefix, s, prefix_blen(p));
	return true;
stream_failure:
	return false;
}

static bool get_string(struct stream *s, char *buf, size_t size)
{
	uint8_t len;

	STREAM_GETC(s, len);
	if (len >= size)
		return false;
	STREAM_GET(buf, s, len);
	buf[len] = '\0';
	return true;
stream_failure:
	return false;
}

static bool get_neighbor(struct stream *s, struct mn_nbr *n)
{
	uint8_t kind;

	STREAM_GETC(s, kind);
	if (kind == MN_AUTHZ_NBR_ADDR)
		return get_prefix(s, &n->addr);
	n->is_ifname = true;
	return kind == MN_AUTHZ_NBR_IFNAME && get_string(s, n->ifname, sizeof(n->ifname));
stream_failure:
	return false;
}

static bool get_host(struct stream *s, struct mn_phost *ph)
{
	uint16_t i;

	if (!get_string(s, ph->name, sizeof(ph->name)))
		return false;
	STREAM_GETL(s, ph->max_vips);
	STREAM_GETW(s, ph->n_nbrs);
	if (ph->n_nbrs > MN_AUTHZ_HOST_NBR_MAX)
		return false;
	ph->nbrs = XCALLOC(MTYPE_MN_POLICY, sizeof(*ph->nbrs) * (ph->n_nbrs + 1));
	for (i = 0; i < ph->n_nbrs; i++)
		if (!get_neighbor(s, &ph->nbrs[i]))
			return false;
	STREAM_GETW(s, ph->n_ranges);
	if (ph->n_ranges > MN_AUTHZ_HOST_RANGES_MAX)
		return false;
	ph->ranges = XCALLOC(MTYPE_MN_POLICY, sizeof(*ph->ranges) * (ph->n_ranges + 1));
	for (i = 0; i < ph->n_ranges; i++)
		if (!get_prefix(s, &ph->ranges[i]))
			return false;
	return true;
stream_failure:
	return false;
}

static bool policy_begin(struct stream *s, uint32_t generation)
{
	struct mn_policy *pol = XCALLOC(MTYPE_MN_POLICY, sizeof(*pol));

	policy_free(pending);
	pending = pol;
	pol->generation = generation;
	STREAM_GETL(s, pol->max_vips_per_host);
	STREAM_GETL(s, pol->n_ranges);
	STREAM_GETL(s, pol->n_hosts);
	if (pol->n_ranges > MN_AUTHZ_RANGES_MAX || pol->n_hosts > MN_AUTHZ_HOSTS_MAX)
		return false;
	pol->ranges = XCALLOC(MTYPE_MN_POLICY, sizeof(*pol->ranges) * (pol->n_ranges + 1));
	pol->hosts = XCALLOC(MTYPE_MN_POLICY, sizeof(*pol->hosts) * (pol->n_hosts + 1));
	return true;
stream_failure:
	return false;
}

static bool policy_part(struct stream *s, uint8_t kind)
{
	struct mn_policy *pol = pending;

	switch (kind) {
	case MN_AUTHZ_MSG_RANGE:
		if (pol->got_ranges >= pol->n_ranges)
			return false;
		return get_prefix(s, &pol->ranges[pol->got_ranges++]);
	case MN_AUTHZ_MSG_HOST:
		if (pol->got_hosts >= pol->n_hosts)
			return false;
		return get_host(s, &pol->hosts[pol->got_hosts++]);
	case MN_AUTHZ_MSG_END:
		if (pol->got_ranges != pol->n_ranges || pol->got_hosts != pol->n_hosts)
			return false;
		pending = NULL;
		policy_install(pol);
		return true;
	}
	return false;
}

static void policy_recv(struct stream *s)
{
	uint8_t version, kind;
	uint32_t generation;

	STREAM_GETC(s, version);
	STREAM_GETC(s, kind);
	STREAM_GETL(s, generation);
	if (version != MN_AUTHZ_WIRE_VERSION) {
		zlog_warn("multinic authorization: policy message version %u from multinicd, expected %u; ignored",
			  version, MN_AUTHZ_WIRE_VERSION);
		return;
	}
	if (kind == MN_AUTHZ_MSG_BEGIN) {
		if (policy_begin(s, generation))
			return;
	} else if (pending && pending->generation == generation) {
		if (policy_part(s, kind))
			return;
	} else {
		return; /* the rest of a policy whose beginning was missed */
	}
stream_failure:
	zlog_warn("multinic authorization: malformed policy message (kind %u, generation %u) from multinicd; the policy in force is kept",
		  kind, generation);
	policy_free(pending);
	pending = NULL;
}

static struct zclient *mn_zclient;

static int mn_opaque_recv(ZAPI_CALLBACK_ARGS)
{
	struct zapi_opaque_msg info;
	struct stream *s = zclient->ibuf;

	if (zclient_opaque_decode(s, &info) != 0)
		return -1;
	if (info.type == MN_OPAQUE_AUTHZ_POLICY)
		policy_recv(s);
	return 0;
}

/* Registrations do not survive a zebra restart: made on every connect. */
static void mn_zebra_connected(struct zclient *zc)
{
	static const uint8_t request = MN_AUTHZ_WIRE_VERSION;

	zclient_register_opaque(zc, MN_OPAQUE_AUTHZ_POLICY);
	zclient_send_opaque(zc, MN_OPAQUE_AUTHZ_REQUEST, &request, sizeof(request));
}

static zclient_handler *const mn_handlers[] = {
	[ZEBRA_OPAQUE_MESSAGE] = mn_opaque_recv,
};

/*
 * An auxiliary zclient: bgpd's own has no opaque handler.  Synchronous
 * options, so that zebra neither sends it unsolicited messages nor, when
 * it disconnects, flushes routes of bgpd's (type, instance).
 */
static void mn_zclient_init(struct event_loop *master)
{
	mn_zclient = zclient_new(master, &zclient_options_sync, mn_handlers,
				 array_size(mn_handlers));
	mn_zclient->session_id = MN_ZAPI_SESSION_ID;
	mn_zclient->zebra_connected = mn_zebra_connected;
	zclient_init(mn_zclient, ZEBRA_ROUTE_BGP, 0, &bgpd_privs);
}

/*
 * show bgp multinic authorization
 */

static void prefixes_json(json_object *j, const char *key, const struct prefix *p, unsigned int n)
{
	json_object *a = json_object_new_array();
	unsigned int i;

	for (i = 0; i < n; i++)
		json_object_array_add(a, json_object_new_stringf("%pFX", &p[i]));
	json_object_object_add(j, key, a);
}

static void rejected_json(json_object *j, const uint64_t *rejected)
{
	json_object *r = json_object_new_object();
	int i;

	for (i = 0; i < MN_REJ_MAX; i++)
		json_object_int_add(r, reject_names[i].key, rejected[i]);
	json_object_object_add(j, "rejected", r);
}

static void rejected_text(struct vty *vty, const char *indent, const uint64_t *rejected)
{
	int i;

	for (i = 0; i < MN_REJ_MAX; i++)
		if (rejected[i])
			vty_out(vty, "%s%-52s %" PRIu64 "\n", indent, reject_names[i].text,
				rejected[i]);
}

static void host_show(struct vty *vty, json_object *jhosts, const struct mn_phost *ph,
		      struct mn_host *h)
{
	json_object *j, *a, *vips;
	struct mn_vip *v;
	uint16_t i;

	if (!jhosts) {
		vty_out(vty, "Host %s\n  Neighbors:", ph->name);
		for (i = 0; i < ph->n_nbrs; i++)
			if (ph->nbrs[i].is_ifname)
				vty_out(vty, " %s", ph->nbrs[i].ifname);
			else
				vty_out(vty, " %pFXh", &ph->nbrs[i].addr);
		vty_out(vty, "\n  VIP ranges:");
		for (i = 0; i < ph->n_ranges; i++)
			vty_out(vty, " %pFX", &ph->ranges[i]);
		if (phost_limit(ph) == UINT32_MAX)
			vty_out(vty, "\n  VIP limit: none");
		else
			vty_out(vty, "\n  VIP limit: %u per address family", phost_limit(ph));
		vty_out(vty, "\n  Authorized VIPs: %u IPv4, %u IPv6\n", h ? h->n_vips[0] : 0,
			h ? h->n_vips[1] : 0);
		if (h)
			frr_each (mn_vips, &h->vips, v)
				vty_out(vty, "    %pFX\n", &v->p);
		vty_out(vty, "  Accepted: %" PRIu64 "\n", h ? h->accepted : 0);
		if (h)
			rejected_text(vty, "  Rejected, ", h->rejected);
		return;
	}
	j = json_object_new_object();
	a = json_object_new_array();
	for (i = 0; i < ph->n_nbrs; i++)
		json_object_array_add(a, ph->nbrs[i].is_ifname
						 ? json_object_new_string(ph->nbrs[i].ifname)
						 : json_object_new_stringf("%pFXh",
									   &ph->nbrs[i].addr));
	json_object_object_add(j, "neighbors", a);
	prefixes_json(j, "vipRanges", ph->ranges, ph->n_ranges);
	if (phost_limit(ph) != UINT32_MAX)
		json_object_int_add(j, "maxVips", phost_limit(ph));
	vips = json_object_new_array();
	if (h)
		frr_each (mn_vips, &h->vips, v)
			json_object_array_add(vips, json_object_new_stringf("%pFX", &v->p));
	json_object_object_add(j, "vips", vips);
	json_object_int_add(j, "vipsIpv4", h ? h->n_vips[0] : 0);
	json_object_int_add(j, "vipsIpv6", h ? h->n_vips[1] : 0);
	json_object_int_add(j, "accepted", h ? h->accepted : 0);
	if (h) {
		rejected_json(j, h->rejected);
	} else {
		static const uint64_t none[MN_REJ_MAX];

		rejected_json(j, none);
	}
	json_object_object_add(jhosts, ph->name, j);
}

DEFPY(show_bgp_multinic_authz, show_bgp_multinic_authz_cmd,
      "show bgp multinic authorization [json]$uj",
      SHOW_STR BGP_STR MULTINIC_STR AUTHZ_STR JSON_STR)
{
	json_object *json = NULL, *jhosts = NULL;
	struct bgp *bgp = bgp_get_default();
	struct mn_host *h;
	uint32_t i;

	/* withdrawn VIPs leave the counts here */
	if (policy && bgp)
		frr_each (mn_hosts, &hosts, h)
			host_prune(h, bgp);

	if (uj) {
		json = json_object_new_object();
		json_object_boolean_add(json, "policyReceived", !!policy);
		jhosts = json_object_new_object();
	} else if (!policy) {
		vty_out(vty,
			"No authorization policy received from multinicd: nothing is authorized\n");
	}
	if (policy && json) {
		json_object_int_add(json, "generation", policy->generation);
		json_object_int_add(json, "policyAgeSeconds", monotime(NULL) - policy_since);
		prefixes_json(json, "vipRanges", policy->ranges, policy->n_ranges);
		if (policy->max_vips_per_host)
			json_object_int_add(json, "maxVipsPerHost", policy->max_vips_per_host);
	} else if (policy) {
		vty_out(vty,
			"Authorization policy generation %u from multinicd, in force for %lld s\n",
			policy->generation, (long long)(monotime(NULL) - policy_since));
		vty_out(vty, "VIP ranges:");
		for (i = 0; i < policy->n_ranges; i++)
			vty_out(vty, " %pFX", &policy->ranges[i]);
		vty_out(vty, "\n");
		if (policy->max_vips_per_host)
			vty_out(vty, "Max VIPs per host: %u per address family\n",
				policy->max_vips_per_host);
		vty_out(vty, "\n");
	}
	for (i = 0; policy && i < policy->n_hosts; i++)
		host_show(vty, jhosts, &policy->hosts[i], host_find(policy->hosts[i].name));

	if (json) {
		json_object_object_add(json, "hosts", jhosts);
		json_object_int_add(json, "accepted", total_accepted);
		rejected_json(json, total_rejected);
		vty_json(vty, json);
	} else {
		vty_out(vty, "Accepted: %" PRIu64 "\n", total_accepted);
		rejected_text(vty, "Rejected, ", total_rejected);
	}
	return CMD_SUCCESS;
}

DEFPY(show_bgp_multinic, show_bgp_multinic_cmd,
      "show bgp multinic [json]$uj",
      SHOW_STR BGP_STR MULTINIC_STR JSON_STR)
{
	json_object *json = NULL, *jinst = NULL;
	struct listnode *node;
	struct bgp *bgp;

	if (uj) {
		json = json_object_new_object();
		jinst = json_object_new_array();
		json_object_string_add(json, "module", "bgpd_multinic");
		json_object_string_add(json, "version", BGP_MULTINIC_VERSION);
		json_object_boolean_add(json, "debug", bgp_multinic_debug);
		json_object_boolean_add(json, "authorizationPolicy", !!policy);
	} else {
		vty_out(vty, "bgpd_multinic %s loaded%s\n", BGP_MULTINIC_VERSION,
			bgp_multinic_debug ? ", debugging on" : "");
		vty_out(vty, "  authorization policy: %s\n",
			policy ? "received from multinicd" : "none received");
	}

	for (ALL_LIST_ELEMENTS_RO(bm->bgp, node, bgp)) {
		if (json) {
			json_object *j = json_object_new_object();

			json_object_string_add(j, "name", bgp->name ? bgp->name : VRF_DEFAULT_NAME);
			json_object_int_add(j, "as", bgp->as);
			json_object_array_add(jinst, j);
		} else {
			vty_out(vty, "  BGP instance %s, AS %u\n",
				bgp->name ? bgp->name : VRF_DEFAULT_NAME, bgp->as);
		}
	}

	if (json) {
		json_object_object_add(json, "instances", jinst);
		vty_json(vty, json);
	}
	return CMD_SUCCESS;
}

DEFPY(clear_bgp_multinic_authz, clear_bgp_multinic_authz_cmd,
      "clear bgp multinic authorization counters",
      CLEAR_STR BGP_STR MULTINIC_STR AUTHZ_STR "Accepted and rejected counters\n")
{
	struct mn_host *h;

	frr_each (mn_hosts, &hosts, h) {
		h->accepted = 0;
		memset(h->rejected, 0, sizeof(h->rejected));
	}
	total_accepted = 0;
	memset(total_rejected, 0, sizeof(total_rejected));
	return CMD_SUCCESS;
}

DEFPY(debug_bgp_multinic, debug_bgp_multinic_cmd,
      "[no] debug bgp multinic",
      NO_STR DEBUG_STR BGP_STR MULTINIC_STR)
{
	bgp_multinic_debug = !no;
	return CMD_SUCCESS;
}

static int bgp_multinic_fini(void)
{
	struct mn_host *h;

	if (mn_zclient) {
		zclient_stop(mn_zclient);
		zclient_free(mn_zclient);
		mn_zclient = NULL;
	}
	while ((h = mn_hosts_pop(&hosts))) {
		host_vips_clear(h);
		mn_vips_fini(&h->vips);
		XFREE(MTYPE_MN_HOST, h);
	}
	policy_free(policy);
	policy_free(pending);
	policy = pending = NULL;
	return 0;
}

static int bgp_multinic_late_init(struct event_loop *master)
{
	route_map_install_match(&route_match_multinic_cmd);
	install_element(RMAP_NODE, &match_multinic_cmd);
	install_element(VIEW_NODE, &show_bgp_multinic_cmd);
	install_element(VIEW_NODE, &show_bgp_multinic_authz_cmd);
	install_element(ENABLE_NODE, &clear_bgp_multinic_authz_cmd);
	install_element(ENABLE_NODE, &debug_bgp_multinic_cmd);
	install_element(CONFIG_NODE, &debug_bgp_multinic_cmd);
	mn_zclient_init(master);
	hook_register(frr_fini, bgp_multinic_fini);
	return 0;
}

static int bgp_multinic_module_init(void)
{
	hook_register(frr_late_init, bgp_multinic_late_init);
	return 0;
}

FRR_MODULE_SETUP(.name = "bgpd_multinic", .version = FRR_VERSION,
		 .description = "bgpd multi-NIC task networking module",
		 .init = bgp_multinic_module_init, );
