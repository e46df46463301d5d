// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * bgpd_multinic: the authorization policy received from multinicd (ZAPI
 * opaque messages, common/multinic_authz_wire.h), lookups in it, and the
 * verdict on one announcement.
 *
 * An announcement is authorized when
 *   - the session belongs to a host of the policy (by neighbor address,
 *     or interface for an unnumbered session),
 *   - its prefix is a host route (/32, /128) inside a vip-range allowed
 *     to that host,
 *   - its next hop is the host's own address on that session,
 *   - no other host holds the same VIP, and
 *   - the host stays within its VIP limit (per address family).
 */
#include <zebra.h>

#include "lib/jhash.h"
#include "lib/log.h"
#include "lib/memory.h"
#include "lib/monotime.h"
#include "lib/sockunion.h"

#include "bgpd/bgpd.h"
#include "bgpd/bgp_attr.h"
#include "bgpd/bgp_route.h"
#include "bgpd/bgp_multinic.h"
#include "bgpd/bgp_multinic_policy.h"

DEFINE_MTYPE_STATIC(BGPD, MN_POLICY, "multinic authorization policy");

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

const char *mn_reject_key(enum mn_reject why)
{
	return reject_names[why].key;
}

const char *mn_reject_text(enum mn_reject why)
{
	return reject_names[why].text;
}

/*
 * The sessions of every host, by neighbor address or interface name:
 * the host of a received route is found in one lookup.
 */

static int mn_pnbr_cmp(const struct mn_pnbr *a, const struct mn_pnbr *b)
{
	if (a->is_ifname != b->is_ifname)
		return a->is_ifname ? 1 : -1;
	if (a->is_ifname)
		return strcmp(a->ifname, b->ifname);
	return prefix_cmp(&a->addr, &b->addr);
}

static uint32_t mn_pnbr_hash(const struct mn_pnbr *n)
{
	if (n->is_ifname)
		return jhash(n->ifname, strlen(n->ifname), 0x4d4e);
	return prefix_hash_key(&n->addr);
}

DECLARE_HASH(mn_nbrs, struct mn_pnbr, item, mn_pnbr_cmp, mn_pnbr_hash);

static struct mn_policy *policy;  /* in force; NULL until one arrives */
static struct mn_policy *pending; /* being received */
static time_t policy_since;

const struct mn_policy *mn_policy(void)
{
	return policy;
}

time_t mn_policy_since(void)
{
	return policy_since;
}

static void policy_free(struct mn_policy *pol)
{
	uint32_t i;

	if (!pol)
		return;
	while (mn_nbrs_pop(&pol->nbrs))
		;
	mn_nbrs_fini(&pol->nbrs);
	for (i = 0; i < pol->got_hosts; i++) {
		XFREE(MTYPE_MN_POLICY, pol->hosts[i].nbrs);
		XFREE(MTYPE_MN_POLICY, pol->hosts[i].ranges);
	}
	XFREE(MTYPE_MN_POLICY, pol->hosts);
	XFREE(MTYPE_MN_POLICY, pol->ranges);
	XFREE(MTYPE_MN_POLICY, pol);
}

static void policy_index(struct mn_policy *pol)
{
	struct mn_phost *ph;
	uint32_t i;
	uint16_t j;

	for (i = 0; i < pol->n_hosts; i++) {
		ph = &pol->hosts[i];
		for (j = 0; j < ph->n_nbrs; j++) {
			ph->nbrs[j].host = ph;
			/* multinicd refuses a neighbor claimed by two hosts */
			if (mn_nbrs_add(&pol->nbrs, &ph->nbrs[j]))
				zlog_warn("multinic authorization: policy generation %u gives a neighbor of host %s to another host too; the first one keeps it",
					  pol->generation, ph->name);
		}
	}
}

void mn_policy_install(struct mn_policy *pol)
{
	policy_free(policy);
	policy = pol;
	policy_since = monotime(NULL);
	policy_index(pol);
}

void mn_policy_fini(void)
{
	policy_free(policy);
	policy_free(pending);
	policy = pending = NULL;
}

/*
 * Lookups
 */

struct mn_phost *mn_policy_host_of_peer(const struct mn_policy *pol, const struct peer *peer)
{
	struct mn_pnbr key = {};
	const struct mn_pnbr *n;

	if (!pol)
		return NULL;
	if (peer->conf_if) {
		key.is_ifname = true;
		strlcpy(key.ifname, peer->conf_if, sizeof(key.ifname));
		n = mn_nbrs_const_find(&pol->nbrs, &key);
		if (n)
			return n->host;
		key.is_ifname = false;
	}
	if (!sockunion2hostprefix(&peer->connection->su, &key.addr))
		return NULL;
	n = mn_nbrs_const_find(&pol->nbrs, &key);
	return n ? n->host : NULL;
}

const struct mn_phost *mn_policy_host(const struct mn_policy *pol, const char *name)
{
	uint32_t i;

	for (i = 0; pol && i < pol->n_hosts; i++)
		if (strmatch(pol->hosts[i].name, name))
			return &pol->hosts[i];
	return NULL;
}

const struct prefix *mn_policy_range_of(const struct mn_policy *pol, const struct prefix *p)
{
	uint32_t i;

	for (i = 0; pol && i < pol->n_ranges; i++)
		if (prefix_match(&pol->ranges[i], p))
			return &pol->ranges[i];
	return NULL;
}

static bool host_allows(const struct mn_phost *ph, const struct prefix *range)
{
	uint16_t i;

	for (i = 0; i < ph->n_ranges; i++)
		if (prefix_same(&ph->ranges[i], range))
			return true;
	return false;
}

uint32_t mn_policy_host_limit(const struct mn_policy *pol, const struct mn_phost *ph)
{
	if (ph->max_vips)
		return ph->max_vips;
	if (pol->max_vips_per_host)
		return pol->max_vips_per_host;
	return UINT32_MAX;
}

/*
 * The verdict
 */

/*
 * The next hop bgpd installs for the path, chosen as bgp_zebra.c chooses it
 * (bgp_path_info_to_ipv6_nexthop(), static there): an IPv4 next hop; with
 * a 16-byte IPv6 next hop its only address; with a 32-byte one (global and
 * link-local) the link-local part unless the route-map set "ipv6 next-hop
 * prefer-global", and the session's address when the global part is ::.
 * Link-local next hops are tied to the session's interface by bgpd
 * (bgp_attr.c: nh_lla_ifindex), so the address is what is to be checked.
 */
static bool installed_nexthop(const struct peer *peer, const struct attr *attr,
			      const struct prefix *p, struct ipaddr *nh, const char **part)
{
	const union sockunion *remote = peer->connection->su_remote;

	*part = "";
	if (p->family == AF_INET && !BGP_ATTR_MP_NEXTHOP_LEN_IP6(attr)) {
		SET_IPADDR_V4(nh);
		nh->ipaddr_v4 = attr->nexthop;
		return true;
	}
	SET_IPADDR_V6(nh);
	switch (attr->mp_nexthop_len) {
	case BGP_ATTR_NHLEN_IPV6_GLOBAL:
		nh->ipaddr_v6 = attr->mp_nexthop_global;
		return true;
	case BGP_ATTR_NHLEN_IPV6_GLOBAL_AND_LL:
		if (CHECK_FLAG(attr->nh_flags, BGP_ATTR_NH_MP_PREFER_GLOBAL)) {
			*part = "global part of a 32-byte next hop, prefer-global";
			nh->ipaddr_v6 = attr->mp_nexthop_global;
		} else if (IN6_IS_ADDR_UNSPECIFIED(&attr->mp_nexthop_global) && remote &&
			   remote->sa.sa_family == AF_INET6) {
			*part = "the session's address: the global part is ::";
			nh->ipaddr_v6 = remote->sin6.sin6_addr;
		} else {
			*part = "link-local part of a 32-byte next hop";
			nh->ipaddr_v6 = attr->mp_nexthop_local;
		}
		return true;
	}
	return false;
}

/*
 * The next hop bgpd installs must be the host's own address on the session
 * the route came over: the switch then forwards the VIP's traffic to that
 * host and NIC only.  On a numbered IPv6 session the switch knows the
 * host's global address only, so a link-local next hop there cannot be
 * the host's as far as the switch can tell: refused, unless the route-map
 * makes bgpd prefer the global part before asking (doc/authorization.md).
 */
static bool nexthop_is_peer(const struct peer *peer, const struct attr *attr,
			    const struct prefix *p, char *detail, size_t len)
{
	const union sockunion *su = peer->connection->su_remote ? peer->connection->su_remote
								: &peer->connection->su;
	const char *part;
	struct ipaddr nh;

	if (!installed_nexthop(peer, attr, p, &nh, &part)) {
		snprintfrr(detail, len, "no usable next hop (length %u), session address %pSU",
			   attr->mp_nexthop_len, su);
		return false;
	}
	if (IS_IPADDR_V4(&nh) && su->sa.sa_family == AF_INET &&
	    IPV4_ADDR_SAME(&nh.ipaddr_v4, &su->sin.sin_addr))
		return true;
	if (IS_IPADDR_V6(&nh) && su->sa.sa_family == AF_INET6 &&
	    IPV6_ADDR_SAME(&nh.ipaddr_v6, &su->sin6.sin6_addr))
		return true;
	snprintfrr(detail, len, "next hop %pIA%s%s%s, session address %pSU", &nh,
		   *part ? " (" : "", part, *part ? ")" : "", su);
	return false;
}

static bool refuse(struct mn_verdict *v, enum mn_reject why)
{
	v->why = why;
	return false;
}

bool mn_policy_verdict(const struct mn_policy *pol, struct mn_phost *host, const struct peer *peer,
		       const struct attr *attr, const struct prefix *p,
		       const struct mn_claim *claim, struct mn_verdict *v)
{
	const struct prefix *range;
	uint32_t limit;

	v->host = host;
	v->detail[0] = '\0';
	if (!pol)
		return refuse(v, MN_REJ_NO_POLICY);
	if (!host)
		return refuse(v, MN_REJ_UNKNOWN_PEER);
	if ((p->family != AF_INET && p->family != AF_INET6) || p->prefixlen != prefix_blen(p) * 8)
		return refuse(v, MN_REJ_NOT_HOST_ROUTE);
	range = mn_policy_range_of(pol, p);
	if (!range)
		return refuse(v, MN_REJ_OUTSIDE_RANGES);
	if (!host_allows(host, range)) {
		snprintfrr(v->detail, sizeof(v->detail), "vip-range %pFX", range);
		return refuse(v, MN_REJ_RANGE_NOT_ALLOWED);
	}
	if (!nexthop_is_peer(peer, attr, p, v->detail, sizeof(v->detail)))
		return refuse(v, MN_REJ_NEXTHOP);
	limit = mn_policy_host_limit(pol, host);
	/*
	 * A VIP the host holds already is accepted again; when a policy
	 * lowered its limit, only the first ones (in prefix order) are.
	 */
	if (claim->held && (claim->held_in_family <= limit || claim->rank < limit))
		return true;
	if (claim->owner && !claim->held) {
		snprintf(v->detail, sizeof(v->detail), "host %s", claim->owner);
		return refuse(v, MN_REJ_OWNED);
	}
	if (claim->held || claim->held_in_family >= limit) {
		snprintf(v->detail, sizeof(v->detail), "%u %s VIPs", limit,
			 p->family == AF_INET ? "IPv4" : "IPv6");
		return refuse(v, MN_REJ_LIMIT);
	}
	return true;
}

/*
 * Receiving the policy from multinicd
 */

bool mn_get_prefix(struct stream *s, struct prefix *p)
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

bool mn_get_string(struct stream *s, char *buf, size_t size)
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

static bool get_neighbor(struct stream *s, struct mn_pnbr *n)
{
	uint8_t kind;

	STREAM_GETC(s, kind);
	if (kind == MN_AUTHZ_NBR_ADDR)
		return mn_get_prefix(s, &n->addr);
	n->is_ifname = true;
	return kind == MN_AUTHZ_NBR_IFNAME && mn_get_string(s, n->ifname, sizeof(n->ifname));
stream_failure:
	return false;
}

static bool get_host(struct stream *s, struct mn_phost *ph)
{
	uint16_t i;

	if (!mn_get_string(s, ph->name, sizeof(ph->name)))
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
		if (!mn_get_prefix(s, &ph->ranges[i]))
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
	mn_nbrs_init(&pol->nbrs);
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

/* A part of the pending policy; *done: the policy it completes. */
static bool policy_part(struct stream *s, uint8_t kind, struct mn_policy **done)
{
	struct mn_policy *pol = pending;

	switch (kind) {
	case MN_AUTHZ_MSG_RANGE:
		if (pol->got_ranges >= pol->n_ranges)
			return false;
		return mn_get_prefix(s, &pol->ranges[pol->got_ranges++]);
	case MN_AUTHZ_MSG_HOST:
		if (pol->got_hosts >= pol->n_hosts)
			return false;
		return get_host(s, &pol->hosts[pol->got_hosts++]);
	case MN_AUTHZ_MSG_END:
		if (pol->got_ranges != pol->n_ranges || pol->got_hosts != pol->n_hosts)
			return false;
		pending = NULL;
		*done = pol;
		return true;
	}
	return false;
}

struct mn_policy *mn_policy_recv(struct stream *s)
{
	struct mn_policy *done = NULL;
	uint8_t version, kind = 0;
	uint32_t generation = 0;

	STREAM_GETC(s, version);
	STREAM_GETC(s, kind);
	STREAM_GETL(s, generation);
	if (version != MN_AUTHZ_WIRE_VERSION) {
		zlog_warn("multinic authorization: policy message version %u from multinicd, expected %u; ignored",
			  version, MN_AUTHZ_WIRE_VERSION);
		return NULL;
	}
	if (kind == MN_AUTHZ_MSG_BEGIN) {
		if (policy_begin(s, generation))
			return NULL;
	} else if (pending && pending->generation == generation) {
		if (policy_part(s, kind, &done))
			return done;
	} else {
		return NULL; /* the rest of a policy whose beginning was missed */
	}
stream_failure:
	zlog_warn("multinic authorization: malformed policy message (kind %u, generation %u) from multinicd; the policy in force is kept",
		  kind, generation);
	policy_free(pending);
	pending = NULL;
	return NULL;
}
