// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * multinicd: kernel-mode egress datapath.
 */
#include <zebra.h>

#include <fcntl.h>

#include "lib/hook.h"
#include "lib/log.h"
#include "lib/prefix.h"

#include "multinicd.h"
#include "multinic_caps.h"
#include "multinic_errors.h"
#include "multinic_kernel.h"
#include "multinic_netlink.h"
#include "multinic_nic.h"
#include "multinic_task.h"
#include "multinic_zapi.h"

struct egress_family {
	afi_t afi;
	bool installed; /* nexthop group and default route sent to zebra */
	unsigned int members;
};
static struct egress_family egress[AFI_MAX] = {
	[AFI_IP] = { .afi = AFI_IP },
	[AFI_IP6] = { .afi = AFI_IP6 },
};

uint32_t mn_kernel_nhg_id(afi_t afi)
{
	return mn_zapi_nhg_base() + afi;
}

unsigned int mn_kernel_nhg_members(afi_t afi)
{
	return egress[afi].members;
}

bool mn_kernel_active(void)
{
	return egress[AFI_IP].installed || egress[AFI_IP6].installed;
}

enum mn_datapath mn_datapath_in_use(char *reason, size_t len)
{
	char why[256];
	enum mn_datapath dp;

	dp = mn_datapath_select(multinic_cfg.egress_mode, &multinic_caps.has,
				why, sizeof(why));
	if (dp == MN_DP_KERNEL || dp == MN_DP_NONE) {
		strlcpy(reason, why, len);
		return dp;
	}
	snprintf(reason, len,
		 "kernel: the eBPF datapath (%s would be used here) is not part of this release",
		 mn_datapath_name(dp));
	return MN_DP_KERNEL;
}

/*
 * The egress table follows the NICs, not the tasks: it exists whenever
 * multinicd is configured and uses the kernel datapath, so that wiring or
 * deleting a task touches only that task's own objects.
 */
static bool egress_wanted(void)
{
	char reason[256];

	return multinic_cfg.configured &&
	       mn_datapath_in_use(reason, sizeof(reason)) == MN_DP_KERNEL;
}

/*
 * The kernel takes nexthop weights 1..256; scale the NICs' weights
 * (1..1000) so that the largest maps to 255 and none drops to 0.
 */
static uint8_t scaled_weight(uint16_t weight, uint16_t max)
{
	unsigned int w = (weight * 255U + max / 2) / max;

	return w ? w : 1;
}

static bool nic_usable(const struct mn_nic *nic, afi_t afi)
{
	return nic->oper_up && mn_nic_gateway(nic, afi, NULL);
}

/* The healthy NICs with a gateway of this family, as next hops. */
static unsigned int egress_nexthops(afi_t afi, struct mn_zapi_nh *nh,
				    unsigned int max)
{
	const struct mn_nic *nic;
	uint16_t wmax = 1;
	unsigned int n = 0;

	frr_each (mn_nics, &mn_nics, nic)
		if (nic_usable(nic, afi))
			wmax = MAX(wmax, mn_nic_weight(nic));
	frr_each (mn_nics, &mn_nics, nic) {
		if (!nic_usable(nic, afi) || n >= max)
			continue;
		nh[n].ifindex = nic->ifindex;
		nh[n].has_gate = true;
		mn_nic_gateway(nic, afi, &nh[n].gate);
		nh[n].weight = scaled_weight(mn_nic_weight(nic), wmax);
		n++;
	}
	return n;
}

static void egress_default_prefix(afi_t afi, struct prefix *p)
{
	memset(p, 0, sizeof(*p));
	p->family = afi2family(afi);
}

static void egress_family_remove(struct egress_family *e)
{
	struct prefix p;

	if (!e->installed)
		return;
	egress_default_prefix(e->afi, &p);
	mn_zapi_route_nhg(false, &p, MN_EGRESS_TABLE, 0);
	/* zebra frees it once unused ("zebra nexthop-group keep") */
	mn_zapi_nhg_remove(mn_kernel_nhg_id(e->afi));
	e->installed = false;
	e->members = 0;
}

/*
 * Hash flows by their L4 ports too (policy 1), so that one task's flows
 * spread over the NICs; the kernel's default hashes addresses only.
 */
static void multipath_hash_policy_set(void)
{
	static const char *const paths[] = {
		"/proc/sys/net/ipv4/fib_multipath_hash_policy",
		"/proc/sys/net/ipv6/fib_multipath_hash_policy",
	};
	size_t i;

	for (i = 0; i < array_size(paths); i++) {
		bool ok = false;
		int fd;

		/* sysctl checks CAP_NET_ADMIN on write, not only on open */
		frr_with_privs (&multinic_privs) {
			fd = open(paths[i], O_WRONLY | O_CLOEXEC);
			if (fd >= 0) {
				ok = write(fd, "1\n", 2) == 2;
				close(fd);
			}
		}
		if (!ok)
			flog_warn(EC_MULTINIC_SYSFS, "cannot set %s: %s",
				  paths[i], safe_strerror(errno));
	}
}

/*
 * (Re)install one family's nexthop group and default route.  The group
 * keeps its id, so zebra replaces it in place and the route is untouched.
 */
static void egress_family_update(struct egress_family *e)
{
	struct mn_zapi_nh nh[MULTIPATH_NUM];
	struct prefix p;
	unsigned int n;

	n = egress_wanted() ? egress_nexthops(e->afi, nh, array_size(nh)) : 0;
	if (n == 0) {
		if (e->installed)
			zlog_info("egress %s: no healthy NIC with a gateway, removing the default route of table %u",
				  afi2str(e->afi), MN_EGRESS_TABLE);
		egress_family_remove(e);
		return;
	}
	if (!mn_zapi_nhg_install(mn_kernel_nhg_id(e->afi), afi2family(e->afi),
				 nh, n, MN_RESILIENT_BUCKETS))
		return;
	if (!e->installed) {
		multipath_hash_policy_set();
		egress_default_prefix(e->afi, &p);
		mn_zapi_route_nhg(true, &p, MN_EGRESS_TABLE,
				  mn_kernel_nhg_id(e->afi));
		e->installed = true;
	}
	if (e->members != n)
		zlog_info("egress %s: %u NIC(s) in nexthop group %u",
			  afi2str(e->afi), n, mn_kernel_nhg_id(e->afi));
	e->members = n;
}

void mn_kernel_nics_changed(void)
{
	egress_family_update(&egress[AFI_IP]);
	egress_family_update(&egress[AFI_IP6]);
}

static void task_rule(const struct mn_task *task, afi_t afi,
		      struct mn_nl_rule *rule)
{
	memset(rule, 0, sizeof(*rule));
	rule->src.family = afi2family(afi);
	rule->src.plen = task->vip[afi].prefixlen;
	if (afi == AFI_IP)
		rule->src.addr.v4 = task->vip[afi].u.prefix4;
	else
		rule->src.addr.v6 = task->vip[afi].u.prefix6;
	rule->iifname = task->host_ifname;
	rule->table = MN_EGRESS_TABLE;
	rule->priority = MN_RULE_PRIORITY;
}

static void task_rules_del(const struct mn_task *task)
{
	struct mn_nl_ns host = MN_NL_NS_HOST;
	struct mn_nl_rule rule;
	char err[256];
	afi_t afi;

	for (afi = AFI_IP; afi <= AFI_IP6; afi++) {
		if (!task->has_vip[afi])
			continue;
		task_rule(task, afi, &rule);
		if (mn_nl_rule_del(&host, &rule, err, sizeof(err)) < 0)
			zlog_warn("task %s: %s", task->name, err);
	}
}

int mn_kernel_task_attach(struct mn_task *task, char *err, size_t len)
{
	struct mn_nl_ns host = MN_NL_NS_HOST;
	struct mn_nl_rule rule;
	afi_t afi;
	int ret = 0;

	if (task->egress_attached)
		return 0;
	frr_with_privs (&multinic_privs) {
		for (afi = AFI_IP; afi <= AFI_IP6 && ret == 0; afi++) {
			if (!task->has_vip[afi])
				continue;
			task_rule(task, afi, &rule);
			ret = mn_nl_rule_add(&host, &rule, err, len);
			if (ret == -EEXIST) /* left by a previous instance */
				ret = 0;
		}
		if (ret < 0)
			task_rules_del(task);
	}
	if (ret < 0)
		return ret;
	task->egress_attached = true;
	return 0;
}

void mn_kernel_task_detach(struct mn_task *task)
{
	if (!task->egress_attached)
		return;
	frr_with_privs (&multinic_privs)
		task_rules_del(task);
	task->egress_attached = false;
}

static int kernel_nics_changed(void)
{
	mn_kernel_nics_changed();
	return 0;
}

void mn_kernel_init(void)
{
	hook_register(mn_nics_changed, kernel_nics_changed);
}

void mn_kernel_terminate(void)
{
	egress_family_remove(&egress[AFI_IP]);
	egress_family_remove(&egress[AFI_IP6]);
}
