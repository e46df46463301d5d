// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * multinicd netlink: what a task's namespace is given (addresses, routes,
 * neighbours), and the host's neighbour lookup.
 */
#include <zebra.h>

#include <linux/if_addr.h>
#include <linux/neighbour.h>
#include <linux/rtnetlink.h>

#include <netlink/netlink.h>
#include <netlink/route/addr.h>
#include <netlink/route/neighbour.h>
#include <netlink/route/nexthop.h>
#include <netlink/route/route.h>

#include "lib/printfrr.h"

#include "multinic_netlink_priv.h"

/* Room for "add route <dst> via <gw> dev <name> src <src> table <n> in netns <name>". */
#define MN_NL_WHAT 384

/*
 * Addresses
 */

static int mn_nl_addr_send(struct mn_nl *nl, int ifindex, void *arg)
{
	const struct prefix *p = arg;
	struct rtnl_addr *ra;
	struct nl_addr *local;
	int nle = -NLE_NOMEM;

	ra = rtnl_addr_alloc();
	local = mn_nl_addr(p);
	if (!ra || !local)
		goto out;
	rtnl_addr_set_ifindex(ra, ifindex);
	rtnl_addr_set_family(ra, p->family);
	nle = rtnl_addr_set_local(ra, local);
	if (nle < 0)
		goto out;
	rtnl_addr_set_prefixlen(ra, p->prefixlen);
	/*
	 * A task VIP must be usable at once (no DAD delay, and no DAD
	 * failure because the same VIP lives on the host side), and its
	 * prefix route is ours to decide, not the kernel's.
	 */
	if (p->family == AF_INET6)
		rtnl_addr_set_flags(ra, IFA_F_NODAD | IFA_F_NOPREFIXROUTE);
	nle = rtnl_addr_add(nl->sk, ra, NLM_F_CREATE | NLM_F_EXCL);
out:
	if (local)
		nl_addr_put(local);
	if (ra)
		rtnl_addr_put(ra);
	return nle;
}

int mn_nl_addr_add(const struct mn_nl_ns *ns, const char *ifname, const struct prefix *addr,
		   char *err, size_t errlen)
{
	char what[MN_NL_WHAT];
	struct mn_nl_req req = {
		.ns = ns,
		.what = what,
		.ifname = ifname,
		.fn = mn_nl_addr_send,
		.arg = (void *)addr,
	};

	snprintfrr(what, sizeof(what), "add address %pFX to %s in netns %s", addr,
		   mn_nl_str(ifname), mn_nl_nsname(ns));
	if (!mn_nl_ifname_ok(ifname) || !mn_nl_prefix_ok(addr))
		req.invalid = "Invalid argument";
	return mn_nl_request(&req, err, errlen);
}

/*
 * Routes
 */

static bool mn_nl_route_ok(const struct mn_nl_route *r)
{
	if (!mn_nl_prefix_ok(&r->dst) || !mn_nl_ifname_ok(r->ifname))
		return false;
	/* Gateway and source are addresses of the route's family. */
	if (r->gw && (!mn_nl_prefix_ok(r->gw) || r->gw->family != r->dst.family))
		return false;
	if (r->src && (!mn_nl_prefix_ok(r->src) || r->src->family != r->dst.family))
		return false;
	return true;
}

static int mn_nl_route_nexthop(struct rtnl_route *rt, const struct mn_nl_route *r, int ifindex)
{
	struct rtnl_nexthop *nh;
	struct nl_addr *gw;

	nh = rtnl_route_nh_alloc();
	if (!nh)
		return -NLE_NOMEM;
	rtnl_route_nh_set_ifindex(nh, ifindex);
	if (r->gw) {
		gw = mn_nl_host_addr(r->gw);
		if (!gw) {
			rtnl_route_nh_free(nh);
			return -NLE_NOMEM;
		}
		rtnl_route_nh_set_gateway(nh, gw);
		nl_addr_put(gw);
		/*
		 * The gateway (the host end, e.g. 169.254.0.1) is not in any
		 * subnet of the task's link: onlink tells the kernel to
		 * trust that it is reachable there.  libnl copies a single
		 * nexthop's flags into rtm_flags.
		 */
		rtnl_route_nh_set_flags(nh, RTNH_F_ONLINK);
	}
	rtnl_route_add_nexthop(rt, nh); /* rt owns nh from here */
	return 0;
}

static int mn_nl_route_fill(struct rtnl_route *rt, const struct mn_nl_route *r, int ifindex)
{
	struct nl_addr *dst, *src;
	int nle;

	rtnl_route_set_family(rt, r->dst.family);
	/* libnl sends RTA_TABLE as well, so ids above 255 work. */
	rtnl_route_set_table(rt, r->table ? r->table : RT_TABLE_MAIN);
	rtnl_route_set_protocol(rt, MN_NL_PROTO);
	rtnl_route_set_type(rt, RTN_UNICAST);
	rtnl_route_set_scope(rt, r->gw ? RT_SCOPE_UNIVERSE : RT_SCOPE_LINK);

	dst = mn_nl_addr(&r->dst);
	if (!dst)
		return -NLE_NOMEM;
	nle = rtnl_route_set_dst(rt, dst);
	nl_addr_put(dst);
	if (nle < 0)
		return nle;

	if (r->src) {
		src = mn_nl_host_addr(r->src);
		if (!src)
			return -NLE_NOMEM;
		nle = rtnl_route_set_pref_src(rt, src);
		nl_addr_put(src);
		if (nle < 0)
			return nle;
	}
	return mn_nl_route_nexthop(rt, r, ifindex);
}

static int mn_nl_route_send(struct mn_nl *nl, int ifindex, void *arg)
{
	const struct mn_nl_route *r = arg;
	struct rtnl_route *rt;
	int nle;

	rt = rtnl_route_alloc();
	if (!rt)
		return -NLE_NOMEM;
	nle = mn_nl_route_fill(rt, r, ifindex);
	if (nle == 0)
		nle = rtnl_route_add(nl->sk, rt, NLM_F_CREATE | NLM_F_REPLACE);
	rtnl_route_put(rt);
	return nle;
}

/* "add route 10.9.0.0/24 via 169.254.0.1 dev eth0 src 10.1.0.1 table 100 in netns job1" */
static void mn_nl_route_what(char *buf, size_t len, const struct mn_nl_ns *ns,
			     const struct mn_nl_route *r)
{
	char gw[INET6_ADDRSTRLEN + 8] = "", src[INET6_ADDRSTRLEN + 8] = "", table[24] = "";

	if (r->gw)
		snprintfrr(gw, sizeof(gw), " via %pFXh", r->gw);
	if (r->src)
		snprintfrr(src, sizeof(src), " src %pFXh", r->src);
	if (r->table)
		snprintf(table, sizeof(table), " table %u", r->table);
	snprintfrr(buf, len, "add route %pFX%s dev %s%s%s in netns %s", &r->dst, gw,
		   mn_nl_str(r->ifname), src, table, mn_nl_nsname(ns));
}

int mn_nl_route_add(const struct mn_nl_ns *ns, const struct mn_nl_route *r, char *err, size_t errlen)
{
	char what[MN_NL_WHAT];
	struct mn_nl_req req = {
		.ns = ns,
		.what = what,
		.fn = mn_nl_route_send,
		.arg = (void *)r,
	};

	if (!r) {
		snprintf(what, sizeof(what), "add route (null) in netns %s", mn_nl_nsname(ns));
		req.invalid = "Invalid argument";
		return mn_nl_request(&req, err, errlen);
	}
	mn_nl_route_what(what, sizeof(what), ns, r);
	if (!mn_nl_route_ok(r))
		req.invalid = "Invalid argument";
	req.ifname = r->ifname;
	return mn_nl_request(&req, err, errlen);
}

/*
 * Neighbours
 */

struct mn_nl_neigh_req {
	const struct prefix *ip;
	const uint8_t *mac; /* add */
	int ifindex;	    /* lookup: the link to look on */
};

static struct rtnl_neigh *mn_nl_neigh_build(int ifindex, const struct mn_nl_neigh_req *nr)
{
	struct nl_addr *dst = NULL, *ll = NULL;
	struct rtnl_neigh *n;

	n = rtnl_neigh_alloc();
	dst = mn_nl_host_addr(nr->ip);
	if (!n || !dst)
		goto fail;
	rtnl_neigh_set_ifindex(n, ifindex);
	rtnl_neigh_set_family(n, nr->ip->family);
	if (rtnl_neigh_set_dst(n, dst) < 0)
		goto fail;
	ll = nl_addr_build(AF_LLC, nr->mac, 6);
	if (!ll)
		goto fail;
	rtnl_neigh_set_lladdr(n, ll);
	nl_addr_put(ll);
	rtnl_neigh_set_state(n, NUD_PERMANENT);
	nl_addr_put(dst);
	return n;

fail:
	if (dst)
		nl_addr_put(dst);
	if (n)
		rtnl_neigh_put(n);
	return NULL;
}

static int mn_nl_neigh_send(struct mn_nl *nl, int ifindex, void *arg)
{
	struct rtnl_neigh *n;
	int nle;

	n = mn_nl_neigh_build(ifindex, arg);
	if (!n)
		return -NLE_NOMEM;
	/*
	 * Replace: a stale entry (the task came back with a new MAC) is
	 * overwritten, as "ip neigh replace" does.  libnl adds no
	 * NLM_F_CREATE of its own here (it does for addresses and routes).
	 */
	nle = rtnl_neigh_add(nl->sk, n, NLM_F_CREATE | NLM_F_REPLACE);
	rtnl_neigh_put(n);
	return nle;
}

int mn_nl_neigh_add(const struct mn_nl_ns *ns, const char *ifname, const struct prefix *ip,
		    const uint8_t mac[6], char *err, size_t errlen)
{
	struct mn_nl_neigh_req nr = { .ip = ip, .mac = mac };
	char what[MN_NL_WHAT], ll[32] = "";
	struct mn_nl_req req = {
		.ns = ns,
		.what = what,
		.ifname = ifname,
		.fn = mn_nl_neigh_send,
		.arg = &nr,
	};

	if (mac)
		snprintf(ll, sizeof(ll), " lladdr %02x:%02x:%02x:%02x:%02x:%02x", mac[0], mac[1],
			 mac[2], mac[3], mac[4], mac[5]);
	snprintfrr(what, sizeof(what), "add neighbour %pFXh%s on %s in netns %s", ip, ll,
		   mn_nl_str(ifname), mn_nl_nsname(ns));
	if (!mac)
		req.invalid = "no MAC address";
	else if (!mn_nl_ifname_ok(ifname) || !mn_nl_prefix_ok(ip))
		req.invalid = "Invalid argument";
	return mn_nl_request(&req, err, errlen);
}

static int mn_nl_neigh_read(struct mn_nl *nl, int ifindex, void *arg)
{
	const struct mn_nl_neigh_req *nr = arg;
	struct nl_cache *cache = NULL;
	struct rtnl_neigh *n = NULL;
	struct nl_addr *addr;
	int ret;

	/* The (host's) neighbour table, read whole: libnl has no get by key. */
	ret = rtnl_neigh_alloc_cache(nl->sk, &cache);
	if (ret < 0)
		return ret;
	addr = mn_nl_host_addr(nr->ip);
	if (addr)
		n = rtnl_neigh_get(cache, nr->ifindex, addr);
	if (n) {
		ret = rtnl_neigh_get_state(n);
		rtnl_neigh_put(n);
	} else {
		ret = addr ? mn_nl_refuse(nl, ENOENT, "no such entry") : -NLE_NOMEM;
	}
	if (addr)
		nl_addr_put(addr);
	nl_cache_free(cache);
	return ret;
}

int mn_nl_neigh_state(const struct mn_nl_ns *ns, int ifindex, const struct prefix *ip, char *err,
		      size_t errlen)
{
	struct mn_nl_neigh_req nr = { .ip = ip, .ifindex = ifindex };
	char what[MN_NL_WHAT];
	struct mn_nl_req req = {
		.ns = ns,
		.what = what,
		.fn = mn_nl_neigh_read,
		.arg = &nr,
	};

	snprintfrr(what, sizeof(what), "read neighbour %pFXh on ifindex %d in netns %s", ip,
		   ifindex, mn_nl_nsname(ns));
	if (ifindex <= 0 || !mn_nl_prefix_ok(ip))
		req.invalid = "Invalid argument";
	return mn_nl_request(&req, err, errlen);
}
