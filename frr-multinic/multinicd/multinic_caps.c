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

#include "lib/log.h"
#include "lib/privs.h"

#include "multinicd.h"
#include "multinic_caps.h"
#include "multinic_errors.h"
#include "multinic_libbpf.h"
#include "multinic_netlink.h"

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

static void probe_link_delete(const char *name)
{
	char err[256];

	if (mn_nl_link_delete(&MN_NL_NS_HOST, name, err, sizeof(err)) < 0)
		flog_err(EC_MULTINIC_PROBE, "probe: %s", err);
}

/*
 * netkit: a throw-away pair made exactly as the datapath makes its pairs
 * (mn_nl_netkit_create(): L3 mode, the peer blackholed, so that it can
 * never carry traffic even for the instant it exists).  A kernel without
 * netkit refuses the kind: -EOPNOTSUPP.
 */
static bool probe_netkit(void)
{
	char name[IFNAMSIZ], peer[IFNAMSIZ], err[256];

	probe_ifname(name, sizeof(name), "k");
	probe_ifname(peer, sizeof(peer), "kp");
	if (mn_nl_netkit_create(name, peer, &MN_NL_NS_HOST, 0, NULL, NULL, err, sizeof(err)) < 0) {
		zlog_info("probe: netkit unavailable: %s", err);
		return false;
	}
	probe_link_delete(name);
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

static bool probe_veth_and_clsact(bool *clsact)
{
	char name[IFNAMSIZ], peer[IFNAMSIZ], err[256];
	int ifindex;

	*clsact = false;
	probe_ifname(name, sizeof(name), "v");
	probe_ifname(peer, sizeof(peer), "p");
	if (mn_nl_veth_create(name, peer, &MN_NL_NS_HOST, 0, &ifindex, NULL, err, sizeof(err)) < 0) {
		zlog_info("probe: veth unavailable: %s", err);
		return false;
	}
	*clsact = probe_clsact(ifindex);
	probe_link_delete(name);
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
	old_print = libbpf_set_print(mn_libbpf_quiet);
	frr_with_privs (&multinic_privs) {
		caps->has.bpf_sched_cls = libbpf_probe_bpf_prog_type(BPF_PROG_TYPE_SCHED_CLS,
								     NULL) == 1;
		caps->has.tcx = probe_tcx();
		caps->has.netkit = probe_netkit();
		caps->has.veth = probe_veth_and_clsact(&caps->has.clsact);
	}
	libbpf_set_print(old_print);
	caps_disable_from_env(caps);

	zlog_info("datapath capabilities: kernel %s, libbpf %s, netkit %s, veth %s, tcx %s, clsact %s, BTF %s, SCHED_CLS %s",
		  caps->kernel_release, caps->libbpf_version, caps->has.netkit ? "yes" : "no",
		  caps->has.veth ? "yes" : "no", caps->has.tcx ? "yes" : "no",
		  caps->has.clsact ? "yes" : "no", caps->has.btf ? "yes" : "no",
		  caps->has.bpf_sched_cls ? "yes" : "no");
}
