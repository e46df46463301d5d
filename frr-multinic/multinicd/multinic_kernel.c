// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * multinicd: kernel-mode egress datapath.
 */
#include <zebra.h>

#include <fcntl.h>

#include "lib/hook.h"
#include "lib/if.h"
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

/* What the per-NIC table of a NIC holds, per family. */
enum nic_route { NIC_ROUTE_NONE, NIC_ROUTE_VIA_GW, NIC_ROUTE_UNREACHABLE };

#define MAX_NIC_TABLES 64
struct nic_table {
	ifindex_t ifindex; /* 0: free slot */
	enum nic_route route[AFI_MAX];
	union g_addr gw[AFI_MAX];
};
static struct nic_table nic_tables[MAX_NIC_TABLES];

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

/* Why egress-mode auto left the eBPF datapath at runtime; "": it did not. */
static char auto_fallback[256];

void mn_datapath_auto_fall_back(const char *why)
{
	strlcpy(auto_fallback, why, sizeof(auto_fallback));
}

void mn_datapath_auto_reset(void)
{
	auto_fallback[0] = '\0';
}

enum mn_datapath mn_datapath_in_use(char *reason, size_t len)
{
	char why[256];
	enum mn_datapath dp;

	dp = mn_datapath_select(multinic_cfg.egress_mode, &multinic_caps.has, why, sizeof(why));
	/* multinic_ebpf.c does every eBPF datapath (netkit, veth + tcx or clsact) */
	if (dp == MN_DP_KERNEL || dp == MN_DP_NONE || multinic_cfg.egress_mode != MN_EGRESS_AUTO) {
		strlcpy(reason, why, len);
		return dp;
	}
	if (auto_fallback[0]) {
		snprintf(reason, len, "kernel: egress-mode auto fell back from %s: %s",
			 mn_datapath_name(dp), auto_fallback);
		return MN_DP_KERNEL;
	}
	snprintf(reason, len, "%s (egress-mode auto; it falls back to kernel if attaching fails)",
		 why);
	return dp;
}

/*
 * The egress table follows the NICs, not the tasks: it exists whenever
 * multinicd is configured, so that wiring or deleting a task touches only
 * that task's own objects.  Under the eBPF datapath it stays as the
 * fallback for the packets the programs pass (no usable NIC).
 */
static bool egress_wanted(void)
{
	char reason[256];

	return multinic_cfg.configured && mn_datapath_in_use(reason, sizeof(reason)) != MN_DP_NONE;
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
static unsigned int egress_nexthops(afi_t afi, struct mn_zapi_nh *nh, unsigned int max)
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
			flog_warn(EC_MULTINIC_SYSFS, "cannot set %s: %s", paths[i],
				  safe_strerror(errno));
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
	if (!mn_zapi_nhg_install(mn_kernel_nhg_id(e->afi), afi2family(e->afi), nh, n,
				 MN_RESILIENT_BUCKETS))
		return;
	if (!e->installed) {
		multipath_hash_policy_set();
		egress_default_prefix(e->afi, &p);
		mn_zapi_route_nhg(true, &p, MN_EGRESS_TABLE, mn_kernel_nhg_id(e->afi));
		e->installed = true;
	}
	if (e->members != n)
		zlog_info("egress %s: %u NIC(s) in nexthop group %u", afi2str(e->afi), n,
			  mn_kernel_nhg_id(e->afi));
	e->members = n;
}

static void nic_table_set(struct nic_table *t, afi_t afi, enum nic_route want,
			  const union g_addr *gw)
{
	struct mn_zapi_nh nh = { .ifindex = t->ifindex, .has_gate = true };
	struct prefix p;

	if (want == t->route[afi] &&
	    (want != NIC_ROUTE_VIA_GW || !memcmp(gw, &t->gw[afi], sizeof(*gw))))
		return;
	egress_default_prefix(afi, &p);
	if (want == NIC_ROUTE_NONE) {
		mn_zapi_route_nh(false, &p, MN_NIC_TABLE_BASE + t->ifindex, NULL);
	} else {
		if (gw)
			nh.gate = *gw;
		/* an ADD replaces the table's default route */
		mn_zapi_route_nh(true, &p, MN_NIC_TABLE_BASE + t->ifindex,
				 want == NIC_ROUTE_VIA_GW ? &nh : NULL);
	}
	t->route[afi] = want;
	if (gw)
		t->gw[afi] = *gw;
}

static struct nic_table *nic_table_get(ifindex_t ifindex, bool create)
{
	struct nic_table *free_slot = NULL;
	size_t i;

	for (i = 0; i < array_size(nic_tables); i++) {
		if (nic_tables[i].ifindex == ifindex)
			return &nic_tables[i];
		if (!nic_tables[i].ifindex && !free_slot)
			free_slot = &nic_tables[i];
	}
	if (!create || !free_slot)
		return NULL;
	memset(free_slot, 0, sizeof(*free_slot));
	free_slot->ifindex = ifindex;
	return free_slot;
}

/* The per-NIC tables follow the selected NICs, like the egress table. */
static void nic_tables_update(bool wanted)
{
	const struct mn_nic *nic;
	struct nic_table *t;
	union g_addr gw;
	size_t i;
	afi_t afi;

	for (i = 0; i < array_size(nic_tables); i++) {
		t = &nic_tables[i];
		if (!t->ifindex)
			continue;
		frr_each (mn_nics, &mn_nics, nic)
			if (nic->ifindex == t->ifindex)
				break;
		if (wanted && nic)
			continue;
		for (afi = AFI_IP; afi <= AFI_IP6; afi++)
			nic_table_set(t, afi, NIC_ROUTE_NONE, NULL);
		t->ifindex = 0;
	}
	if (!wanted)
		return;
	frr_each (mn_nics, &mn_nics, nic) {
		if (nic->ifindex == IFINDEX_INTERNAL)
			continue;
		t = nic_table_get(nic->ifindex, true);
		if (!t)
			break;
		for (afi = AFI_IP; afi <= AFI_IP6; afi++) {
			if (!mn_nic_gateway(nic, afi, &gw))
				nic_table_set(t, afi, NIC_ROUTE_NONE, NULL);
			else
				nic_table_set(t, afi,
					      nic->oper_up ? NIC_ROUTE_VIA_GW
							   : NIC_ROUTE_UNREACHABLE,
					      &gw);
		}
	}
}

void mn_kernel_nics_changed(void)
{
	egress_family_update(&egress[AFI_IP]);
	egress_family_update(&egress[AFI_IP6]);
	nic_tables_update(egress_wanted());
}

/*
 * Every rule a task needs: its VIPs into the egress table, its per-NIC
 * addresses into their NIC's table.  Returns how many were written; a
 * per-NIC address whose NIC does not exist yields an error instead.
 */
static int task_rules(const struct mn_task *task, struct mn_nl_rule *rules, unsigned int max,
		      char *err, size_t len)
{
	const struct mn_task_addr *ta;
	unsigned int n = 0;
	afi_t afi;

	for (afi = AFI_IP; afi <= AFI_IP6; afi++) {
		if (task->has_vip[afi] && n < max)
			rules[n++] = (struct mn_nl_rule){ .src = task->vip[afi],
							  .iifname = task->host_ifname,
							  .table = MN_EGRESS_TABLE,
							  .priority = MN_RULE_PRIORITY };
		frr_each (mn_task_addrs, &task->addrs, ta) {
			struct interface *ifp;

			if (!ta->has[afi] || n >= max)
				continue;
			ifp = if_lookup_by_name(ta->nic, VRF_DEFAULT);
			if (!ifp || ifp->ifindex == IFINDEX_INTERNAL) {
				snprintf(err, len, "per-NIC address of NIC %s: no such interface",
					 ta->nic);
				return -ENODEV;
			}
			rules[n++] = (struct mn_nl_rule){ .src = ta->addr[afi],
							  .iifname = task->host_ifname,
							  .table = MN_NIC_TABLE_BASE + ifp->ifindex,
							  .priority = MN_NIC_RULE_PRIORITY };
		}
	}
	return n;
}

#define MAX_TASK_RULES 64

static void rules_del(const struct mn_task *task, struct mn_nl_rule *rules, int n)
{
	struct mn_nl_ns host = MN_NL_NS_HOST;
	char err[256];
	int i;

	for (i = 0; i < n; i++)
		if (mn_nl_rule_del(&host, &rules[i], err, sizeof(err)) < 0)
			zlog_warn("task %s: %s", task->name, err);
}

int mn_kernel_task_attach(struct mn_task *task, char *err, size_t len)
{
	struct mn_nl_rule rules[MAX_TASK_RULES];
	struct mn_nl_ns host = MN_NL_NS_HOST;
	int i, n, ret = 0;

	if (task->egress_attached)
		return 0;
	n = task_rules(task, rules, array_size(rules), err, len);
	if (n < 0)
		return n;
	frr_with_privs (&multinic_privs) {
		for (i = 0; i < n && ret == 0; i++) {
			ret = mn_nl_rule_add(&host, &rules[i], err, len);
			if (ret == -EEXIST) /* left by a previous instance */
				ret = 0;
		}
		if (ret < 0)
			rules_del(task, rules, i - 1);
	}
	if (ret < 0)
		return ret;
	task->egress_attached = true;
	return 0;
}

void mn_kernel_task_detach(struct mn_task *task)
{
	struct mn_nl_rule rules[MAX_TASK_RULES];
	char err[256];
	int n;

	if (!task->egress_attached)
		return;
	n = task_rules(task, rules, array_size(rules), err, sizeof(err));
	if (n < 0)
		zlog_warn("task %s: %s", task->name, err);
	else
		frr_with_privs (&multinic_privs)
			rules_del(task, rules, n);
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
	nic_tables_update(false);
	egress_family_remove(&egress[AFI_IP]);
	egress_family_remove(&egress[AFI_IP6]);
}
