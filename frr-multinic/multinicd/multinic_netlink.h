// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * multinicd: the netlink mechanism that wires a task (container netns) and
 * keeps the host's source rules.
 *
 * libnl-3 underneath; addresses are FRR's struct prefix.  The code lives
 * in four files by role: multinic_netlink.c (sockets, namespaces, errors,
 * the one request path), multinic_netlink_link.c (links),
 * multinic_netlink_ip.c (addresses, routes, neighbours) and
 * multinic_netlink_rule.c (rules).  Tested on its own against the real
 * kernel (tests/netlink, as root, in throw-away namespaces).
 *
 * Every function either does all it says or nothing, returns 0 (or the
 * documented value) or a negative errno, and on failure writes one
 * sentence into err (may be NULL) naming the object and the kernel's
 * reason, e.g.
 *   "cannot add address 10.0.0.1/32 to mn0 in netns job1: File exists".
 *
 * Objects multinicd creates carry its marks so that they can be found
 * again after a restart and never confused with anyone else's:
 * routes and rules use protocol MN_NL_PROTO (199, "multinic" in
 * /etc/iproute2/rt_protos.d/frr.conf).
 */
#ifndef _MULTINIC_NETLINK_H
#define _MULTINIC_NETLINK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lib/prefix.h"

#ifdef __cplusplus
extern "C" {
#endif

#define MN_NL_PROTO 199

/*
 * A namespace to act in: fd < 0 means the caller's own (the host's).
 * name is only used in error messages ("host" when NULL).  held is
 * mn_nl_ns_hold()'s socket, NULL otherwise.
 */
struct nl_sock;

struct mn_nl_ns {
	int fd;
	const char *name;
	struct nl_sock *held;
};

/* The caller's namespace. */
#define MN_NL_NS_HOST ((struct mn_nl_ns){ .fd = -1, .name = "host" })

/*
 * Open a network namespace by path (/run/netns/NAME or /proc/PID/ns/net).
 * Returns an fd (O_RDONLY|O_CLOEXEC) or a negative errno; err says e.g.
 * "network namespace /run/netns/job9 does not exist".
 */
int mn_nl_netns_open(const char *path, char *err, size_t errlen);

/*
 * One socket in ns for a series of requests (a task's wiring), instead of
 * one per request: each request on its own socket costs a dozen system
 * calls before it sends anything (socket, bind, options, entering the
 * namespace and back, close), a third of what wiring a task costs.
 * Until mn_nl_ns_release(), every request in ns goes over that socket.
 * Hold it with the privileges the requests need (the kernel checks the
 * opener's as well as the sender's), and release it before ns->fd is
 * closed: a socket keeps its namespace alive.  A failure to hold is not
 * an error: the requests then open their own sockets, as without.
 */
void mn_nl_ns_hold(struct mn_nl_ns *ns);
void mn_nl_ns_release(struct mn_nl_ns *ns);

/*
 * Links
 */

/*
 * Create a veth pair: host_ifname stays in the caller's namespace,
 * peer_ifname is created directly inside peer_ns (IFLA_NET_NS_FD on the
 * peer), with the given MTU on both ends (0: kernel default).  Neither end
 * is set up.  On success *host_ifindex and *peer_ifindex (in peer_ns) are
 * set (both optional).  -EEXIST when a name is taken.
 */
int mn_nl_veth_create(const char *host_ifname, const char *peer_ifname,
		      const struct mn_nl_ns *peer_ns, uint32_t mtu, int *host_ifindex,
		      int *peer_ifindex, char *err, size_t errlen);

/*
 * Create a netkit pair in L3 mode (raw RTM_NEWLINK: libnl has no netkit
 * ops): primary host_ifname in the caller's namespace with policy
 * "forward"; peer peer_ifname inside peer_ns with policy "blackhole" (no
 * egress until a BPF program is attached to the peer hook).  Scrub is left
 * at the kernel default.  -EOPNOTSUPP when the kernel lacks netkit (the
 * capability probe, multinic_caps.c, relies on that).
 */
int mn_nl_netkit_create(const char *host_ifname, const char *peer_ifname,
			const struct mn_nl_ns *peer_ns, uint32_t mtu, int *host_ifindex,
			int *peer_ifindex, char *err, size_t errlen);

/*
 * Set the policy of a netkit pair's peer (what the kernel does with the
 * task's packets while no program is attached to the peer hook): forward
 * (NETKIT_PASS) or blackhole (NETKIT_DROP).  host_ifname is the primary,
 * in the caller's namespace.
 */
int mn_nl_netkit_set_peer_policy(const char *host_ifname, bool forward, char *err, size_t errlen);

/* A link's kind (IFLA_INFO_KIND: "veth", "netkit"; "" for none). */
int mn_nl_link_kind(const struct mn_nl_ns *ns, const char *ifname, char *kind, size_t len);

/*
 * Delete a link by name in ns (deleting one end of a pair deletes both).
 * -ENODEV when it does not exist.
 */
int mn_nl_link_delete(const struct mn_nl_ns *ns, const char *ifname, char *err, size_t errlen);

/*
 * Set a link down and into a group, for mn_nl_link_group_delete() to
 * delete with all others of the group at once (one RCU grace period for
 * all, where one deletion each waits one each).
 */
int mn_nl_link_retire(const struct mn_nl_ns *ns, const char *ifname, uint32_t group, char *err,
		      size_t errlen);
/* Delete every link of a group in ns (with its pair's other end). */
int mn_nl_link_group_delete(const struct mn_nl_ns *ns, uint32_t group, char *err, size_t errlen);

/* Look a link up by name: its ifindex (> 0) or -ENODEV. */
int mn_nl_link_index(const struct mn_nl_ns *ns, const char *ifname);

/* Read a link's MAC address (6 bytes); -EINVAL for links without one. */
int mn_nl_link_mac(const struct mn_nl_ns *ns, const char *ifname, uint8_t mac[6], char *err,
		   size_t errlen);

/* Set a link administratively up (and its MTU when mtu != 0). */
int mn_nl_link_up(const struct mn_nl_ns *ns, const char *ifname, uint32_t mtu, char *err,
		  size_t errlen);

/*
 * Set a link's alias (IFLA_IFALIAS, "ip link set X alias A"): multinicd
 * marks the devices it creates with it, so that it finds them again after
 * a restart whatever their names.
 */
int mn_nl_link_set_alias(const struct mn_nl_ns *ns, const char *ifname, const char *alias,
			 char *err, size_t errlen);

/* What multinicd reads of one link (mn_nl_link_attrs()). */
struct mn_nl_link_attrs {
	int ifindex;
	int iflink;	/* IFLA_LINK: a veth's or netkit's peer, in the peer's netns */
	char kind[16];	/* "" for none */
	char alias[128]; /* "" for none */
};

/* Read a link's ifindex, peer link, kind and alias; -ENODEV when absent. */
int mn_nl_link_attrs(const struct mn_nl_ns *ns, const char *ifname, struct mn_nl_link_attrs *a,
		     char *err, size_t errlen);

/* A link as mn_nl_links_dump() sees it. */
struct mn_nl_link_info {
	const char *ifname;
	int ifindex;
	const char *kind;  /* IFLA_INFO_KIND; "" for none */
	const char *alias; /* IFLA_IFALIAS; "" for none */
};

/*
 * Call cb once for every link in ns, e.g. to find the devices an earlier
 * multinicd left.  The strings are valid during the call only; cb may
 * call the functions of this file (the list is read completely first).
 */
int mn_nl_links_dump(const struct mn_nl_ns *ns,
		     void (*cb)(const struct mn_nl_link_info *link, void *arg), void *arg,
		     char *err, size_t errlen);

/*
 * Addresses, routes and neighbours
 */

/*
 * Add an address (addr/prefixlen) to a link.  IPv6 addresses are added
 * with IFA_F_NODAD (a task VIP must be usable at once) and
 * IFA_F_NOPREFIXROUTE.  -EEXIST when present.
 */
int mn_nl_addr_add(const struct mn_nl_ns *ns, const char *ifname, const struct prefix *addr,
		   char *err, size_t errlen);

/*
 * A route as multinicd makes them (protocol MN_NL_PROTO, scope universe,
 * or link when gw is NULL): dst via gw (onlink) dev ifname [src src],
 * in table (0: main).  Only the addresses of gw and src count (not their
 * lengths); both are of dst's family.
 */
struct mn_nl_route {
	struct prefix dst;
	const struct prefix *gw;  /* NULL: directly on the link */
	const struct prefix *src; /* NULL: no preferred source */
	const char *ifname;
	uint32_t table;
};

/* Replaces an existing identical route (NLM_F_REPLACE). */
int mn_nl_route_add(const struct mn_nl_ns *ns, const struct mn_nl_route *r, char *err,
		    size_t errlen);

/*
 * Add a permanent neighbour entry (ip neigh replace ... nud permanent):
 * an entry with another MAC is replaced.  Only ip's address counts.
 */
int mn_nl_neigh_add(const struct mn_nl_ns *ns, const char *ifname, const struct prefix *ip,
		    const uint8_t mac[6], char *err, size_t errlen);

/*
 * The state (NUD_* bits) of the neighbour entry for ip on ifindex, read
 * once (a query, not a listener: zebra reports the changes).  -ENOENT
 * when there is no entry.
 */
int mn_nl_neigh_state(const struct mn_nl_ns *ns, int ifindex, const struct prefix *ip, char *err,
		      size_t errlen);

/*
 * Rules
 */

/*
 * A policy rule: "from src [iif iifname] lookup table" with the given
 * priority, protocol MN_NL_PROTO.  A src of length 0 is "from all".
 */
struct mn_nl_rule {
	struct prefix src;
	const char *iifname; /* NULL: any */
	uint32_t table;	     /* 0: main (254) */
	uint32_t priority;
};

/* -EEXIST when an identical rule exists. */
int mn_nl_rule_add(const struct mn_nl_ns *ns, const struct mn_nl_rule *r, char *err, size_t errlen);
/* -ENOENT when absent. */
int mn_nl_rule_del(const struct mn_nl_ns *ns, const struct mn_nl_rule *r, char *err, size_t errlen);

/*
 * Call cb once for every rule of protocol MN_NL_PROTO in ns, of family
 * AF_INET, AF_INET6 or both (AF_UNSPEC), e.g. to find the rules an
 * earlier multinicd left; each can be given back to mn_nl_rule_del().
 * The rule, and the iifname it points to, are valid during the call only;
 * table is the kernel's (254 for main).  cb may call the functions of
 * this file (the list is read completely first).
 */
int mn_nl_rules_dump(const struct mn_nl_ns *ns, int family,
		     void (*cb)(const struct mn_nl_rule *r, void *arg), void *arg, char *err,
		     size_t errlen);

#ifdef __cplusplus
}
#endif

#endif /* _MULTINIC_NETLINK_H */
