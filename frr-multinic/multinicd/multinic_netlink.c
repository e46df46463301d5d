// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * multinicd: the netlink mechanism that wires a task (container netns).
 *
 * See multinic_netlink.h for the contract.  Each call opens its own
 * rtnetlink socket in the namespace it acts in (mn_nl_open), sends one or
 * two requests and closes it again: simplicity over speed, and nothing
 * is shared between calls or threads.
 *
 * The kernel's own errno is taken from its NLMSG_ERROR reply (libnl folds
 * several errnos into one NLE_* code, e.g. ESRCH and ENOENT both become
 * NLE_OBJ_NOTFOUND), together with its extended ack message when it sends
 * one, so that callers and operators see exactly what the kernel said.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE /* setns() */
#endif

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <net/if.h>
#include <sys/ioctl.h>
#include <sys/socket.h>

#include <linux/fib_rules.h>
#include <linux/if_addr.h>
#include <linux/neighbour.h>
#include <linux/netlink.h>
#include <linux/nsfs.h>
#include <linux/rtnetlink.h>

#include <netlink/netlink.h>
#include <netlink/errno.h>
#include <netlink/msg.h>
#include <netlink/attr.h>
#include <netlink/socket.h>
#include <netlink/route/link.h>
#include <netlink/route/link/veth.h>
#include <netlink/route/addr.h>
#include <netlink/route/route.h>
#include <netlink/route/nexthop.h>
#include <netlink/route/neighbour.h>
#include <netlink/route/rule.h>

#include "multinic_netlink.h"
#include "multinic_uapi.h"

#ifndef SOL_NETLINK
#define SOL_NETLINK 270
#endif

/* Room for an address with its length: "ffff:...:255.255.255.255/128". */
#define MN_NL_PREFIX_STRLEN (INET6_ADDRSTRLEN + 4)

/* One rtnetlink conversation in one namespace. */
struct mn_nl {
	struct nl_sock *sk;
	const char *nsname;
	int kerr;	  /* errno of the kernel's last NLMSG_ERROR, 0: none */
	char extack[128]; /* its extended ack message, "" when none */
};

/*
 * Error reporting
 */

static void mn_nl_seterr(char *err, size_t errlen, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void mn_nl_seterr(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	if (!err || !errlen)
		return;
	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
}

/*
 * libnl's own failures (no memory, a malformed answer...) and the errors
 * it reports without the kernel's errno (rtnl_link_get_kernel installs its
 * own error handler) as errnos.
 */
static int mn_nl_nle2errno(int nle)
{
	switch (nle < 0 ? -nle : nle) {
	case NLE_SUCCESS:
		return 0;
	case NLE_INTR:
		return -EINTR;
	case NLE_BAD_SOCK:
		return -EBADF;
	case NLE_AGAIN:
		return -EAGAIN;
	case NLE_NOMEM:
		return -ENOMEM;
	case NLE_EXIST:
		return -EEXIST;
	case NLE_INVAL:
	case NLE_NOATTR:
	case NLE_MISSING_ATTR:
	case NLE_AF_MISMATCH:
	case NLE_OBJ_MISMATCH:
	case NLE_NOCACHE:
	case NLE_PARSE_ERR:
	case NLE_ATTRSIZE:
		return -EINVAL;
	case NLE_RANGE:
		return -ERANGE;
	case NLE_MSGSIZE:
	case NLE_MSG_OVERFLOW:
	case NLE_MSG_TRUNC:
		return -EMSGSIZE;
	case NLE_OPNOTSUPP:
	case NLE_SRCRT_NOSUPPORT:
	case NLE_MSGTYPE_NOSUPPORT:
		return -EOPNOTSUPP;
	case NLE_AF_NOSUPPORT:
		return -EAFNOSUPPORT;
	case NLE_OBJ_NOTFOUND:
	case NLE_PKTLOC_FILE:
		return -ENOENT;
	case NLE_NOADDR:
		return -EADDRNOTAVAIL;
	case NLE_BUSY:
		return -EBUSY;
	case NLE_PROTO_MISMATCH:
		return -EPROTONOSUPPORT;
	case NLE_NOACCESS:
		return -EACCES;
	case NLE_PERM:
	case NLE_IMMUTABLE:
		return -EPERM;
	case NLE_NODEV:
		return -ENODEV;
	case NLE_DUMP_INTR:
		return -EAGAIN;
	case NLE_SEQ_MISMATCH:
	case NLE_MSG_TOOSHORT:
		return -EPROTO;
	default:
		return -EIO;
	}
}

/*
 * Report a failed request: the errno (the kernel's when it answered with
 * one, else libnl's code mapped), and err = "<what>: <reason>".  what is
 * formatted by the caller and names the object and the namespace.
 */
static int mn_nl_fail(struct mn_nl *nl, int nle, char *err, size_t errlen, const char *fmt, ...)
	__attribute__((format(printf, 5, 6)));

static int mn_nl_fail(struct mn_nl *nl, int nle, char *err, size_t errlen, const char *fmt, ...)
{
	char what[384];
	const char *reason;
	va_list ap;
	int ret;

	if (nl && nl->kerr) {
		ret = -nl->kerr;
		reason = strerror(nl->kerr);
	} else {
		ret = mn_nl_nle2errno(nle);
		/* An unmapped libnl failure keeps libnl's own words. */
		reason = ret == -EIO ? nl_geterror(nle) : strerror(-ret);
	}

	va_start(ap, fmt);
	vsnprintf(what, sizeof(what), fmt, ap);
	va_end(ap);

	if (nl && nl->kerr && nl->extack[0])
		mn_nl_seterr(err, errlen, "%s: %s (%s)", what, reason, nl->extack);
	else
		mn_nl_seterr(err, errlen, "%s: %s", what, reason);
	return ret;
}

/* Start a new request: forget the previous answer's error. */
static void mn_nl_reset(struct mn_nl *nl)
{
	nl->kerr = 0;
	nl->extack[0] = '\0';
}

/*
 * The extended ack message (NLMSGERR_ATTR_MSG) that follows an error,
 * after the echoed request (or only its header when NLM_F_CAPPED).
 */
static void mn_nl_read_extack(struct mn_nl *nl, const struct nlmsgerr *e)
{
	const struct nlmsghdr *hdr;
	const struct nlattr *attrs, *msg;
	size_t off;
	int len;

	/* libnl hands over nlmsg_data(hdr); the header sits right before. */
	hdr = (const struct nlmsghdr *)((const char *)e - NLMSG_HDRLEN);
	if (!(hdr->nlmsg_flags & NLM_F_ACK_TLVS))
		return;

	off = sizeof(*e);
	if (!(hdr->nlmsg_flags & NLM_F_CAPPED))
		off += e->msg.nlmsg_len - NLMSG_HDRLEN;
	off = NLMSG_ALIGN(off);
	len = (int)(hdr->nlmsg_len - NLMSG_HDRLEN) - (int)off;
	if (len <= 0)
		return;

	attrs = (const struct nlattr *)((const char *)e + off);
	msg = nla_find(attrs, len, NLMSGERR_ATTR_MSG);
	if (msg)
		nla_strlcpy(nl->extack, msg, sizeof(nl->extack));
}

static int mn_nl_err_cb(struct sockaddr_nl *who, struct nlmsgerr *e, void *arg)
{
	struct mn_nl *nl = (struct mn_nl *)arg;

	(void)who;
	nl->kerr = e->error < 0 ? -e->error : e->error;
	mn_nl_read_extack(nl, e);
	/* NL_STOP: libnl then returns the NLE_* code for e->error. */
	return NL_STOP;
}

/*
 * Namespaces and sockets
 */

static const char *mn_nl_nsname(const struct mn_nl_ns *ns)
{
	return ns && ns->name ? ns->name : "host";
}

/*
 * A netlink socket belongs for its whole life to the network namespace of
 * the thread that created it.  So to act in another namespace, this thread
 * enters it just long enough to create the socket and comes straight back:
 * everything later sent on the socket acts over there, while the thread
 * (and whatever else runs on it) is home again.  setns() changes only the
 * calling thread, hence /proc/thread-self rather than /proc/self, which is
 * the main thread's.
 *
 * Returns a negative errno when nsfd cannot be entered; otherwise 0, and
 * *nle is what nl_connect() returned.
 */
static int mn_nl_connect_in(struct nl_sock *sk, int nsfd, int *nle)
{
	int self, ret = 0;

	*nle = 0;
	self = open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC);
	if (self < 0)
		return -errno;
	if (setns(nsfd, CLONE_NEWNET) < 0) {
		ret = -errno;
		close(self);
		return ret;
	}

	*nle = nl_connect(sk, NETLINK_ROUTE);

	/*
	 * Going home can only fail if the kernel takes back a right it just
	 * granted.  Carrying on in the task's namespace would silently
	 * configure the wrong one from now on: stop instead.
	 */
	if (setns(self, CLONE_NEWNET) < 0)
		abort();
	close(self);
	return ret;
}

static int mn_nl_open(struct mn_nl *nl, const struct mn_nl_ns *ns, char *err, size_t errlen)
{
	static const int one = 1;
	int nle = 0, ret = 0, fd;

	memset(nl, 0, sizeof(*nl));
	nl->nsname = mn_nl_nsname(ns);

	nl->sk = nl_socket_alloc();
	if (!nl->sk)
		return mn_nl_fail(NULL, -NLE_NOMEM, err, errlen,
				  "cannot open a netlink socket in netns %s", nl->nsname);

	if (ns && ns->fd >= 0) {
		ret = mn_nl_connect_in(nl->sk, ns->fd, &nle);
		if (ret < 0) {
			mn_nl_seterr(err, errlen, "cannot enter netns %s: %s", nl->nsname,
				     strerror(-ret));
			goto fail;
		}
	} else {
		nle = nl_connect(nl->sk, NETLINK_ROUTE);
	}
	if (nle < 0) {
		ret = mn_nl_fail(NULL, nle, err, errlen, "cannot open a netlink socket in netns %s",
				 nl->nsname);
		goto fail;
	}

	/*
	 * Ask for the kernel's reason in words, and not for our own request
	 * back with each error.  Both are best effort (Linux >= 4.12).
	 */
	fd = nl_socket_get_fd(nl->sk);
	(void)setsockopt(fd, SOL_NETLINK, NETLINK_EXT_ACK, &one, sizeof(one));
	(void)setsockopt(fd, SOL_NETLINK, NETLINK_CAP_ACK, &one, sizeof(one));
	nl_socket_modify_err_cb(nl->sk, NL_CB_CUSTOM, mn_nl_err_cb, nl);
	return 0;

fail:
	nl_socket_free(nl->sk);
	nl->sk = NULL;
	return ret;
}

static void mn_nl_close(struct mn_nl *nl)
{
	nl_socket_free(nl->sk);
	nl->sk = NULL;
}

int mn_nl_netns_open(const char *path, char *err, size_t errlen)
{
	int fd, ret;

	if (!path || !*path) {
		mn_nl_seterr(err, errlen, "network namespace path is empty");
		return -EINVAL;
	}

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		ret = -errno;
		if (ret == -ENOENT)
			mn_nl_seterr(err, errlen, "network namespace %s does not exist", path);
		else
			mn_nl_seterr(err, errlen, "cannot open network namespace %s: %s", path,
				     strerror(-ret));
		return ret;
	}

	/*
	 * Refuse anything else now (a leftover plain file in /run/netns
	 * after a crash, a mount namespace...) rather than at setns() time,
	 * far from the path that explains it.
	 */
	ret = ioctl(fd, NS_GET_NSTYPE);
	if (ret != CLONE_NEWNET) {
		ret = ret < 0 && errno != ENOTTY ? -errno : -EINVAL;
		if (ret == -EINVAL)
			mn_nl_seterr(err, errlen, "%s is not a network namespace", path);
		else
			mn_nl_seterr(err, errlen, "cannot check network namespace %s: %s", path,
				     strerror(-ret));
		close(fd);
		return ret;
	}
	return fd;
}

/*
 * Small helpers
 */

/* libnl copies names into IFNAMSIZ buffers and would silently cut them. */
static bool mn_nl_ifname_ok(const char *ifname)
{
	return ifname && *ifname && strlen(ifname) < IFNAMSIZ;
}

static bool mn_nl_prefix_ok(const struct mn_nl_prefix *p)
{
	if (!p)
		return false;
	if (p->family == AF_INET)
		return p->plen <= 32;
	if (p->family == AF_INET6)
		return p->plen <= 128;
	return false;
}

/* The address of p as a libnl address carrying p's length; NULL: ENOMEM. */
static struct nl_addr *mn_nl_addr(const struct mn_nl_prefix *p)
{
	struct nl_addr *a;

	if (p->family == AF_INET)
		a = nl_addr_build(AF_INET, &p->addr.v4, sizeof(p->addr.v4));
	else
		a = nl_addr_build(AF_INET6, &p->addr.v6, sizeof(p->addr.v6));
	if (a)
		nl_addr_set_prefixlen(a, p->plen);
	return a;
}

/* The address alone, without "/plen" (gateways, neighbours). */
static const char *mn_nl_ip_str(const struct mn_nl_prefix *p, char *buf, size_t len)
{
	if (!p || (p->family != AF_INET && p->family != AF_INET6) ||
	    !inet_ntop(p->family, &p->addr, buf, (socklen_t)len))
		snprintf(buf, len, "(invalid)");
	return buf;
}

/* The ifindex of ifname (kernel lookup by name); NLE code on failure. */
static int mn_nl_ifindex(struct mn_nl *nl, const char *ifname, int *ifindex)
{
	struct rtnl_link *link = NULL;
	int nle;

	mn_nl_reset(nl);
	nle = rtnl_link_get_kernel(nl->sk, 0, ifname, &link);
	if (nle < 0)
		return nle;
	*ifindex = rtnl_link_get_ifindex(link);
	rtnl_link_put(link);
	return *ifindex > 0 ? 0 : -NLE_NODEV;
}

/* Look ifname up in ns from a socket of its own; negative errno. */
static int mn_nl_index_in(const struct mn_nl_ns *ns, const char *ifname, int *ifindex)
{
	struct mn_nl nl;
	int ret;

	ret = mn_nl_open(&nl, ns, NULL, 0);
	if (ret < 0)
		return ret;
	ret = mn_nl_ifindex(&nl, ifname, ifindex);
	if (ret < 0)
		ret = nl.kerr ? -nl.kerr : mn_nl_nle2errno(ret);
	mn_nl_close(&nl);
	return ret;
}

/*
 * Links
 */

/*
 * After creating a pair: read both ifindexes, or remove the pair again so
 * that the call does all or nothing.
 */
static int mn_nl_pair_indexes(struct mn_nl *nl, const char *kind, const char *host_ifname,
			      const char *peer_ifname, const struct mn_nl_ns *peer_ns,
			      int *host_ifindex, int *peer_ifindex, char *err, size_t errlen)
{
	struct rtnl_link *link;
	int hidx = 0, pidx = 0, ret;

	ret = mn_nl_ifindex(nl, host_ifname, &hidx);
	if (ret < 0) {
		ret = mn_nl_fail(nl, ret, err, errlen, "cannot find new %s %s in netns %s", kind,
				 host_ifname, nl->nsname);
		goto undo;
	}
	ret = mn_nl_index_in(peer_ns, peer_ifname, &pidx);
	if (ret < 0) {
		mn_nl_seterr(err, errlen, "cannot find new %s peer %s in netns %s: %s", kind,
			     peer_ifname, mn_nl_nsname(peer_ns), strerror(-ret));
		goto undo;
	}
	if (host_ifindex)
		*host_ifindex = hidx;
	if (peer_ifindex)
		*peer_ifindex = pidx;
	return 0;

undo:
	/* Deleting one end deletes both. */
	link = rtnl_link_alloc();
	if (link) {
		rtnl_link_set_name(link, host_ifname);
		(void)rtnl_link_delete(nl->sk, link);
		rtnl_link_put(link);
	}
	return ret;
}

/* Arguments shared by veth and netkit creation; -EINVAL with a message. */
static int mn_nl_pair_check(const char *kind, const char *host_ifname, const char *peer_ifname,
			    const struct mn_nl_ns *peer_ns, char *err, size_t errlen)
{
	if (!mn_nl_ifname_ok(host_ifname) || !mn_nl_ifname_ok(peer_ifname)) {
		mn_nl_seterr(err, errlen,
			     "cannot create %s %s with peer %s in netns %s: invalid interface name",
			     kind, host_ifname ? host_ifname : "(null)",
			     peer_ifname ? peer_ifname : "(null)", mn_nl_nsname(peer_ns));
		return -EINVAL;
	}
	return 0;
}

static struct rtnl_link *mn_nl_veth_build(const char *host_ifname, const char *peer_ifname,
					  const struct mn_nl_ns *peer_ns, uint32_t mtu)
{
	struct rtnl_link *link, *peer;

	link = rtnl_link_veth_alloc();
	if (!link)
		return NULL;
	peer = rtnl_link_veth_get_peer(link);

	rtnl_link_set_name(link, host_ifname);
	rtnl_link_set_name(peer, peer_ifname);
	/* Born in the task: never visible, even briefly, on the host. */
	if (peer_ns && peer_ns->fd >= 0)
		rtnl_link_set_ns_fd(peer, peer_ns->fd);
	if (mtu) {
		rtnl_link_set_mtu(link, mtu);
		rtnl_link_set_mtu(peer, mtu);
	}
	rtnl_link_put(peer);
	return link;
}

int mn_nl_veth_create(const char *host_ifname, const char *peer_ifname,
		      const struct mn_nl_ns *peer_ns, uint32_t mtu, int *host_ifindex,
		      int *peer_ifindex, char *err, size_t errlen)
{
	struct rtnl_link *link;
	struct mn_nl nl;
	int ret;

	ret = mn_nl_pair_check("veth", host_ifname, peer_ifname, peer_ns, err, errlen);
	if (ret < 0)
		return ret;
	ret = mn_nl_open(&nl, &MN_NL_NS_HOST, err, errlen);
	if (ret < 0)
		return ret;

	link = mn_nl_veth_build(host_ifname, peer_ifname, peer_ns, mtu);
	if (!link) {
		ret = mn_nl_fail(&nl, -NLE_NOMEM, err, errlen,
				 "cannot create veth %s with peer %s in netns %s", host_ifname,
				 peer_ifname, mn_nl_nsname(peer_ns));
		goto out;
	}

	mn_nl_reset(&nl);
	ret = rtnl_link_add(nl.sk, link, NLM_F_CREATE | NLM_F_EXCL);
	rtnl_link_put(link);
	if (ret < 0) {
		ret = mn_nl_fail(&nl, ret, err, errlen,
				 "cannot create veth %s with peer %s in netns %s", host_ifname,
				 peer_ifname, mn_nl_nsname(peer_ns));
		goto out;
	}

	ret = mn_nl_pair_indexes(&nl, "veth", host_ifname, peer_ifname, peer_ns, host_ifindex,
				 peer_ifindex, err, errlen);
out:
	mn_nl_close(&nl);
	return ret;
}

/*
 * IFLA_NETKIT_PEER_INFO: like VETH_INFO_PEER, a struct ifinfomsg followed
 * by the peer's own link attributes.
 */
static int mn_nl_netkit_put_peer(struct nl_msg *msg, const char *peer_ifname,
				 const struct mn_nl_ns *peer_ns, uint32_t mtu)
{
	struct ifinfomsg ifi = { .ifi_family = AF_UNSPEC };
	struct nlattr *peer;

	peer = nla_nest_start(msg, IFLA_NETKIT_PEER_INFO);
	if (!peer)
		return -NLE_MSGSIZE;
	if (nlmsg_append(msg, &ifi, sizeof(ifi), NLMSG_ALIGNTO) < 0)
		return -NLE_MSGSIZE;
	if (nla_put_string(msg, IFLA_IFNAME, peer_ifname) < 0)
		return -NLE_MSGSIZE;
	if (peer_ns && peer_ns->fd >= 0 &&
	    nla_put_u32(msg, IFLA_NET_NS_FD, (uint32_t)peer_ns->fd) < 0)
		return -NLE_MSGSIZE;
	if (mtu && nla_put_u32(msg, IFLA_MTU, mtu) < 0)
		return -NLE_MSGSIZE;
	nla_nest_end(msg, peer);
	return 0;
}

/*
 * RTM_NEWLINK for a netkit pair, built by hand: libnl 3.7 has no netkit
 * link ops.  Scrub is not sent so that it stays at the kernel's default
 * and kernels older than 6.13, which do not know it, accept the request.
 */
static int mn_nl_netkit_msg(const char *host_ifname, const char *peer_ifname,
			    const struct mn_nl_ns *peer_ns, uint32_t mtu, struct nl_msg **result)
{
	struct ifinfomsg ifi = { .ifi_family = AF_UNSPEC };
	struct nlattr *linkinfo, *data;
	struct nl_msg *msg;

	msg = nlmsg_alloc_simple(RTM_NEWLINK, NLM_F_CREATE | NLM_F_EXCL);
	if (!msg)
		return -NLE_NOMEM;
	if (nlmsg_append(msg, &ifi, sizeof(ifi), NLMSG_ALIGNTO) < 0)
		goto toobig;
	if (nla_put_string(msg, IFLA_IFNAME, host_ifname) < 0)
		goto toobig;
	if (mtu && nla_put_u32(msg, IFLA_MTU, mtu) < 0)
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
	if (mn_nl_netkit_put_peer(msg, peer_ifname, peer_ns, mtu) < 0)
		goto toobig;
	nla_nest_end(msg, data);
	nla_nest_end(msg, linkinfo);

	*result = msg;
	return 0;

toobig:
	nlmsg_free(msg);
	return -NLE_MSGSIZE;
}

int mn_nl_netkit_create(const char *host_ifname, const char *peer_ifname,
			const struct mn_nl_ns *peer_ns, uint32_t mtu, int *host_ifindex,
			int *peer_ifindex, char *err, size_t errlen)
{
	struct nl_msg *msg = NULL;
	struct mn_nl nl;
	int ret;

	ret = mn_nl_pair_check("netkit", host_ifname, peer_ifname, peer_ns, err, errlen);
	if (ret < 0)
		return ret;
	ret = mn_nl_open(&nl, &MN_NL_NS_HOST, err, errlen);
	if (ret < 0)
		return ret;

	mn_nl_reset(&nl);
	ret = mn_nl_netkit_msg(host_ifname, peer_ifname, peer_ns, mtu, &msg);
	if (ret == 0)
		ret = nl_send_sync(nl.sk, msg); /* frees msg */
	if (ret < 0) {
		/* The kernel's words for a missing kind: "Unknown device type" */
		ret = mn_nl_fail(&nl, ret, err, errlen,
				 "cannot create netkit %s with peer %s in netns %s", host_ifname,
				 peer_ifname, mn_nl_nsname(peer_ns));
		goto out;
	}

	ret = mn_nl_pair_indexes(&nl, "netkit", host_ifname, peer_ifname, peer_ns, host_ifindex,
				 peer_ifindex, err, errlen);
out:
	mn_nl_close(&nl);
	return ret;
}

/*
 * Changelink on the primary (the only end the kernel lets change it): a
 * RTM_NEWLINK naming the device by index, with just the peer's policy in
 * IFLA_INFO_DATA; mode and scrub are fixed at creation.
 */
static int mn_nl_netkit_policy_msg(int ifindex, uint32_t policy, struct nl_msg **result)
{
	struct ifinfomsg ifi = { .ifi_family = AF_UNSPEC, .ifi_index = ifindex };
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
	if (!data || nla_put_u32(msg, IFLA_NETKIT_PEER_POLICY, policy) < 0)
		goto toobig;
	nla_nest_end(msg, data);
	nla_nest_end(msg, linkinfo);
	*result = msg;
	return 0;

toobig:
	nlmsg_free(msg);
	return -NLE_MSGSIZE;
}

int mn_nl_netkit_set_peer_policy(const char *host_ifname, bool forward, char *err, size_t errlen)
{
	const char *what = forward ? "forward" : "blackhole";
	struct nl_msg *msg = NULL;
	int ifindex = 0, ret;
	struct mn_nl nl;

	if (!mn_nl_ifname_ok(host_ifname)) {
		mn_nl_seterr(err, errlen,
			     "cannot set the peer policy of netkit %s: invalid interface name",
			     host_ifname ? host_ifname : "(null)");
		return -EINVAL;
	}
	ret = mn_nl_index_in(&MN_NL_NS_HOST, host_ifname, &ifindex);
	if (ret < 0) {
		mn_nl_seterr(err, errlen, "cannot set the peer policy of netkit %s to %s: %s",
			     host_ifname, what, strerror(-ret));
		return ret;
	}
	ret = mn_nl_open(&nl, &MN_NL_NS_HOST, err, errlen);
	if (ret < 0)
		return ret;
	mn_nl_reset(&nl);
	ret = mn_nl_netkit_policy_msg(ifindex, forward ? NETKIT_PASS : NETKIT_DROP, &msg);
	if (ret == 0)
		ret = nl_send_sync(nl.sk, msg); /* frees msg */
	if (ret < 0)
		ret = mn_nl_fail(&nl, ret, err, errlen,
				 "cannot set the peer policy of netkit %s to %s", host_ifname, what);
	mn_nl_close(&nl);
	return ret;
}

int mn_nl_link_kind(const struct mn_nl_ns *ns, const char *ifname, char *kind, size_t len)
{
	struct rtnl_link *link = NULL;
	const char *type;
	struct mn_nl nl;
	int ret;

	if (!mn_nl_ifname_ok(ifname))
		return -EINVAL;
	ret = mn_nl_open(&nl, ns, NULL, 0);
	if (ret < 0)
		return ret;
	mn_nl_reset(&nl);
	ret = rtnl_link_get_kernel(nl.sk, 0, ifname, &link);
	if (ret < 0) {
		ret = nl.kerr ? -nl.kerr : mn_nl_nle2errno(ret);
		goto out;
	}
	/* IFLA_INFO_KIND, kept by libnl even for kinds it has no ops for */
	type = rtnl_link_get_type(link);
	snprintf(kind, len, "%s", type ? type : "");
	rtnl_link_put(link);
out:
	mn_nl_close(&nl);
	return ret;
}

int mn_nl_link_delete(const struct mn_nl_ns *ns, const char *ifname, char *err, size_t errlen)
{
	struct rtnl_link *link;
	struct mn_nl nl;
	int ret;

	if (!mn_nl_ifname_ok(ifname)) {
		mn_nl_seterr(err, errlen,
			     "cannot delete link %s in netns %s: invalid interface name",
			     ifname ? ifname : "(null)", mn_nl_nsname(ns));
		return -EINVAL;
	}
	ret = mn_nl_open(&nl, ns, err, errlen);
	if (ret < 0)
		return ret;

	link = rtnl_link_alloc();
	if (!link) {
		ret = -NLE_NOMEM;
		goto fail;
	}
	/* By name (IFLA_IFNAME): one request, and the kernel says ENODEV. */
	rtnl_link_set_name(link, ifname);
	mn_nl_reset(&nl);
	ret = rtnl_link_delete(nl.sk, link);
	rtnl_link_put(link);
	if (ret < 0)
		goto fail;
	mn_nl_close(&nl);
	return 0;

fail:
	ret = mn_nl_fail(&nl, ret, err, errlen, "cannot delete link %s in netns %s", ifname,
			 nl.nsname);
	mn_nl_close(&nl);
	return ret;
}

int mn_nl_link_index(const struct mn_nl_ns *ns, const char *ifname)
{
	int ifindex = 0, ret;

	if (!mn_nl_ifname_ok(ifname))
		return -ENODEV;
	ret = mn_nl_index_in(ns, ifname, &ifindex);
	return ret < 0 ? ret : ifindex;
}

int mn_nl_link_mac(const struct mn_nl_ns *ns, const char *ifname, uint8_t mac[6], char *err,
		   size_t errlen)
{
	struct rtnl_link *link = NULL;
	struct nl_addr *lladdr;
	struct mn_nl nl;
	int ret;

	if (!mn_nl_ifname_ok(ifname)) {
		mn_nl_seterr(err, errlen,
			     "cannot read the MAC address of %s in netns %s: invalid interface name",
			     ifname ? ifname : "(null)", mn_nl_nsname(ns));
		return -EINVAL;
	}
	ret = mn_nl_open(&nl, ns, err, errlen);
	if (ret < 0)
		return ret;

	mn_nl_reset(&nl);
	ret = rtnl_link_get_kernel(nl.sk, 0, ifname, &link);
	if (ret < 0) {
		ret = mn_nl_fail(&nl, ret, err, errlen,
				 "cannot read the MAC address of %s in netns %s", ifname, nl.nsname);
		goto out;
	}

	/*
	 * L3 devices have none (tun), or not 6 bytes (ip tunnels), or an
	 * all-zero one: netkit sets itself up as Ethernet but gives itself
	 * an address only in L2 mode, and lo is all zeros too.
	 */
	lladdr = rtnl_link_get_addr(link);
	if (!lladdr || nl_addr_get_len(lladdr) != 6 || nl_addr_iszero(lladdr)) {
		mn_nl_seterr(err, errlen, "link %s in netns %s has no MAC address", ifname,
			     nl.nsname);
		ret = -EINVAL;
		goto out;
	}
	memcpy(mac, nl_addr_get_binary_addr(lladdr), 6);
	ret = 0;
out:
	if (link)
		rtnl_link_put(link);
	mn_nl_close(&nl);
	return ret;
}

int mn_nl_link_up(const struct mn_nl_ns *ns, const char *ifname, uint32_t mtu, char *err,
		  size_t errlen)
{
	struct rtnl_link *orig = NULL, *change = NULL;
	char what[32] = "";
	struct mn_nl nl;
	int ret;

	if (mtu)
		snprintf(what, sizeof(what), " with MTU %u", mtu);
	if (!mn_nl_ifname_ok(ifname)) {
		mn_nl_seterr(err, errlen,
			     "cannot set link %s up%s in netns %s: invalid interface name",
			     ifname ? ifname : "(null)", what, mn_nl_nsname(ns));
		return -EINVAL;
	}
	ret = mn_nl_open(&nl, ns, err, errlen);
	if (ret < 0)
		return ret;

	orig = rtnl_link_alloc();
	change = rtnl_link_alloc();
	if (!orig || !change) {
		ret = -NLE_NOMEM;
		goto fail;
	}
	/*
	 * Addressed by name (orig has no ifindex): a single RTM_NEWLINK in
	 * which the kernel applies MTU and flags, or answers ENODEV.
	 */
	rtnl_link_set_name(orig, ifname);
	rtnl_link_set_name(change, ifname);
	rtnl_link_set_flags(change, IFF_UP);
	if (mtu)
		rtnl_link_set_mtu(change, mtu);

	mn_nl_reset(&nl);
	ret = rtnl_link_change(nl.sk, orig, change, 0);
	if (ret < 0)
		goto fail;
	ret = 0;
	goto out;

fail:
	ret = mn_nl_fail(&nl, ret, err, errlen, "cannot set link %s up%s in netns %s", ifname, what,
			 nl.nsname);
out:
	if (orig)
		rtnl_link_put(orig);
	if (change)
		rtnl_link_put(change);
	mn_nl_close(&nl);
	return ret;
}

/*
 * Addresses
 */

static struct rtnl_addr *mn_nl_addr_build(int ifindex, const struct mn_nl_prefix *p)
{
	struct rtnl_addr *ra;
	struct nl_addr *local;

	ra = rtnl_addr_alloc();
	local = mn_nl_addr(p);
	if (!ra || !local)
		goto fail;
	rtnl_addr_set_ifindex(ra, ifindex);
	rtnl_addr_set_family(ra, p->family);
	if (rtnl_addr_set_local(ra, local) < 0)
		goto fail;
	rtnl_addr_set_prefixlen(ra, p->plen);
	/*
	 * A task VIP must be usable at once (no DAD delay, and no DAD
	 * failure because the same VIP lives on the host side), and its
	 * prefix route is ours to decide, not the kernel's.
	 */
	if (p->family == AF_INET6)
		rtnl_addr_set_flags(ra, IFA_F_NODAD | IFA_F_NOPREFIXROUTE);
	nl_addr_put(local);
	return ra;

fail:
	if (local)
		nl_addr_put(local);
	if (ra)
		rtnl_addr_put(ra);
	return NULL;
}

static int mn_nl_addr_change(const struct mn_nl_ns *ns, const char *ifname,
			     const struct mn_nl_prefix *addr, bool add, char *err, size_t errlen)
{
	char pfx[MN_NL_PREFIX_STRLEN];
	const char *op = add ? "add" : "delete", *to = add ? "to" : "from";
	struct rtnl_addr *ra = NULL;
	struct mn_nl nl;
	int ifindex, ret;

	mn_nl_prefix_str(addr, pfx, sizeof(pfx));
	if (!mn_nl_ifname_ok(ifname) || !mn_nl_prefix_ok(addr)) {
		mn_nl_seterr(err, errlen, "cannot %s address %s %s %s in netns %s: Invalid argument",
			     op, pfx, to, ifname ? ifname : "(null)", mn_nl_nsname(ns));
		return -EINVAL;
	}
	ret = mn_nl_open(&nl, ns, err, errlen);
	if (ret < 0)
		return ret;

	ret = mn_nl_ifindex(&nl, ifname, &ifindex);
	if (ret < 0)
		goto fail;
	ra = mn_nl_addr_build(ifindex, addr);
	if (!ra) {
		ret = -NLE_NOMEM;
		goto fail;
	}

	mn_nl_reset(&nl);
	if (add)
		ret = rtnl_addr_add(nl.sk, ra, NLM_F_CREATE | NLM_F_EXCL);
	else
		ret = rtnl_addr_delete(nl.sk, ra, 0);
	if (ret < 0)
		goto fail;
	ret = 0;
	goto out;

fail:
	ret = mn_nl_fail(&nl, ret, err, errlen, "cannot %s address %s %s %s in netns %s", op, pfx,
			 to, ifname, nl.nsname);
out:
	if (ra)
		rtnl_addr_put(ra);
	mn_nl_close(&nl);
	return ret;
}

int mn_nl_addr_add(const struct mn_nl_ns *ns, const char *ifname, const struct mn_nl_prefix *addr,
		   char *err, size_t errlen)
{
	return mn_nl_addr_change(ns, ifname, addr, true, err, errlen);
}

int mn_nl_addr_del(const struct mn_nl_ns *ns, const char *ifname, const struct mn_nl_prefix *addr,
		   char *err, size_t errlen)
{
	return mn_nl_addr_change(ns, ifname, addr, false, err, errlen);
}

/*
 * Routes
 */

/* "10.9.0.0/24 via 169.254.0.1 dev eth0 src 10.1.0.1 table 100" */
static const char *mn_nl_route_str(const struct mn_nl_route *r, char *buf, size_t len)
{
	char dst[MN_NL_PREFIX_STRLEN], gw[INET6_ADDRSTRLEN + 16] = "";
	char src[INET6_ADDRSTRLEN + 16] = "", table[24] = "";
	char ip[INET6_ADDRSTRLEN];

	mn_nl_prefix_str(&r->dst, dst, sizeof(dst));
	if (r->gw)
		snprintf(gw, sizeof(gw), " via %s", mn_nl_ip_str(r->gw, ip, sizeof(ip)));
	if (r->src)
		snprintf(src, sizeof(src), " src %s", mn_nl_ip_str(r->src, ip, sizeof(ip)));
	if (r->table)
		snprintf(table, sizeof(table), " table %u", r->table);
	snprintf(buf, len, "%s%s dev %s%s%s", dst, gw, r->ifname ? r->ifname : "(null)", src, table);
	return buf;
}

static bool mn_nl_route_ok(const struct mn_nl_route *r)
{
	if (!mn_nl_prefix_ok(&r->dst) || !mn_nl_ifname_ok(r->ifname))
		return false;
	/* Gateway and source are plain addresses of the route's family. */
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
		gw = mn_nl_addr(r->gw);
		if (!gw) {
			rtnl_route_nh_free(nh);
			return -NLE_NOMEM;
		}
		/* Only the host length, whatever the caller's prefix says. */
		nl_addr_set_prefixlen(gw, nl_addr_get_len(gw) * 8);
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

	rtnl_route_set_family(rt, (uint8_t)r->dst.family);
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
		src = mn_nl_addr(r->src);
		if (!src)
			return -NLE_NOMEM;
		nl_addr_set_prefixlen(src, nl_addr_get_len(src) * 8);
		nle = rtnl_route_set_pref_src(rt, src);
		nl_addr_put(src);
		if (nle < 0)
			return nle;
	}
	return mn_nl_route_nexthop(rt, r, ifindex);
}

static struct rtnl_route *mn_nl_route_build(const struct mn_nl_route *r, int ifindex, int *nle)
{
	struct rtnl_route *rt;

	rt = rtnl_route_alloc();
	if (!rt) {
		*nle = -NLE_NOMEM;
		return NULL;
	}
	*nle = mn_nl_route_fill(rt, r, ifindex);
	if (*nle < 0) {
		rtnl_route_put(rt);
		return NULL;
	}
	return rt;
}

static int mn_nl_route_change(const struct mn_nl_ns *ns, const struct mn_nl_route *r, bool add,
			      char *err, size_t errlen)
{
	const char *op = add ? "add" : "delete";
	struct rtnl_route *rt = NULL;
	char what[256];
	struct mn_nl nl;
	int ifindex, ret;

	if (!r) {
		mn_nl_seterr(err, errlen, "cannot %s route (null) in netns %s: Invalid argument",
			     op, mn_nl_nsname(ns));
		return -EINVAL;
	}
	mn_nl_route_str(r, what, sizeof(what));
	if (!mn_nl_route_ok(r)) {
		mn_nl_seterr(err, errlen, "cannot %s route %s in netns %s: Invalid argument", op,
			     what, mn_nl_nsname(ns));
		return -EINVAL;
	}
	ret = mn_nl_open(&nl, ns, err, errlen);
	if (ret < 0)
		return ret;

	ret = mn_nl_ifindex(&nl, r->ifname, &ifindex);
	if (ret < 0)
		goto fail;
	rt = mn_nl_route_build(r, ifindex, &ret);
	if (!rt)
		goto fail;

	mn_nl_reset(&nl);
	if (add)
		ret = rtnl_route_add(nl.sk, rt, NLM_F_CREATE | NLM_F_REPLACE);
	else
		ret = rtnl_route_delete(nl.sk, rt, 0);
	if (ret < 0)
		goto fail;
	ret = 0;
	goto out;

fail:
	ret = mn_nl_fail(&nl, ret, err, errlen, "cannot %s route %s in netns %s", op, what,
			 nl.nsname);
out:
	if (rt)
		rtnl_route_put(rt);
	mn_nl_close(&nl);
	return ret;
}

int mn_nl_route_add(const struct mn_nl_ns *ns, const struct mn_nl_route *r, char *err, size_t errlen)
{
	return mn_nl_route_change(ns, r, true, err, errlen);
}

int mn_nl_route_del(const struct mn_nl_ns *ns, const struct mn_nl_route *r, char *err, size_t errlen)
{
	return mn_nl_route_change(ns, r, false, err, errlen);
}

/*
 * Neighbours
 */

static struct rtnl_neigh *mn_nl_neigh_build(int ifindex, const struct mn_nl_prefix *ip,
					    const uint8_t mac[6])
{
	struct nl_addr *dst = NULL, *ll = NULL;
	struct rtnl_neigh *n;

	n = rtnl_neigh_alloc();
	dst = mn_nl_addr(ip);
	if (!n || !dst)
		goto fail;
	nl_addr_set_prefixlen(dst, nl_addr_get_len(dst) * 8);
	rtnl_neigh_set_ifindex(n, ifindex);
	rtnl_neigh_set_family(n, ip->family);
	if (rtnl_neigh_set_dst(n, dst) < 0)
		goto fail;
	if (mac) {
		ll = nl_addr_build(AF_LLC, mac, 6);
		if (!ll)
			goto fail;
		rtnl_neigh_set_lladdr(n, ll);
		nl_addr_put(ll);
		rtnl_neigh_set_state(n, NUD_PERMANENT);
	}
	nl_addr_put(dst);
	return n;

fail:
	if (dst)
		nl_addr_put(dst);
	if (n)
		rtnl_neigh_put(n);
	return NULL;
}

static int mn_nl_neigh_change(const struct mn_nl_ns *ns, const char *ifname,
			      const struct mn_nl_prefix *ip, const uint8_t mac[6], char *err,
			      size_t errlen)
{
	char ipstr[INET6_ADDRSTRLEN], ll[32] = "";
	const char *op = mac ? "add" : "delete";
	struct rtnl_neigh *n = NULL;
	struct mn_nl nl;
	int ifindex, ret;

	mn_nl_ip_str(ip, ipstr, sizeof(ipstr));
	if (mac)
		snprintf(ll, sizeof(ll), " lladdr %02x:%02x:%02x:%02x:%02x:%02x", mac[0], mac[1],
			 mac[2], mac[3], mac[4], mac[5]);
	if (!mn_nl_ifname_ok(ifname) || !mn_nl_prefix_ok(ip)) {
		mn_nl_seterr(err, errlen,
			     "cannot %s neighbour %s%s on %s in netns %s: Invalid argument", op,
			     ipstr, ll, ifname ? ifname : "(null)", mn_nl_nsname(ns));
		return -EINVAL;
	}
	ret = mn_nl_open(&nl, ns, err, errlen);
	if (ret < 0)
		return ret;

	ret = mn_nl_ifindex(&nl, ifname, &ifindex);
	if (ret < 0)
		goto fail;
	n = mn_nl_neigh_build(ifindex, ip, mac);
	if (!n) {
		ret = -NLE_NOMEM;
		goto fail;
	}

	mn_nl_reset(&nl);
	/*
	 * Replace: a stale entry (the task came back with a new MAC) is
	 * overwritten, as "ip neigh replace" does.  libnl adds no
	 * NLM_F_CREATE of its own here (it does for addresses and routes).
	 */
	if (mac)
		ret = rtnl_neigh_add(nl.sk, n, NLM_F_CREATE | NLM_F_REPLACE);
	else
		ret = rtnl_neigh_delete(nl.sk, n, 0);
	if (ret < 0)
		goto fail;
	ret = 0;
	goto out;

fail:
	ret = mn_nl_fail(&nl, ret, err, errlen, "cannot %s neighbour %s%s on %s in netns %s", op,
			 ipstr, ll, ifname, nl.nsname);
out:
	if (n)
		rtnl_neigh_put(n);
	mn_nl_close(&nl);
	return ret;
}

int mn_nl_neigh_add(const struct mn_nl_ns *ns, const char *ifname, const struct mn_nl_prefix *ip,
		    const uint8_t mac[6], char *err, size_t errlen)
{
	if (!mac) {
		mn_nl_seterr(err, errlen, "cannot add neighbour on %s in netns %s: no MAC address",
			     ifname ? ifname : "(null)", mn_nl_nsname(ns));
		return -EINVAL;
	}
	return mn_nl_neigh_change(ns, ifname, ip, mac, err, errlen);
}

int mn_nl_neigh_del(const struct mn_nl_ns *ns, const char *ifname, const struct mn_nl_prefix *ip,
		    char *err, size_t errlen)
{
	return mn_nl_neigh_change(ns, ifname, ip, NULL, err, errlen);
}

int mn_nl_neigh_state(const struct mn_nl_ns *ns, int ifindex, const struct mn_nl_prefix *ip,
		      char *err, size_t errlen)
{
	struct nl_cache *cache = NULL;
	struct rtnl_neigh *n = NULL;
	struct nl_addr *addr = NULL;
	char ipstr[INET6_ADDRSTRLEN];
	struct mn_nl nl;
	int ret;

	mn_nl_ip_str(ip, ipstr, sizeof(ipstr));
	if (ifindex <= 0 || !mn_nl_prefix_ok(ip)) {
		mn_nl_seterr(err, errlen, "cannot read neighbour %s in netns %s: Invalid argument",
			     ipstr, mn_nl_nsname(ns));
		return -EINVAL;
	}
	ret = mn_nl_open(&nl, ns, err, errlen);
	if (ret < 0)
		return ret;
	mn_nl_reset(&nl);
	ret = rtnl_neigh_alloc_cache(nl.sk, &cache);
	if (ret < 0) {
		ret = mn_nl_fail(&nl, ret, err, errlen, "cannot read neighbours in netns %s",
				 nl.nsname);
		goto out;
	}
	addr = mn_nl_addr(ip);
	if (addr)
		nl_addr_set_prefixlen(addr, ip->family == AF_INET ? 32 : 128);
	n = addr ? rtnl_neigh_get(cache, ifindex, addr) : NULL;
	if (!n) {
		mn_nl_seterr(err, errlen, "no neighbour entry for %s on ifindex %d in netns %s",
			     ipstr, ifindex, nl.nsname);
		ret = -ENOENT;
		goto out;
	}
	ret = rtnl_neigh_get_state(n);
out:
	if (n)
		rtnl_neigh_put(n);
	if (addr)
		nl_addr_put(addr);
	if (cache)
		nl_cache_free(cache);
	mn_nl_close(&nl);
	return ret;
}

/*
 * Rules
 */

/* "from 10.1.0.1/32 iif eth0 lookup 100 priority 1000" */
static const char *mn_nl_rule_str(const struct mn_nl_rule *r, char *buf, size_t len)
{
	char src[MN_NL_PREFIX_STRLEN], iif[IFNAMSIZ + 8] = "";

	mn_nl_prefix_str(&r->src, src, sizeof(src));
	if (r->iifname)
		snprintf(iif, sizeof(iif), " iif %.*s", IFNAMSIZ, r->iifname);
	snprintf(buf, len, "from %s%s lookup %u priority %u", src, iif,
		 r->table ? r->table : RT_TABLE_MAIN, r->priority);
	return buf;
}

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
	if (r->src.plen) {
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

static int mn_nl_rule_change(const struct mn_nl_ns *ns, const struct mn_nl_rule *r, bool add,
			     char *err, size_t errlen)
{
	const char *op = add ? "add" : "delete";
	struct rtnl_rule *rule;
	char what[160];
	struct mn_nl nl;
	int ret;

	if (!r) {
		mn_nl_seterr(err, errlen, "cannot %s rule (null) in netns %s: Invalid argument", op,
			     mn_nl_nsname(ns));
		return -EINVAL;
	}
	mn_nl_rule_str(r, what, sizeof(what));
	if (!mn_nl_prefix_ok(&r->src) || (r->iifname && !mn_nl_ifname_ok(r->iifname))) {
		mn_nl_seterr(err, errlen, "cannot %s rule %s in netns %s: Invalid argument", op,
			     what, mn_nl_nsname(ns));
		return -EINVAL;
	}
	ret = mn_nl_open(&nl, ns, err, errlen);
	if (ret < 0)
		return ret;

	rule = mn_nl_rule_build(r);
	if (!rule) {
		ret = -NLE_NOMEM;
		goto fail;
	}
	mn_nl_reset(&nl);
	/* EXCL: without it the kernel happily adds a duplicate rule. */
	if (add)
		ret = rtnl_rule_add(nl.sk, rule, NLM_F_CREATE | NLM_F_EXCL);
	else
		ret = rtnl_rule_delete(nl.sk, rule, 0);
	rtnl_rule_put(rule);
	if (ret < 0)
		goto fail;
	mn_nl_close(&nl);
	return 0;

fail:
	ret = mn_nl_fail(&nl, ret, err, errlen, "cannot %s rule %s in netns %s", op, what,
			 nl.nsname);
	mn_nl_close(&nl);
	return ret;
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
 * Prefixes
 */

/* A length: 1 to 3 decimal digits, nothing else, at most max. */
static int mn_nl_plen_parse(const char *s, unsigned int max, uint8_t *plen)
{
	unsigned int v = 0;
	size_t n;

	n = strlen(s);
	if (n == 0 || n > 3)
		return -EINVAL;
	for (size_t i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -EINVAL;
		v = v * 10 + (unsigned int)(s[i] - '0');
	}
	if (v > max)
		return -EINVAL;
	*plen = (uint8_t)v;
	return 0;
}

int mn_nl_prefix_parse(const char *str, struct mn_nl_prefix *p)
{
	char buf[MN_NL_PREFIX_STRLEN + 1];
	struct mn_nl_prefix tmp;
	char *slash;
	size_t n;

	if (!str || !p)
		return -EINVAL;
	n = strlen(str);
	if (n == 0 || n >= sizeof(buf))
		return -EINVAL;
	memcpy(buf, str, n + 1);

	memset(&tmp, 0, sizeof(tmp));
	slash = strchr(buf, '/');
	if (slash)
		*slash++ = '\0';

	if (inet_pton(AF_INET, buf, &tmp.addr.v4) == 1) {
		tmp.family = AF_INET;
		tmp.plen = 32;
	} else if (inet_pton(AF_INET6, buf, &tmp.addr.v6) == 1) {
		tmp.family = AF_INET6;
		tmp.plen = 128;
	} else {
		return -EINVAL;
	}
	if (slash && mn_nl_plen_parse(slash, tmp.plen, &tmp.plen) < 0)
		return -EINVAL;

	*p = tmp;
	return 0;
}

const char *mn_nl_prefix_str(const struct mn_nl_prefix *p, char *buf, size_t len)
{
	char ip[INET6_ADDRSTRLEN];

	if (!buf || !len)
		return buf;
	if (!p || (p->family != AF_INET && p->family != AF_INET6) ||
	    !inet_ntop(p->family, &p->addr, ip, sizeof(ip)))
		snprintf(buf, len, "(invalid)");
	else
		snprintf(buf, len, "%s/%u", ip, p->plen);
	return buf;
}
