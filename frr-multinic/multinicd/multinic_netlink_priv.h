// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * multinicd: what the netlink files share among themselves (not for the
 * rest of the daemon: multinic_netlink.h is the interface).
 *
 * Every call goes through mn_nl_request(): refuse bad arguments without
 * touching the kernel, open a socket in the namespace, look the link up
 * by name, run the object kind's own part, report a failure in one
 * sentence, close.  An object kind writes only its own part: building
 * the libnl object and sending it.
 */
#ifndef _MULTINIC_NETLINK_PRIV_H
#define _MULTINIC_NETLINK_PRIV_H

#include <netlink/netlink.h>
#include <netlink/addr.h>

#include "multinic_netlink.h"

/* One rtnetlink conversation in one namespace. */
struct mn_nl {
	struct nl_sock *sk;
	bool held;	  /* sk is the namespace's held socket: not ours to free */
	const char *nsname;
	int kerr;	  /* errno of the last failure, 0: none */
	const char *why;  /* our own words for it (mn_nl_refuse), NULL: the kernel's */
	char extack[128]; /* the kernel's extended ack message, "" when none */
};

/*
 * A request on one object.  what names it for the error message, in
 * full: "add address 10.0.0.1/32 to eth0 in netns job1" gives
 * "cannot add address 10.0.0.1/32 to eth0 in netns job1: <reason>".
 */
struct mn_nl_req {
	const struct mn_nl_ns *ns; /* where the socket is opened */
	const char *what;
	/* non-NULL: refused with -EINVAL and this reason, nothing sent */
	const char *invalid;
	/* non-NULL: looked up first, its ifindex handed to fn */
	const char *ifname;
	/*
	 * The object kind's part: build, send, read the answer.  Returns
	 * its result (>= 0, passed on to the caller) or a negative libnl
	 * code (the kernel's errno, when it sent one, wins).
	 */
	int (*fn)(struct mn_nl *nl, int ifindex, void *arg);
	void *arg;
};

/* Run a request; its result, or a negative errno with err written. */
int mn_nl_request(const struct mn_nl_req *req, char *err, size_t errlen);

/*
 * For fn: fail with errnum and our own reason (nothing the kernel said),
 * e.g. mn_nl_refuse(nl, EINVAL, "no MAC address").  Returns a libnl code
 * for fn to return.
 */
int mn_nl_refuse(struct mn_nl *nl, int errnum, const char *why);

/* For fn: forget the previous answer's error before another request. */
void mn_nl_reset(struct mn_nl *nl);

/* For fn: the ifindex of ifname in nl's namespace; a libnl code. */
int mn_nl_ifindex(struct mn_nl *nl, const char *ifname, int *ifindex);

/* The ifindex of ifname in ns, from a socket of its own; negative errno. */
int mn_nl_index_in(const struct mn_nl_ns *ns, const char *ifname);

void mn_nl_seterr(char *err, size_t errlen, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* ns's name for messages; "host" for the caller's own. */
const char *mn_nl_nsname(const struct mn_nl_ns *ns);

/* s, or "(null)": for messages about bad arguments. */
static inline const char *mn_nl_str(const char *s)
{
	return s ? s : "(null)";
}

/* A name the kernel takes as it is (libnl would silently cut it). */
bool mn_nl_ifname_ok(const char *ifname);

/* An IPv4 or IPv6 prefix with a length that fits its family. */
bool mn_nl_prefix_ok(const struct prefix *p);

/* p as a libnl address with p's length; NULL: no memory. */
struct nl_addr *mn_nl_addr(const struct prefix *p);

/* p's address alone, as a host address (gateways, sources, neighbours). */
struct nl_addr *mn_nl_host_addr(const struct prefix *p);

#endif /* _MULTINIC_NETLINK_PRIV_H */
