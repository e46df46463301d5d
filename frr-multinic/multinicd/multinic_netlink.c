// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * multinicd: the netlink mechanism's core: sockets in namespaces, the
 * kernel's errors, and the one path every request takes (mn_nl_request).
 * The object kinds are in multinic_netlink_link.c, multinic_netlink_ip.c
 * and multinic_netlink_rule.c; multinic_netlink.h has the contract.
 *
 * Each call opens its own rtnetlink socket in the namespace it acts in,
 * sends one or two requests and closes it again, unless the caller holds
 * one socket in that namespace for a series of calls (mn_nl_ns_hold():
 * a task's wiring).  Nothing is shared between threads.
 *
 * The kernel's own errno is taken from its NLMSG_ERROR reply (libnl folds
 * several errnos into one NLE_* code, e.g. ESRCH and ENOENT both become
 * NLE_OBJ_NOTFOUND), together with its extended ack message when it sends
 * one, so that callers and operators see exactly what the kernel said.
 */
#include <zebra.h>

#include <fcntl.h>
#include <sched.h>
#include <net/if.h>
#include <sys/ioctl.h>

#include <linux/netlink.h>
#include <linux/nsfs.h>

#include <netlink/netlink.h>
#include <netlink/errno.h>
#include <netlink/msg.h>
#include <netlink/attr.h>
#include <netlink/socket.h>
#include <netlink/route/link.h>

#include "multinic_netlink_priv.h"

#ifndef SOL_NETLINK
#define SOL_NETLINK 270
#endif

/*
 * Errors
 */

void mn_nl_seterr(char *err, size_t errlen, const char *fmt, ...)
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
 * one, or ours from mn_nl_refuse; else libnl's code mapped), and
 * err = "cannot <what>: <reason>".
 */
static int mn_nl_fail(const struct mn_nl *nl, int nle, const char *what, char *err, size_t errlen)
{
	const char *reason;
	int ret;

	if (nl->kerr) {
		ret = -nl->kerr;
		reason = nl->why ? nl->why : strerror(nl->kerr);
	} else {
		ret = mn_nl_nle2errno(nle);
		/* An unmapped libnl failure keeps libnl's own words. */
		reason = ret == -EIO ? nl_geterror(nle) : strerror(-ret);
	}

	if (nl->kerr && nl->extack[0])
		mn_nl_seterr(err, errlen, "cannot %s: %s (%s)", what, reason, nl->extack);
	else
		mn_nl_seterr(err, errlen, "cannot %s: %s", what, reason);
	return ret;
}

void mn_nl_reset(struct mn_nl *nl)
{
	nl->kerr = 0;
	nl->why = NULL;
	nl->extack[0] = '\0';
}

int mn_nl_refuse(struct mn_nl *nl, int errnum, const char *why)
{
	mn_nl_reset(nl);
	nl->kerr = errnum;
	nl->why = why;
	return -NLE_FAILURE;
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

	nl->kerr = e->error < 0 ? -e->error : e->error;
	nl->why = NULL;
	mn_nl_read_extack(nl, e);
	/* NL_STOP: libnl then returns the NLE_* code for e->error. */
	return NL_STOP;
}

/*
 * Namespaces and sockets
 */

const char *mn_nl_nsname(const struct mn_nl_ns *ns)
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
 * Not lib/ns.h: ns_socket() only knows the namespaces registered in FRR's
 * NS table (VRFs of the netns backend, after ns_init_management()), and a
 * task's namespace is none of them; ns_switch_to_netns() and
 * ns_switchback_to_initial() open a path rather than take the fd the
 * caller holds, return to /proc/self/ns/net (the main thread's namespace,
 * not necessarily this thread's), and carry on when going back fails.
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

/* A connected rtnetlink socket in ns (the caller's own when none). */
static int mn_nl_socket_open(const struct mn_nl_ns *ns, struct nl_sock **skp, char *err,
			     size_t errlen)
{
	static const int one = 1;
	const char *nsname = mn_nl_nsname(ns);
	struct nl_sock *sk;
	int nle = 0, ret = 0, fd;

	*skp = NULL;
	sk = nl_socket_alloc();
	if (!sk) {
		mn_nl_seterr(err, errlen, "cannot open a netlink socket in netns %s: %s", nsname,
			     strerror(ENOMEM));
		return -ENOMEM;
	}

	if (ns && ns->fd >= 0) {
		ret = mn_nl_connect_in(sk, ns->fd, &nle);
		if (ret < 0) {
			mn_nl_seterr(err, errlen, "cannot enter netns %s: %s", nsname,
				     strerror(-ret));
			goto fail;
		}
	} else {
		nle = nl_connect(sk, NETLINK_ROUTE);
	}
	if (nle < 0) {
		ret = mn_nl_nle2errno(nle);
		mn_nl_seterr(err, errlen, "cannot open a netlink socket in netns %s: %s", nsname,
			     nl_geterror(nle));
		goto fail;
	}

	/*
	 * Ask for the kernel's reason in words, and not for our own request
	 * back with each error.  Both are best effort (Linux >= 4.12).
	 */
	fd = nl_socket_get_fd(sk);
	(void)setsockopt(fd, SOL_NETLINK, NETLINK_EXT_ACK, &one, sizeof(one));
	(void)setsockopt(fd, SOL_NETLINK, NETLINK_CAP_ACK, &one, sizeof(one));
	*skp = sk;
	return 0;

fail:
	nl_socket_free(sk);
	return ret;
}

/*
 * A held socket carries many requests.  rtnetlink answers a request
 * while it is sent, so whatever an earlier request left unread (the ack
 * of a lookup libnl does not wait for, the rest of a dump stopped early)
 * is queued by now: drop it, and with it libnl's strict sequence check,
 * which would count those answers as still expected.
 */
static void mn_nl_socket_drain(struct nl_sock *sk)
{
	char buf[4096];
	int fd = nl_socket_get_fd(sk);

	while (recv(fd, buf, sizeof(buf), MSG_DONTWAIT) > 0)
		;
}

void mn_nl_ns_hold(struct mn_nl_ns *ns)
{
	char err[256];

	if (ns->held)
		return;
	if (mn_nl_socket_open(ns, &ns->held, err, sizeof(err)) < 0)
		return;
	nl_socket_disable_seq_check(ns->held);
	/*
	 * libnl peeks at each message to size its buffer: two receives per
	 * message.  One buffer large enough for any rtnetlink message (the
	 * kernel sizes a dump's messages to what the reader reads) saves one.
	 */
	nl_socket_set_msg_buf_size(ns->held, 32768);
	nl_socket_disable_msg_peek(ns->held);
}

void mn_nl_ns_release(struct mn_nl_ns *ns)
{
	nl_socket_free(ns->held);
	ns->held = NULL;
}

static int mn_nl_open(struct mn_nl *nl, const struct mn_nl_ns *ns, char *err, size_t errlen)
{
	int ret;

	memset(nl, 0, sizeof(*nl));
	nl->nsname = mn_nl_nsname(ns);
	if (ns && ns->held) {
		nl->sk = ns->held;
		nl->held = true;
		mn_nl_socket_drain(nl->sk);
	} else {
		ret = mn_nl_socket_open(ns, &nl->sk, err, errlen);
		if (ret < 0)
			return ret;
	}
	nl_socket_modify_err_cb(nl->sk, NL_CB_CUSTOM, mn_nl_err_cb, nl);
	return 0;
}

static void mn_nl_close(struct mn_nl *nl)
{
	if (!nl->held)
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
 * The one request path
 */

int mn_nl_request(const struct mn_nl_req *req, char *err, size_t errlen)
{
	struct mn_nl nl;
	int ifindex = 0, ret;

	if (req->invalid) {
		mn_nl_seterr(err, errlen, "cannot %s: %s", req->what, req->invalid);
		return -EINVAL;
	}
	ret = mn_nl_open(&nl, req->ns, err, errlen);
	if (ret < 0)
		return ret;

	if (req->ifname)
		ret = mn_nl_ifindex(&nl, req->ifname, &ifindex);
	if (ret == 0) {
		mn_nl_reset(&nl);
		ret = req->fn(&nl, ifindex, req->arg);
	}
	if (ret < 0)
		ret = mn_nl_fail(&nl, ret, req->what, err, errlen);
	mn_nl_close(&nl);
	return ret;
}

int mn_nl_ifindex(struct mn_nl *nl, const char *ifname, int *ifindex)
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

static int mn_nl_found(struct mn_nl *nl, int ifindex, void *arg)
{
	return ifindex;
}

int mn_nl_index_in(const struct mn_nl_ns *ns, const char *ifname)
{
	struct mn_nl_req req = {
		.ns = ns,
		.what = "find a link",
		.ifname = ifname,
		.fn = mn_nl_found,
	};

	return mn_nl_request(&req, NULL, 0);
}

/*
 * Arguments
 */

/* libnl copies names into IFNAMSIZ buffers and would silently cut them. */
bool mn_nl_ifname_ok(const char *ifname)
{
	return ifname && *ifname && strlen(ifname) < IFNAMSIZ;
}

bool mn_nl_prefix_ok(const struct prefix *p)
{
	if (!p)
		return false;
	if (p->family == AF_INET)
		return p->prefixlen <= IPV4_MAX_BITLEN;
	if (p->family == AF_INET6)
		return p->prefixlen <= IPV6_MAX_BITLEN;
	return false;
}

struct nl_addr *mn_nl_addr(const struct prefix *p)
{
	struct nl_addr *a;

	if (p->family == AF_INET)
		a = nl_addr_build(AF_INET, &p->u.prefix4, sizeof(p->u.prefix4));
	else
		a = nl_addr_build(AF_INET6, &p->u.prefix6, sizeof(p->u.prefix6));
	if (a)
		nl_addr_set_prefixlen(a, p->prefixlen);
	return a;
}

struct nl_addr *mn_nl_host_addr(const struct prefix *p)
{
	struct nl_addr *a = mn_nl_addr(p);

	if (a)
		nl_addr_set_prefixlen(a, nl_addr_get_len(a) * 8);
	return a;
}
