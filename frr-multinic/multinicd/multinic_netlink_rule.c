// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * multinicd netlink: the host's source rules ("from VIP lookup table").
 *
 * They stay here rather than going through zebra (ZEBRA_RULE_ADD, as
 * pbrd does): zebra 10.3 deletes a client's rules the moment it
 * disconnects, with no stale time as for routes, so a restart of
 * multinicd would cut the tasks' egress in kernel mode
 * (doc/architecture.md).  Marked with protocol MN_NL_PROTO, they are
 * found again after a restart (mn_nl_rules_dump).
 */
#include <zebra.h>

#include <net/if.h>

#include <linux/fib_rules.h>
#include <linux/rtnetlink.h>

#include <netlink/netlink.h>
#include <netlink/cache.h>
#include <netlink/route/rule.h>

#include "lib/printfrr.h"

#include "multinic_netlink_priv.h"

/* Room for "delete rule from <prefix> iif <name> lookup <n> priority <n> in netns <name>". */
#define MN_NL_WHAT 256

static struct rtnl_rule *mn_nl_rule_build(const struct mn_nl_rule *r)
{
	struct rtnl_rule *rule;
	struct nl_addr *src = NULL;

	rule = rtnl_rule_alloc();
	if (!rule)
		return NULL;
	rtnl_rule_set_family(rule, r->src.family);
	rtnl_rule_set_action(rule, FR_ACT_TO_TBL);
	/* Table 0 means main here too, as for routes. */
	rtnl_rule_set_table(rule, r->table ? r->table : RT_TABLE_MAIN);
	rtnl_rule_set_prio(rule, r->priority);
	if (rtnl_rule_set_protocol(rule, MN_NL_PROTO) < 0)
		goto fail;
	/* A zero length is "from all": no FRA_SRC, as ip rule sends it. */
	if (r->src.prefixlen) {
		src = mn_nl_addr(&r->src);
		if (!src || rtnl_rule_set_src(rule, src) < 0)
			goto fail;
		nl_addr_put(src); /* the rule holds its own reference */
		src = NULL;
	}
	if (r->iifname && rtnl_rule_set_iif(rule, r->iifname) < 0)
		goto fail;
	return rule;

fail:
	if (src)
		nl_addr_put(src);
	rtnl_rule_put(rule);
	return NULL;
}

struct mn_nl_rule_req {
	const struct mn_nl_rule *rule;
	bool add;
};

static int mn_nl_rule_send(struct mn_nl *nl, int ifindex, void *arg)
{
	const struct mn_nl_rule_req *rr = arg;
	struct rtnl_rule *rule;
	int nle;

	rule = mn_nl_rule_build(rr->rule);
	if (!rule)
		return -NLE_NOMEM;
	/* EXCL: without it the kernel happily adds a duplicate rule. */
	if (rr->add)
		nle = rtnl_rule_add(nl->sk, rule, NLM_F_CREATE | NLM_F_EXCL);
	else
		nle = rtnl_rule_delete(nl->sk, rule, 0);
	rtnl_rule_put(rule);
	return nle;
}

/* "add rule from 10.1.0.1/32 iif eth0 lookup 100 priority 1000 in netns host" */
static int mn_nl_rule_change(const struct mn_nl_ns *ns, const struct mn_nl_rule *r, bool add,
			     char *err, size_t errlen)
{
	const char *op = add ? "add" : "delete";
	struct mn_nl_rule_req rr = { .rule = r, .add = add };
	char what[MN_NL_WHAT], iif[IFNAMSIZ + 8] = "";
	struct mn_nl_req req = {
		.ns = ns,
		.what = what,
		.fn = mn_nl_rule_send,
		.arg = &rr,
	};

	if (!r) {
		snprintf(what, sizeof(what), "%s rule (null) in netns %s", op, mn_nl_nsname(ns));
		req.invalid = "Invalid argument";
		return mn_nl_request(&req, err, errlen);
	}
	if (r->iifname)
		snprintf(iif, sizeof(iif), " iif %.*s", IFNAMSIZ, r->iifname);
	snprintfrr(what, sizeof(what), "%s rule from %pFX%s lookup %u priority %u in netns %s", op,
		   &r->src, iif, r->table ? r->table : RT_TABLE_MAIN, r->priority, mn_nl_nsname(ns));
	if (!mn_nl_prefix_ok(&r->src) || (r->iifname && !mn_nl_ifname_ok(r->iifname)))
		req.invalid = "Invalid argument";
	return mn_nl_request(&req, err, errlen);
}

int mn_nl_rule_add(const struct mn_nl_ns *ns, const struct mn_nl_rule *r, char *err, size_t errlen)
{
	return mn_nl_rule_change(ns, r, true, err, errlen);
}

int mn_nl_rule_del(const struct mn_nl_ns *ns, const struct mn_nl_rule *r, char *err, size_t errlen)
{
	return mn_nl_rule_change(ns, r, false, err, errlen);
}

/*
 * Listing
 */

struct mn_nl_rules_walk {
	int family;
	void (*cb)(const struct mn_nl_rule *r, void *arg);
	void *arg;
};

/*
 * A kernel rule as multinicd describes them; false: not one of ours, or
 * not of the family asked for (libnl's cache holds every family).
 */
static bool mn_nl_rule_read(struct rtnl_rule *rule, int want, struct mn_nl_rule *r)
{
	struct nl_addr *src;
	uint8_t proto = 0;
	int family = rtnl_rule_get_family(rule);

	if (rtnl_rule_get_protocol(rule, &proto) < 0 || proto != MN_NL_PROTO)
		return false;
	if ((family != AF_INET && family != AF_INET6) || (want != AF_UNSPEC && family != want))
		return false;

	memset(r, 0, sizeof(*r));
	r->src.family = family;
	src = rtnl_rule_get_src(rule);
	if (src && nl_addr_get_family(src) == family) {
		if (nl_addr_get_len(src) > sizeof(r->src.u.prefix6))
			return false;
		memcpy(&r->src.u, nl_addr_get_binary_addr(src), nl_addr_get_len(src));
		r->src.prefixlen = nl_addr_get_prefixlen(src);
	}
	r->iifname = rtnl_rule_get_iif(rule);
	r->table = rtnl_rule_get_table(rule);
	r->priority = rtnl_rule_get_prio(rule);
	return true;
}

static int mn_nl_rules_walk(struct mn_nl *nl, int ifindex, void *arg)
{
	const struct mn_nl_rules_walk *walk = arg;
	struct nl_cache *cache = NULL;
	struct nl_object *obj;
	struct mn_nl_rule r;
	int nle;

	nle = rtnl_rule_alloc_cache(nl->sk, walk->family, &cache);
	if (nle < 0)
		return nle;
	for (obj = nl_cache_get_first(cache); obj; obj = nl_cache_get_next(obj))
		if (mn_nl_rule_read((struct rtnl_rule *)obj, walk->family, &r))
			walk->cb(&r, walk->arg);
	nl_cache_free(cache);
	return 0;
}

/* "IPv4 ", "IPv6 ", or "" for both */
static const char *mn_nl_family_str(int family)
{
	if (family == AF_INET)
		return "IPv4 ";
	if (family == AF_INET6)
		return "IPv6 ";
	return "";
}

int mn_nl_rules_dump(const struct mn_nl_ns *ns, int family,
		     void (*cb)(const struct mn_nl_rule *r, void *arg), void *arg, char *err,
		     size_t errlen)
{
	struct mn_nl_rules_walk walk = { .family = family, .cb = cb, .arg = arg };
	char what[MN_NL_WHAT];
	struct mn_nl_req req = {
		.ns = ns,
		.what = what,
		.fn = mn_nl_rules_walk,
		.arg = &walk,
	};

	if (family == AF_INET || family == AF_INET6 || family == AF_UNSPEC) {
		snprintf(what, sizeof(what), "list the %srules in netns %s",
			 mn_nl_family_str(family), mn_nl_nsname(ns));
		if (!cb)
			req.invalid = "no callback";
	} else {
		snprintf(what, sizeof(what), "list the rules of address family %d in netns %s",
			 family, mn_nl_nsname(ns));
		req.invalid = "Invalid argument";
	}
	return mn_nl_request(&req, err, errlen);
}
