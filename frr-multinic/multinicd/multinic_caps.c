// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * multinicd: datapath capability probe.
 *
 * Nothing is assumed from the kernel version (DESIGN.md §3): netkit is a
 * build option distributions often leave off, and tcx/clsact depend on
 * the kernel's configuration.  Each feature is tried for real, on
 * throw-away devices that are deleted right away: the probe leaves
 * nothing behind.
 */
#include <zebra.h>

#include <net/if.h>
#include <sys/utsname.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <netlink/netlink.h>
#include <netlink/route/link.h>
#include <netlink/route/link/veth.h>

#include "lib/log.h"
#include "lib/privs.h"

#include "multinicd.h"
#include "multinic_caps.h"
#include "multinic_errors.h"
#include "multinic_uapi.h"

struct multinic_caps multinic_caps;

/* tcx attach types (Linux 6.6); libbpf >= 1.3 headers have them. */
#ifndef BPF_TCX_INGRESS
#define BPF_TCX_INGRESS 46
#endif

/* Names of the throw-away probe devices: short, and unlikely to clash. */
static void probe_ifname(char *buf, size_t len, const char *what)
{
	snprintf(buf, len, "mnp%s%u", what, (unsigned int)getpid() % 100000);
}

static void link_delete_by_name(struct nl_sock *sk, const char *name)
{
	struct rtnl_link *link = rtnl_link_alloc();

	if (!link)
		return;
	rtnl_link_set_name(link, name);
	rtnl_link_delete(sk, link);
	rtnl_link_put(link);
}

/*
 * netkit has no libnl ops (libnl 3.7): build RTM_NEWLINK by hand, the
 * way the datapath will, in L3 mode with a blackholed peer so that the
 * pair can never carry traffic even for the instant it exists.
 */
static bool probe_netkit(struct nl_sock *sk)
{
	struct ifinfomsg ifi = { .ifi_family = AF_UNSPEC };
	struct nlattr *linkinfo, *data;
	char name[IFNAMSIZ];
	struct nl_msg *msg;
	int err;

	probe_ifname(name, sizeof(name), "k");
	msg = nlmsg_alloc_simple(RTM_NEWLINK, NLM_F_CREATE | NLM_F_EXCL);
	if (!msg)
		return false;
	if (nlmsg_append(msg, &ifi, sizeof(ifi), NLMSG_ALIGNTO) < 0 ||
	    nla_put_string(msg, IFLA_IFNAME, name) < 0 ||
	    !(linkinfo = nla_nest_start(msg, IFLA_LINKINFO)) ||
	    nla_put_string(msg, IFLA_INFO_KIND, "netkit") < 0 ||
	    !(data = nla_nest_start(msg, IFLA_INFO_DATA)) ||
	    nla_put_u32(msg, IFLA_NETKIT_MODE, NETKIT_L3) < 0 ||
	    nla_put_u32(msg, IFLA_NETKIT_PEER_POLICY, NETKIT_DROP) < 0) {
		nlmsg_free(msg);
		return false;
	}
	nla_nest_end(msg, data);
	nla_nest_end(msg, linkinfo);

	err = nl_send_sync(sk, msg); /* frees msg */
	if (err < 0) {
		zlog_info("probe: netkit unavailable: %s", nl_geterror(err));
		return false;
	}
	link_delete_by_name(sk, name);
	return true;
}

/*
 * clsact: the qdisc is created on a live device, so it is tried on the
 * probe veth (deleting the veth removes it).
 */
static bool probe_clsact(int ifindex)
{
	LIBBPF_OPTS(bpf_tc_hook, hook, .ifindex = ifindex, .attach_point = BPF_TC_INGRESS);
	int err;

	err = bpf_tc_hook_create(&hook);
	if (err && err != -EEXIST) {
		zlog_info("probe: clsact unavailable: %s", strerror(-err));
		return false;
	}
	return true;
}

static bool probe_veth_and_clsact(struct nl_sock *sk, bool *clsact)
{
	char name[IFNAMSIZ], peer[IFNAMSIZ];
	unsigned int ifindex;
	int err;

	*clsact = false;
	probe_ifname(name, sizeof(name), "v");
	probe_ifname(peer, sizeof(peer), "p");
	/* libnl moves the peer to the netns of this pid: our own */
	err = rtnl_link_veth_add(sk, name, peer, getpid());
	if (err < 0) {
		zlog_info("probe: veth unavailable: %s", nl_geterror(err));
		return false;
	}
	ifindex = if_nametoindex(name);
	if (ifindex)
		*clsact = probe_clsact(ifindex);
	else
		flog_err(EC_MULTINIC_PROBE, "probe: veth %s vanished", name);
	link_delete_by_name(sk, name);
	return true;
}

/*
 * tcx: querying the tcx ingress hook of the loopback device attaches
 * nothing; kernels without tcx reject the attach type with EINVAL.
 */
static bool probe_tcx(void)
{
	LIBBPF_OPTS(bpf_prog_query_opts, query);
	int err;

	err = bpf_prog_query_opts(1, BPF_TCX_INGRESS, &query);
	if (err) {
		zlog_info("probe: tcx unavailable: %s", strerror(errno));
		return false;
	}
	return true;
}

static void probe_netlink_features(struct mn_caps *has)
{
	struct nl_sock *sk = nl_socket_alloc();
	int err;

	if (!sk) {
		flog_err(EC_MULTINIC_PROBE, "probe: out of memory");
		return;
	}
	err = nl_connect(sk, NETLINK_ROUTE);
	if (err < 0) {
		flog_err(EC_MULTINIC_PROBE, "probe: netlink connect: %s", nl_geterror(err));
		nl_socket_free(sk);
		return;
	}
	has->netkit = probe_netkit(sk);
	has->veth = probe_veth_and_clsact(sk, &has->clsact);
	nl_socket_free(sk);
}

/*
 * For tests: MULTINICD_DISABLE_CAPS="tcx,netkit" reports those features
 * missing, so that the fallbacks (veth + clsact, kernel mode) run on a
 * kernel that has everything.  Said loudly: it is never for production.
 */
static void caps_disable_from_env(struct multinic_caps *caps)
{
	const char *list = getenv(MN_CAPS_DISABLE_ENV);
	char err[128];

	if (!list || !*list)
		return;
	if (mn_caps_disable(&caps->has, list, err, sizeof(err)) < 0) {
		flog_err(EC_MULTINIC_PROBE, "%s: %s; ignored", MN_CAPS_DISABLE_ENV, err);
		return;
	}
	strlcpy(caps->disabled, list, sizeof(caps->disabled));
	zlog_warn("datapath capabilities: %s disabled by %s (for tests only)", caps->disabled,
		  MN_CAPS_DISABLE_ENV);
}

static int libbpf_quiet(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	return 0;
}

void multinic_caps_probe(void)
{
	struct multinic_caps *caps = &multinic_caps;
	struct utsname uts;
	libbpf_print_fn_t old_print;

	memset(caps, 0, sizeof(*caps));
	if (uname(&uts) == 0)
		strlcpy(caps->kernel_release, uts.release, sizeof(caps->kernel_release));
	snprintf(caps->libbpf_version, sizeof(caps->libbpf_version), "%u.%u",
		 libbpf_major_version(), libbpf_minor_version());
	caps->has.btf = access("/sys/kernel/btf/vmlinux", R_OK) == 0;

	/* Probing fails by design on some kernels: keep libbpf quiet. */
	old_print = libbpf_set_print(libbpf_quiet);
	frr_with_privs (&multinic_privs) {
		caps->has.bpf_sched_cls = libbpf_probe_bpf_prog_type(BPF_PROG_TYPE_SCHED_CLS,
								     NULL) == 1;
		caps->has.tcx = probe_tcx();
		probe_netlink_features(&caps->has);
	}
	libbpf_set_print(old_print);
	caps_disable_from_env(caps);

	zlog_info("datapath capabilities: kernel %s, libbpf %s, netkit %s, veth %s, tcx %s, clsact %s, BTF %s, SCHED_CLS %s",
		  caps->kernel_release, caps->libbpf_version, caps->has.netkit ? "yes" : "no",
		  caps->has.veth ? "yes" : "no", caps->has.tcx ? "yes" : "no",
		  caps->has.clsact ? "yes" : "no", caps->has.btf ? "yes" : "no",
		  caps->has.bpf_sched_cls ? "yes" : "no");
}
