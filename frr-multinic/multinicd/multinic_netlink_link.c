// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * multinicd netlink: links (veth and netkit pairs, state, lookups).
 */
#include <zebra.h>

#include <net/if.h>

#include <linux/if_link.h>
#include <linux/rtnetlink.h>

#include <netlink/netlink.h>
#include <netlink/attr.h>
#include <netlink/cache.h>
#include <netlink/msg.h>
#include <netlink/route/link.h>
#include <netlink/route/link/veth.h>

#include "multinic_netlink_priv.h"
#include "multinic_uapi.h"

/* Room for "create netkit <name> with peer <name> in netns <name>". */
#define MN_NL_WHAT 256

/*
 * Pairs
 */

/* A pair being created, and what the creation found. */
struct mn_nl_pair {
	const char *kind; /* "veth", "netkit" */
	const char *host_ifname, *peer_ifname;
	const struct mn_nl_ns *peer_ns;
	uint32_t mtu;
	/* the kind's RTM_NEWLINK; a libnl code */
	int (*add)(struct mn_nl *nl, const struct mn_nl_pair *pair);
	int host_ifindex, peer_ifindex;
};

/* Delete a link by name, keeping the error that made us undo it. */
static void mn_nl_undo_link(struct mn_nl *nl, const char *ifname)
{
	struct mn_nl saved = *nl;
	struct rtnl_link *link;

	link = rtnl_link_alloc();
	if (link) {
		rtnl_link_set_name(link, ifname);
		(void)rtnl_link_delete(nl->sk, link);
		rtnl_link_put(link);
	}
	nl->kerr = saved.kerr;
	nl->why = saved.why;
	memcpy(nl->extack, saved.extack, sizeof(nl->extack));
}

/*
 * Create the pair, then read both ifindexes, or remove the pair again so
 * that the call does all or nothing.
 */
static int mn_nl_pair_add(struct mn_nl *nl, int ifindex, void *arg)
{
	struct mn_nl_pair *pair = arg;
	int ret;

	ret = pair->add(nl, pair);
	if (ret < 0)
		return ret;

	ret = mn_nl_ifindex(nl, pair->host_ifname, &pair->host_ifindex);
	if (ret == 0) {
		ret = mn_nl_index_in(pair->peer_ns, pair->peer_ifname);
		if (ret < 0)
			ret = mn_nl_refuse(nl, -ret, "the new peer cannot be found");
		else
			pair->peer_ifindex = ret;
	}
	if (ret < 0)
		mn_nl_undo_link(nl, pair->host_ifname); /* deleting one end deletes both */
	return ret < 0 ? ret : 0;
}

/* A pair, made by add: the veth and netkit calls in one. */
static int mn_nl_pair_create(const char *kind,
			     int (*add)(struct mn_nl *nl, const struct mn_nl_pair *pair),
			     const char *host_ifname, const char *peer_ifname,
			     const struct mn_nl_ns *peer_ns, uint32_t mtu, int *host_ifindex,
			     int *peer_ifindex, char *err, size_t errlen)
{
	struct mn_nl_pair pair = {
		.kind = kind,
		.host_ifname = host_ifname,
		.peer_ifname = peer_ifname,
		.peer_ns = peer_ns,
		.mtu = mtu,
		.add = add,
	};
	char what[MN_NL_WHAT];
	struct mn_nl_req req = {
		.ns = &MN_NL_NS_HOST,
		.what = what,
		.fn = mn_nl_pair_add,
		.arg = &pair,
	};
	int ret;

	snprintf(what, sizeof(what), "create %s %s with peer %s in netns %s", kind,
		 mn_nl_str(host_ifname), mn_nl_str(peer_ifname), mn_nl_nsname(peer_ns));
	if (!mn_nl_ifname_ok(host_ifname) || !mn_nl_ifname_ok(peer_ifname))
		req.invalid = "invalid interface name";

	ret = mn_nl_request(&req, err, errlen);
	if (ret < 0)
		return ret;
	if (host_ifindex)
		*host_ifindex = pair.host_ifindex;
	if (peer_ifindex)
		*peer_ifindex = pair.peer_ifindex;
	return 0;
}

static int mn_nl_veth_add(struct mn_nl *nl, const struct mn_nl_pair *pair)
{
	struct rtnl_link *link, *peer;
	int nle;

	link = rtnl_link_veth_alloc();
	if (!link)
		return -NLE_NOMEM;
	peer = rtnl_link_veth_get_peer(link);

	rtnl_link_set_name(link, pair->host_ifname);
	rtnl_link_set_name(peer, pair->peer_ifname);
	/* Born in the task: never visible, even briefly, on the host. */
	if (pair->peer_ns && pair->peer_ns->fd >= 0)
		rtnl_link_set_ns_fd(peer, pair->peer_ns->fd);
	if (pair->mtu) {
		rtnl_link_set_mtu(link, pair->mtu);
		rtnl_link_set_mtu(peer, pair->mtu);
	}
	rtnl_link_put(peer);

	nle = rtnl_link_add(nl->sk, link, NLM_F_CREATE | NLM_F_EXCL);
	rtnl_link_put(link);
	return nle;
}

int mn_nl_veth_create(const char *host_ifname, const char *peer_ifname,
		      const struct mn_nl_ns *peer_ns, uint32_t mtu, int *host_ifindex,
		      int *peer_ifindex, char *err, size_t errlen)
{
	return mn_nl_pair_create("veth", mn_nl_veth_add, host_ifname, peer_ifname, peer_ns, mtu,
				 host_ifindex, peer_ifindex, err, errlen);
}

/*
 * netkit
 */

/*
 * IFLA_NETKIT_PEER_INFO: like VETH_INFO_PEER, a struct ifinfomsg followed
 * by the peer's own link attributes.
 */
static int mn_nl_netkit_put_peer(struct nl_msg *msg, const struct mn_nl_pair *pair)
{
	struct ifinfomsg ifi = { .ifi_family = AF_UNSPEC };
	struct nlattr *peer;

	peer = nla_nest_start(msg, IFLA_NETKIT_PEER_INFO);
	if (!peer)
		return -NLE_MSGSIZE;
	if (nlmsg_append(msg, &ifi, sizeof(ifi), NLMSG_ALIGNTO) < 0)
		return -NLE_MSGSIZE;
	if (nla_put_string(msg, IFLA_IFNAME, pair->peer_ifname) < 0)
		return -NLE_MSGSIZE;
	if (pair->peer_ns && pair->peer_ns->fd >= 0 &&
	    nla_put_u32(msg, IFLA_NET_NS_FD, (uint32_t)pair->peer_ns->fd) < 0)
		return -NLE_MSGSIZE;
	if (pair->mtu && nla_put_u32(msg, IFLA_MTU, pair->mtu) < 0)
		return -NLE_MSGSIZE;
	nla_nest_end(msg, peer);
	return 0;
}

/*
 * RTM_NEWLINK for a netkit pair, built by hand: libnl 3.7 has no netkit
 * link ops.  The only place it is built: the capability probe creates its
 * throw-away pair through mn_nl_netkit_create() too.  Scrub is not sent
 * so that it stays at the kernel's default and kernels older than 6.13,
 * which do not know it, accept the request.
 */
static struct nl_msg *mn_nl_netkit_msg(const struct mn_nl_pair *pair)
{
	struct ifinfomsg ifi = { .ifi_family = AF_UNSPEC };
	struct nlattr *linkinfo, *data;
	struct nl_msg *msg;

	msg = nlmsg_alloc_simple(RTM_NEWLINK, NLM_F_CREATE | NLM_F_EXCL);
	if (!msg)
		return NULL;
	if (nlmsg_append(msg, &ifi, sizeof(ifi), NLMSG_ALIGNTO) < 0 ||
	    nla_put_string(msg, IFLA_IFNAME, pair->host_ifname) < 0 ||
	    (pair->mtu && nla_put_u32(msg, IFLA_MTU, pair->mtu) < 0))
		goto toobig;

	linkinfo = nla_nest_start(msg, IFLA_LINKINFO);
	if (!linkinfo || nla_put_string(msg, IFLA_INFO_KIND, "netkit") < 0)
		goto toobig;
	data = nla_nest_start(msg, IFLA_INFO_DATA);
	if (!data)
		goto toobig;
	/* L3: no ARP, no MAC; the task routes via its peer device. */
	if (nla_put_u32(msg, IFLA_NETKIT_MODE, NETKIT_L3) < 0 ||
	    nla_put_u32(msg, IFLA_NETKIT_POLICY, NETKIT_PASS) < 0 ||
	    /* No egress from the task until our program is attached. */
	    nla_put_u32(msg, IFLA_NETKIT_PEER_POLICY, NETKIT_DROP) < 0)
		goto toobig;
	if (mn_nl_netkit_put_peer(msg, pair) < 0)
		goto toobig;
	nla_nest_end(msg, data);
	nla_nest_end(msg, linkinfo);
	return msg;

toobig:
	nlmsg_free(msg);
	return NULL;
}

static int mn_nl_netkit_add(struct mn_nl *nl, const struct mn_nl_pair *pair)
{
	struct nl_msg *msg = mn_nl_netkit_msg(pair);

	if (!msg)
		return -NLE_NOMEM;
	/* The kernel's words for a missing kind: "Unknown device type" */
	return nl_send_sync(nl->sk, msg); /* frees msg */
}

int mn_nl_netkit_create(const char *host_ifname, const char *peer_ifname,
			const struct mn_nl_ns *peer_ns, uint32_t mtu, int *host_ifindex,
			int *peer_ifindex, char *err, size_t errlen)
{
	return mn_nl_pair_create("netkit", mn_nl_netkit_add, host_ifname, peer_ifname, peer_ns, mtu,
				 host_ifindex, peer_ifindex, err, errlen);
}

/*
 * Changelink on the primary (the only end the kernel lets change it): a
 * RTM_NEWLINK naming the device by index, with just the peer's policy in
 * IFLA_INFO_DATA; mode and scrub are fixed at creation.
 */
static int mn_nl_netkit_policy_send(struct mn_nl *nl, int ifindex, void *arg)
{
	struct ifinfomsg ifi = { .ifi_family = AF_UNSPEC, .ifi_index = ifindex };
	const uint32_t *policy = arg;
	struct nlattr *linkinfo, *data;
	struct nl_msg *msg;

	msg = nlmsg_alloc_simple(RTM_NEWLINK, 0);
	if (!msg)
		return -NLE_NOMEM;
	if (nlmsg_append(msg, &ifi, sizeof(ifi), NLMSG_ALIGNTO) < 0)
		goto toobig;
	linkinfo = nla_nest_start(msg, IFLA_LINKINFO);
	if (!linkinfo || nla_put_string(msg, IFLA_INFO_KIND, "netkit") < 0)
		goto toobig;
	data = nla_nest_start(msg, IFLA_INFO_DATA);
	if (!data || nla_put_u32(msg, IFLA_NETKIT_PEER_POLICY, *policy) < 0)
		goto toobig;
	nla_nest_end(msg, data);
	nla_nest_end(msg, linkinfo);
	return nl_send_sync(nl->sk, msg); /* frees msg */

toobig:
	nlmsg_free(msg);
	return -NLE_MSGSIZE;
}

int mn_nl_netkit_set_peer_policy(const char *host_ifname, bool forward, char *err, size_t errlen)
{
	uint32_t policy = forward ? NETKIT_PASS : NETKIT_DROP;
	char what[MN_NL_WHAT];
	struct mn_nl_req req = {
		.ns = &MN_NL_NS_HOST,
		.what = what,
		.ifname = host_ifname,
		.fn = mn_nl_netkit_policy_send,
		.arg = &policy,
	};

	snprintf(what, sizeof(what), "set the peer policy of netkit %s to %s",
		 mn_nl_str(host_ifname), forward ? "forward" : "blackhole");
	if (!mn_nl_ifname_ok(host_ifname))
		req.invalid = "invalid interface name";
	return mn_nl_request(&req, err, errlen);
}

/*
 * One link
 */

/* Read a link (one RTM_GETLINK by name) and hand it to a reader. */
struct mn_nl_link_read {
	const char *ifname;
	int (*read)(struct mn_nl *nl, struct rtnl_link *link, void *arg);
	void *arg;
};

static int mn_nl_link_get(struct mn_nl *nl, int ifindex, void *arg)
{
	const struct mn_nl_link_read *rd = arg;
	struct rtnl_link *link = NULL;
	int ret;

	ret = rtnl_link_get_kernel(nl->sk, 0, rd->ifname, &link);
	if (ret < 0)
		return ret;
	ret = rd->read(nl, link, rd->arg);
	rtnl_link_put(link);
	return ret;
}

static int mn_nl_link_read(const struct mn_nl_ns *ns, const char *ifname, const char *what,
			   int (*read)(struct mn_nl *nl, struct rtnl_link *link, void *arg),
			   void *arg, char *err, size_t errlen)
{
	struct mn_nl_link_read rd = { .ifname = ifname, .read = read, .arg = arg };
	struct mn_nl_req req = {
		.ns = ns,
		.what = what,
		.invalid = mn_nl_ifname_ok(ifname) ? NULL : "invalid interface name",
		.fn = mn_nl_link_get,
		.arg = &rd,
	};

	return mn_nl_request(&req, err, errlen);
}

struct mn_nl_buf {
	char *buf;
	size_t len;
};

static int mn_nl_kind_read(struct mn_nl *nl, struct rtnl_link *link, void *arg)
{
	/* IFLA_INFO_KIND, kept by libnl even for kinds it has no ops for */
	const char *type = rtnl_link_get_type(link);
	const struct mn_nl_buf *kind = arg;

	snprintf(kind->buf, kind->len, "%s", type ? type : "");
	return 0;
}

int mn_nl_link_kind(const struct mn_nl_ns *ns, const char *ifname, char *kind, size_t len)
{
	struct mn_nl_buf out = { .buf = kind, .len = len };

	return mn_nl_link_read(ns, ifname, "read a link's kind", mn_nl_kind_read, &out, NULL, 0);
}

static int mn_nl_mac_read(struct mn_nl *nl, struct rtnl_link *link, void *arg)
{
	struct nl_addr *lladdr = rtnl_link_get_addr(link);

	/*
	 * L3 devices have none (tun), or not 6 bytes (ip tunnels), or an
	 * all-zero one: netkit sets itself up as Ethernet but gives itself
	 * an address only in L2 mode, and lo is all zeros too.
	 */
	if (!lladdr || nl_addr_get_len(lladdr) != 6 || nl_addr_iszero(lladdr))
		return mn_nl_refuse(nl, EINVAL, "the link has none");
	memcpy(arg, nl_addr_get_binary_addr(lladdr), 6);
	return 0;
}

int mn_nl_link_mac(const struct mn_nl_ns *ns, const char *ifname, uint8_t mac[6], char *err,
		   size_t errlen)
{
	char what[MN_NL_WHAT];

	snprintf(what, sizeof(what), "read the MAC address of %s in netns %s", mn_nl_str(ifname),
		 mn_nl_nsname(ns));
	return mn_nl_link_read(ns, ifname, what, mn_nl_mac_read, mac, err, errlen);
}

static int mn_nl_attrs_read(struct mn_nl *nl, struct rtnl_link *link, void *arg)
{
	struct mn_nl_link_attrs *a = arg;
	const char *kind = rtnl_link_get_type(link);
	const char *alias = rtnl_link_get_ifalias(link);

	a->ifindex = rtnl_link_get_ifindex(link);
	a->iflink = rtnl_link_get_link(link);
	snprintf(a->kind, sizeof(a->kind), "%s", kind ? kind : "");
	snprintf(a->alias, sizeof(a->alias), "%s", alias ? alias : "");
	return 0;
}

int mn_nl_link_attrs(const struct mn_nl_ns *ns, const char *ifname, struct mn_nl_link_attrs *a,
		     char *err, size_t errlen)
{
	char what[MN_NL_WHAT];

	memset(a, 0, sizeof(*a));
	snprintf(what, sizeof(what), "read link %s in netns %s", mn_nl_str(ifname),
		 mn_nl_nsname(ns));
	return mn_nl_link_read(ns, ifname, what, mn_nl_attrs_read, a, err, errlen);
}

int mn_nl_link_index(const struct mn_nl_ns *ns, const char *ifname)
{
	if (!mn_nl_ifname_ok(ifname))
		return -ENODEV;
	return mn_nl_index_in(ns, ifname);
}

static int mn_nl_link_del_send(struct mn_nl *nl, int ifindex, void *arg)
{
	struct rtnl_link *link;
	int nle;

	link = rtnl_link_alloc();
	if (!link)
		return -NLE_NOMEM;
	/* By name (IFLA_IFNAME): one request, and the kernel says ENODEV. */
	rtnl_link_set_name(link, arg);
	nle = rtnl_link_delete(nl->sk, link);
	rtnl_link_put(link);
	return nle;
}

int mn_nl_link_delete(const struct mn_nl_ns *ns, const char *ifname, char *err, size_t errlen)
{
	char what[MN_NL_WHAT];
	struct mn_nl_req req = {
		.ns = ns,
		.what = what,
		.invalid = mn_nl_ifname_ok(ifname) ? NULL : "invalid interface name",
		.fn = mn_nl_link_del_send,
		.arg = (void *)ifname,
	};

	snprintf(what, sizeof(what), "delete link %s in netns %s", mn_nl_str(ifname),
		 mn_nl_nsname(ns));
	return mn_nl_request(&req, err, errlen);
}

/*
 * One RTM_NEWLINK for the link named IFNAME, with what FILL sets on the
 * change.  Addressed by name (orig has no ifindex): the kernel applies
 * the whole change, or answers ENODEV.
 */
static int link_change_by_name(struct mn_nl *nl, const char *ifname,
			       void (*fill)(struct rtnl_link *change, const void *arg), const void *arg)
{
	struct rtnl_link *orig, *change;
	int nle = -NLE_NOMEM;

	orig = rtnl_link_alloc();
	change = rtnl_link_alloc();
	if (orig && change) {
		rtnl_link_set_name(orig, ifname);
		rtnl_link_set_name(change, ifname);
		fill(change, arg);
		nle = rtnl_link_change(nl->sk, orig, change, 0);
	}
	if (orig)
		rtnl_link_put(orig);
	if (change)
		rtnl_link_put(change);
	return nle;
}

/*
 * Deleting a link waits for an RCU grace period (~20-30 ms here) before
 * the next one can go: deleting a thousand links one by one takes half a
 * minute.  Links set down and into one group instead go together, in a
 * single RTM_DELLINK by IFLA_GROUP: one wait for all of them.
 */
static void link_retire_fill(struct rtnl_link *change, const void *arg)
{
	rtnl_link_unset_flags(change, IFF_UP);
	rtnl_link_set_group(change, *(const uint32_t *)arg);
}

struct mn_nl_link_group {
	const char *ifname;
	uint32_t group;
};

static int mn_nl_link_retire_send(struct mn_nl *nl, int ifindex, void *arg)
{
	const struct mn_nl_link_group *lg = arg;

	return link_change_by_name(nl, lg->ifname, link_retire_fill, &lg->group);
}

int mn_nl_link_retire(const struct mn_nl_ns *ns, const char *ifname, uint32_t group, char *err,
		      size_t errlen)
{
	struct mn_nl_link_group lg = { .ifname = ifname, .group = group };
	char what[MN_NL_WHAT];
	struct mn_nl_req req = {
		.ns = ns,
		.what = what,
		.invalid = mn_nl_ifname_ok(ifname) ? NULL : "invalid interface name",
		.fn = mn_nl_link_retire_send,
		.arg = &lg,
	};

	snprintf(what, sizeof(what), "set link %s down into group %u in netns %s",
		 mn_nl_str(ifname), group, mn_nl_nsname(ns));
	return mn_nl_request(&req, err, errlen);
}

static int mn_nl_group_del_send(struct mn_nl *nl, int ifindex, void *arg)
{
	struct ifinfomsg ifi = { .ifi_family = AF_UNSPEC };
	struct nl_msg *msg;

	msg = nlmsg_alloc_simple(RTM_DELLINK, 0);
	if (!msg)
		return -NLE_NOMEM;
	if (nlmsg_append(msg, &ifi, sizeof(ifi), NLMSG_ALIGNTO) < 0 ||
	    nla_put_u32(msg, IFLA_GROUP, *(const uint32_t *)arg) < 0) {
		nlmsg_free(msg);
		return -NLE_MSGSIZE;
	}
	return nl_send_sync(nl->sk, msg); /* frees msg */
}

int mn_nl_link_group_delete(const struct mn_nl_ns *ns, uint32_t group, char *err, size_t errlen)
{
	char what[MN_NL_WHAT];
	struct mn_nl_req req = {
		.ns = ns,
		.what = what,
		.fn = mn_nl_group_del_send,
		.arg = &group,
	};

	snprintf(what, sizeof(what), "delete the links of group %u in netns %s", group,
		 mn_nl_nsname(ns));
	return mn_nl_request(&req, err, errlen);
}

struct mn_nl_link_state {
	const char *ifname;
	uint32_t mtu;
};

static void link_up_fill(struct rtnl_link *change, const void *arg)
{
	const struct mn_nl_link_state *st = arg;

	rtnl_link_set_flags(change, IFF_UP);
	if (st->mtu)
		rtnl_link_set_mtu(change, st->mtu);
}

static int mn_nl_link_up_send(struct mn_nl *nl, int ifindex, void *arg)
{
	const struct mn_nl_link_state *st = arg;

	return link_change_by_name(nl, st->ifname, link_up_fill, st);
}

int mn_nl_link_up(const struct mn_nl_ns *ns, const char *ifname, uint32_t mtu, char *err,
		  size_t errlen)
{
	struct mn_nl_link_state st = { .ifname = ifname, .mtu = mtu };
	char what[MN_NL_WHAT], with[32] = "";
	struct mn_nl_req req = {
		.ns = ns,
		.what = what,
		.invalid = mn_nl_ifname_ok(ifname) ? NULL : "invalid interface name",
		.fn = mn_nl_link_up_send,
		.arg = &st,
	};

	if (mtu)
		snprintf(with, sizeof(with), " with MTU %u", mtu);
	snprintf(what, sizeof(what), "set link %s up%s in netns %s", mn_nl_str(ifname), with,
		 mn_nl_nsname(ns));
	return mn_nl_request(&req, err, errlen);
}

struct mn_nl_link_alias {
	const char *ifname;
	const char *alias;
};

static void link_alias_fill(struct rtnl_link *change, const void *arg)
{
	const struct mn_nl_link_alias *la = arg;

	rtnl_link_set_ifalias(change, la->alias);
}

static int mn_nl_link_alias_send(struct mn_nl *nl, int ifindex, void *arg)
{
	const struct mn_nl_link_alias *la = arg;

	return link_change_by_name(nl, la->ifname, link_alias_fill, la);
}

int mn_nl_link_set_alias(const struct mn_nl_ns *ns, const char *ifname, const char *alias,
			 char *err, size_t errlen)
{
	struct mn_nl_link_alias la = { .ifname = ifname, .alias = alias };
	char what[MN_NL_WHAT];
	struct mn_nl_req req = {
		.ns = ns,
		.what = what,
		.invalid = !mn_nl_ifname_ok(ifname) ? "invalid interface name"
			   : !alias || strlen(alias) >= 128 ? "invalid alias (1 to 127 characters)"
							    : NULL,
		.fn = mn_nl_link_alias_send,
		.arg = &la,
	};

	snprintf(what, sizeof(what), "set the alias of link %s in netns %s", mn_nl_str(ifname),
		 mn_nl_nsname(ns));
	return mn_nl_request(&req, err, errlen);
}

/*
 * All links
 */

struct mn_nl_links_walk {
	void (*cb)(const struct mn_nl_link_info *link, void *arg);
	void *arg;
};

static int mn_nl_links_walk(struct mn_nl *nl, int ifindex, void *arg)
{
	const struct mn_nl_links_walk *walk = arg;
	struct nl_cache *cache = NULL;
	struct nl_object *obj;
	int nle;

	nle = rtnl_link_alloc_cache(nl->sk, AF_UNSPEC, &cache);
	if (nle < 0)
		return nle;
	for (obj = nl_cache_get_first(cache); obj; obj = nl_cache_get_next(obj)) {
		struct rtnl_link *link = (struct rtnl_link *)obj;
		const char *kind = rtnl_link_get_type(link);
		const char *alias = rtnl_link_get_ifalias(link);
		const struct mn_nl_link_info info = {
			.ifname = rtnl_link_get_name(link),
			.ifindex = rtnl_link_get_ifindex(link),
			.kind = kind ? kind : "",
			.alias = alias ? alias : "",
		};

		walk->cb(&info, walk->arg);
	}
	nl_cache_free(cache);
	return 0;
}

int mn_nl_links_dump(const struct mn_nl_ns *ns,
		     void (*cb)(const struct mn_nl_link_info *link, void *arg), void *arg,
		     char *err, size_t errlen)
{
	struct mn_nl_links_walk walk = { .cb = cb, .arg = arg };
	char what[MN_NL_WHAT];
	struct mn_nl_req req = {
		.ns = ns,
		.what = what,
		.invalid = cb ? NULL : "no callback",
		.fn = mn_nl_links_walk,
		.arg = &walk,
	};

	snprintf(what, sizeof(what), "list the links in netns %s", mn_nl_nsname(ns));
	return mn_nl_request(&req, err, errlen);
}
