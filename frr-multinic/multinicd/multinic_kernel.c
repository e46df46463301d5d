// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * multinicd: kernel-mode egress datapath (see multinic_kernel.h).
 */
#include <zebra.h>

#include <fcntl.h>

#include "lib/hash.h"
#include "lib/log.h"
#include "lib/memory.h"
#include "lib/prefix.h"
#include "lib/typesafe.h"

#include "multinicd.h"
#include "multinic_datapath_ops.h"
#include "multinic_debug.h"
#include "multinic_errors.h"
#include "multinic_kernel.h"
#include "multinic_kernel_numa.h"
#include "multinic_netlink.h"
#include "multinic_nft.h"
#include "multinic_nic_policy.h"
#include "multinic_zapi.h"

DEFINE_MTYPE_STATIC(MULTINICD, MN_KERNEL_TASK, "multinic kernel task record");
DEFINE_MTYPE_STATIC(MULTINICD, MN_KERNEL_NIC, "multinic kernel NIC table");

/*
 * The egress table's default route of a family, via a nexthop group of
 * the healthy NICs.
 */
struct egress_family {
	afi_t afi;
	bool installed; /* nexthop group and default route sent to zebra */
	unsigned int members;
};

/* What the per-NIC table of a NIC holds, per family. */
enum nic_route { NIC_ROUTE_NONE, NIC_ROUTE_VIA_GW, NIC_ROUTE_UNREACHABLE };

PREDECL_HASH(nic_tables);
struct nic_table {
	struct nic_tables_item item;
	ifindex_t ifindex;
	enum nic_route route[AFI_MAX];
	union g_addr gw[AFI_MAX];
	bool seen; /* still selected (nic_tables_update()) */
};

static int nic_table_cmp(const struct nic_table *a, const struct nic_table *b)
{
	return numcmp(a->ifindex, b->ifindex);
}

static uint32_t nic_table_hash(const struct nic_table *t)
{
	return jhash_1word(t->ifindex, 0);
}

DECLARE_HASH(nic_tables, struct nic_table, item, nic_table_cmp, nic_table_hash);

/* The rules a task's addresses need. */
PREDECL_HASH(kernel_tasks);
struct kernel_task {
	struct kernel_tasks_item item;
	char name[MN_TASK_NAME_MAX + 1];
	char host_ifname[IFNAMSIZ];
	bool has_vip[AFI_MAX];
	int numa_node; /* its VIP rules look up this node's table */
	unsigned int nrules;
	struct mn_nl_rule *rules; /* iifname points to host_ifname */
	bool guarded;		  /* anti-spoofing in nftables (multinic_nft.h) */
};

static int kernel_task_cmp(const struct kernel_task *a, const struct kernel_task *b)
{
	return strcmp(a->name, b->name);
}

static uint32_t kernel_task_hash(const struct kernel_task *t)
{
	return string_hash_make(t->name);
}

DECLARE_HASH(kernel_tasks, struct kernel_task, item, kernel_task_cmp, kernel_task_hash);

static struct {
	bool wanted; /* the egress table and per-NIC tables exist */
	struct egress_family egress[AFI_MAX];
	struct nic_tables_head nic_tables;
	struct kernel_tasks_head tasks;
	struct mn_dp_nic *nics; /* as last handed down */
	unsigned int n_nics;
	struct event *t_update; /* the tables, once the current commit is applied */
	enum mn_numa_policy numa_policy;
} kd = {
	.egress = { [AFI_IP] = { .afi = AFI_IP }, [AFI_IP6] = { .afi = AFI_IP6 } },
};

static uint32_t nhg_id(afi_t afi)
{
	return mn_zapi_nhg_base() + afi;
}

bool mn_kernel_active(void)
{
	return kd.egress[AFI_IP].installed || kd.egress[AFI_IP6].installed;
}

/*
 * The egress table
 */

/* The healthy NICs with a gateway of this family, as next hops. */
static unsigned int egress_nexthops(afi_t afi, struct mn_zapi_nh *nh, unsigned int max)
{
	return mn_kernel_nexthops(kd.nics, kd.n_nics, ~0ULL, afi, nh, max);
}

static void default_prefix(afi_t afi, struct prefix *p)
{
	memset(p, 0, sizeof(*p));
	p->family = afi2family(afi);
}

static void egress_family_remove(struct egress_family *e)
{
	struct prefix p;

	if (!e->installed)
		return;
	default_prefix(e->afi, &p);
	mn_zapi_route_nhg(false, &p, MN_EGRESS_TABLE, 0);
	/* zebra frees it once unused ("zebra nexthop-group keep") */
	mn_zapi_nhg_remove(nhg_id(e->afi));
	e->installed = false;
	e->members = 0;
	DEBUGD(&mn_dbg_datapath, "kernel datapath: %s default route of table %u removed",
	       afi2str(e->afi), MN_EGRESS_TABLE);
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

	n = kd.wanted ? egress_nexthops(e->afi, nh, array_size(nh)) : 0;
	if (n == 0) {
		if (e->installed)
			zlog_info("egress %s: no healthy NIC with a gateway, removing the default route of table %u",
				  afi2str(e->afi), MN_EGRESS_TABLE);
		egress_family_remove(e);
		return;
	}
	if (!mn_zapi_nhg_install(nhg_id(e->afi), afi2family(e->afi), nh, n, MN_RESILIENT_BUCKETS))
		return;
	if (!e->installed) {
		multipath_hash_policy_set();
		default_prefix(e->afi, &p);
		mn_zapi_route_nhg(true, &p, MN_EGRESS_TABLE, nhg_id(e->afi));
		e->installed = true;
	}
	if (e->members != n)
		zlog_info("egress %s: %u NIC(s) in nexthop group %u", afi2str(e->afi), n,
			  nhg_id(e->afi));
	e->members = n;
}

/*
 * The per-NIC tables follow the selected NICs, like the egress table
 */

static void nic_table_set(struct nic_table *t, afi_t afi, enum nic_route want,
			  const union g_addr *gw)
{
	struct mn_zapi_nh nh = { .ifindex = t->ifindex, .has_gate = true };
	struct prefix p;

	if (want == t->route[afi] &&
	    (want != NIC_ROUTE_VIA_GW || !memcmp(gw, &t->gw[afi], sizeof(*gw))))
		return;
	default_prefix(afi, &p);
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

static struct nic_table *nic_table_get(ifindex_t ifindex)
{
	struct nic_table key = { .ifindex = ifindex }, *t;

	t = nic_tables_find(&kd.nic_tables, &key);
	if (t)
		return t;
	t = XCALLOC(MTYPE_MN_KERNEL_NIC, sizeof(*t));
	t->ifindex = ifindex;
	nic_tables_add(&kd.nic_tables, t);
	return t;
}

static void nic_table_fill(struct nic_table *t, const struct mn_dp_nic *nic)
{
	afi_t afi;

	for (afi = AFI_IP; afi <= AFI_IP6; afi++) {
		if (!nic->has_gw[afi])
			nic_table_set(t, afi, NIC_ROUTE_NONE, NULL);
		else
			nic_table_set(t, afi, nic->up ? NIC_ROUTE_VIA_GW : NIC_ROUTE_UNREACHABLE,
				      &nic->gw[afi]);
	}
}

static void nic_tables_update(void)
{
	struct nic_table *t;
	unsigned int i;
	afi_t afi;

	frr_each (nic_tables, &kd.nic_tables, t)
		t->seen = false;
	for (i = 0; i < kd.n_nics && kd.wanted; i++) {
		if (kd.nics[i].ifindex == IFINDEX_INTERNAL)
			continue;
		t = nic_table_get(kd.nics[i].ifindex);
		t->seen = true;
		nic_table_fill(t, &kd.nics[i]);
	}
	frr_each_safe (nic_tables, &kd.nic_tables, t) {
		if (t->seen)
			continue;
		for (afi = AFI_IP; afi <= AFI_IP6; afi++)
			nic_table_set(t, afi, NIC_ROUTE_NONE, NULL);
		nic_tables_del(&kd.nic_tables, t);
		XFREE(MTYPE_MN_KERNEL_NIC, t);
	}
}

/* The node tables of the attached tasks' nodes, and of extra_node. */
static void numa_tables_update(int extra_node)
{
	const struct kernel_task *t;
	struct mn_numa_set used = {};

	frr_each (kernel_tasks_const, &kd.tasks, t)
		if (t->numa_node >= 0)
			mn_numa_set_add(&used, t->numa_node);
	if (extra_node >= 0)
		mn_numa_set_add(&used, extra_node);
	mn_kernel_numa_update(kd.nics, kd.n_nics, kd.numa_policy, &used, kd.wanted);
}

static void tables_update(void)
{
	egress_family_update(&kd.egress[AFI_IP]);
	egress_family_update(&kd.egress[AFI_IP6]);
	nic_tables_update();
	numa_tables_update(MN_NUMA_NODE_NONE);
}

static void tables_update_event(struct event *t)
{
	tables_update();
}

/*
 * One commit selects its NICs one by one (a configuration load: all of
 * them); the tables follow once it is applied.  Replacing the resilient
 * group with 1 member, then 2, ... would move every bucket of the others
 * onto the first NIC, and after a restart that moves the flows of the
 * group the kernel kept.
 */
static void tables_update_soon(void)
{
	event_add_timer_msec(master, tables_update_event, NULL, 0, &kd.t_update);
}

static int kernel_config_changed(const struct mn_dp_config *cfg, bool active, char *err,
				 size_t len)
{
	kd.wanted = active;
	kd.numa_policy = cfg->numa_policy;
	tables_update_soon();
	return 0;
}

static int kernel_nics_changed(const struct mn_dp_nic *nics, unsigned int n, char *err, size_t len)
{
	XFREE(MTYPE_MN_KERNEL_NIC, kd.nics);
	kd.n_nics = n;
	if (n) {
		kd.nics = XCALLOC(MTYPE_MN_KERNEL_NIC, n * sizeof(*nics));
		memcpy(kd.nics, nics, n * sizeof(*nics));
	}
	tables_update_soon();
	return 0;
}

/*
 * Tasks: a source rule per address
 */

static void rule_add_to(struct kernel_task *t, const struct prefix *src, uint32_t table,
			uint32_t priority)
{
	struct mn_nl_rule *r = &t->rules[t->nrules++];

	memset(r, 0, sizeof(*r));
	prefix_copy(&r->src, src);
	r->iifname = t->host_ifname;
	r->table = table;
	r->priority = priority;
}

/*
 * Every rule a task needs: its VIPs into the egress table, its per-NIC
 * addresses into their NIC's table.
 */
static struct kernel_task *task_new(const struct mn_task_wiring *w)
{
	struct kernel_task *t = XCALLOC(MTYPE_MN_KERNEL_TASK, sizeof(*t));
	unsigned int i;
	afi_t afi;

	strlcpy(t->name, w->name, sizeof(t->name));
	strlcpy(t->host_ifname, w->host_ifname, sizeof(t->host_ifname));
	t->rules = XCALLOC(MTYPE_MN_KERNEL_TASK, (AFI_MAX + w->naddrs) * sizeof(*t->rules));
	t->numa_node = w->numa_node;
	for (afi = AFI_IP; afi <= AFI_IP6; afi++) {
		t->has_vip[afi] = w->has_vip[afi];
		if (w->has_vip[afi])
			rule_add_to(t, &w->vip[afi], mn_kernel_numa_table(t->numa_node),
				    MN_RULE_PRIORITY);
	}
	for (i = 0; i < w->naddrs; i++)
		rule_add_to(t, &w->addrs[i].addr, MN_NIC_TABLE_BASE + w->addrs[i].nic_ifindex,
			    MN_NIC_RULE_PRIORITY);
	return t;
}

static void task_free(struct kernel_task *t)
{
	XFREE(MTYPE_MN_KERNEL_TASK, t->rules);
	XFREE(MTYPE_MN_KERNEL_TASK, t);
}

static void rules_del(const struct kernel_task *t, unsigned int n)
{
	struct mn_nl_ns host = MN_NL_NS_HOST;
	char err[256];
	unsigned int i;

	for (i = 0; i < n; i++)
		if (mn_nl_rule_del(&host, &t->rules[i], err, sizeof(err)) < 0)
			zlog_warn("task %s: %s", t->name, err);
}

/*
 * Anti-spoofing: the sources of its rules are all the task may send
 * from.  A failure is logged and shown with the task's objects; the task
 * is still wired (the eBPF program drops spoofed packets on its own).
 */
/* The distinct sources of the task's rules (a VIP has a rule per table). */
static unsigned int task_sources(const struct kernel_task *t, struct prefix *allowed)
{
	unsigned int i, j, n = 0;

	for (i = 0; i < t->nrules; i++) {
		for (j = 0; j < n && !prefix_same(&allowed[j], &t->rules[i].src); j++)
			;
		if (j == n)
			prefix_copy(&allowed[n++], &t->rules[i].src);
	}
	return n;
}

static void task_guard(struct kernel_task *t)
{
	struct prefix allowed[t->nrules];
	unsigned int n = task_sources(t, allowed);
	char err[256];

	t->guarded = mn_nft_task_guard(t->host_ifname, allowed, n, err, sizeof(err)) == 0;
	if (!t->guarded)
		flog_err(EC_MULTINIC_NFT, "task %s: no anti-spoofing: %s", t->name, err);
}

static void task_unguard(const struct kernel_task *t)
{
	struct prefix allowed[t->nrules];
	unsigned int n = task_sources(t, allowed);

	mn_nft_task_unguard(t->host_ifname, allowed, n);
}

static struct kernel_task *task_find(const char *name)
{
	struct kernel_task key = {};

	strlcpy(key.name, name, sizeof(key.name));
	return kernel_tasks_find(&kd.tasks, &key);
}

static int kernel_task_attach(const struct mn_task_wiring *w, char *err, size_t len)
{
	struct mn_nl_ns host = MN_NL_NS_HOST;
	struct kernel_task *t;
	unsigned int i;
	int ret = 0;

	if (task_find(w->name))
		return 0;
	t = task_new(w);
	numa_tables_update(t->numa_node); /* its node's table before its rules */
	frr_with_privs (&multinic_privs) {
		for (i = 0; i < t->nrules && ret == 0; i++) {
			ret = mn_nl_rule_add(&host, &t->rules[i], err, len);
			if (ret == -EEXIST) /* left by a previous instance */
				ret = 0;
		}
		if (ret < 0)
			rules_del(t, i - 1);
	}
	if (ret < 0) {
		task_free(t);
		numa_tables_update(MN_NUMA_NODE_NONE);
		return ret;
	}
	task_guard(t);
	kernel_tasks_add(&kd.tasks, t);
	DEBUGD(&mn_dbg_datapath, "kernel datapath: task %s: %u rule(s) on %s", t->name, t->nrules,
	       t->host_ifname);
	return 0;
}

static void kernel_task_detach(const char *name)
{
	struct kernel_task *t = task_find(name);

	if (!t)
		return;
	frr_with_privs (&multinic_privs)
		rules_del(t, t->nrules);
	if (t->guarded)
		task_unguard(t);
	kernel_tasks_del(&kd.tasks, t);
	if (!kernel_tasks_count(&kd.tasks))
		mn_nft_table_remove();
	DEBUGD(&mn_dbg_datapath, "kernel datapath: task %s: rules removed", t->name);
	task_free(t);
	numa_tables_update(MN_NUMA_NODE_NONE);
}

/*
 * The task's VIP rules move to its new node's table: each new rule goes
 * in before the old one goes, so that its traffic always has a rule.
 */
static int kernel_task_numa_changed(const char *name, int node, char *err, size_t len)
{
	struct mn_nl_ns host = MN_NL_NS_HOST;
	struct kernel_task *t = task_find(name);
	struct mn_nl_rule old;
	unsigned int i;
	int ret = 0;

	if (!t || t->numa_node == node)
		return 0;
	numa_tables_update(node);
	frr_with_privs (&multinic_privs) {
		for (i = 0; i < t->nrules; i++) {
			if (t->rules[i].priority != MN_RULE_PRIORITY)
				continue; /* per-NIC addresses keep their NIC's table */
			old = t->rules[i];
			t->rules[i].table = mn_kernel_numa_table(node);
			ret = mn_nl_rule_add(&host, &t->rules[i], err, len);
			if (ret < 0 && ret != -EEXIST) {
				t->rules[i] = old;
				break;
			}
			ret = 0;
			if (mn_nl_rule_del(&host, &old, err, len) < 0)
				zlog_warn("task %s: %s", t->name, err);
		}
	}
	if (ret == 0)
		t->numa_node = node;
	numa_tables_update(MN_NUMA_NODE_NONE);
	DEBUGD(&mn_dbg_datapath, "kernel datapath: task %s: VIP rules into table %u", t->name,
	       mn_kernel_numa_table(t->numa_node));
	return ret;
}

static void kernel_task_objects(const char *name, mn_dp_object_fn fn, void *arg)
{
	const struct kernel_task *t = task_find(name);
	char what[200];
	unsigned int i;
	afi_t afi;

	if (!t)
		return;
	for (i = 0; i < t->nrules; i++) {
		snprintfrr(what, sizeof(what), "from %pFX iif %s lookup %u pref %u proto multinic",
			   &t->rules[i].src, t->host_ifname, t->rules[i].table,
			   t->rules[i].priority);
		fn(arg, "rule", "host", true, what);
	}
	snprintf(what, sizeof(what),
		 "table inet multinic, chain t_%s: sources other than the task's dropped",
		 t->host_ifname);
	fn(arg, "nftables", "host", t->guarded, what);
	for (afi = AFI_IP; afi <= AFI_IP6; afi++) {
		if (!t->has_vip[afi])
			continue;
		if (t->numa_node >= 0) {
			bool present = mn_kernel_numa_describe(t->numa_node, afi, what,
							       sizeof(what));

			fn(arg, "nexthop-group", "host", present, what);
			continue;
		}
		snprintf(what, sizeof(what),
			 "id %u (%u NICs), default route of table %u (shared by all tasks)",
			 nhg_id(afi), kd.egress[afi].members, MN_EGRESS_TABLE);
		fn(arg, "nexthop-group", "host", kd.egress[afi].members > 0, what);
	}
}

/*
 * multinicd stops: memory only.  The rules stay in the kernel and zebra
 * keeps the routes (graceful restart): the tasks go on forwarding, and
 * the next multinicd takes them over.
 */
static void kernel_terminate(void)
{
	struct kernel_task *t;
	struct nic_table *nt;

	event_cancel(&kd.t_update);
	while ((t = kernel_tasks_pop(&kd.tasks)))
		task_free(t);
	while ((nt = nic_tables_pop(&kd.nic_tables)))
		XFREE(MTYPE_MN_KERNEL_NIC, nt);
	mn_nft_terminate();
	kernel_tasks_fini(&kd.tasks);
	nic_tables_fini(&kd.nic_tables);
	XFREE(MTYPE_MN_KERNEL_NIC, kd.nics);
}

/*
 * Reconciling after a restart: the rules of protocol multinic (and the
 * anti-spoofing elements, multinic_nft.c) that no attached task claims
 * were left by an earlier multinicd for tasks no
 * longer configured (or addresses no longer theirs).
 */
static bool rule_claimed(const struct mn_nl_rule *r)
{
	struct kernel_task *t;
	unsigned int i;

	frr_each (kernel_tasks, &kd.tasks, t)
		for (i = 0; i < t->nrules; i++)
			if (prefix_same(&t->rules[i].src, &r->src) &&
			    t->rules[i].table == r->table &&
			    t->rules[i].priority == r->priority && r->iifname &&
			    strmatch(t->rules[i].iifname, r->iifname))
				return true;
	return false;
}

static void rule_seen(const struct mn_nl_rule *r, void *arg)
{
	struct mn_nl_ns host = MN_NL_NS_HOST;
	unsigned int *removed = arg;
	char err[256];

	if (rule_claimed(r))
		return;
	if (mn_nl_rule_del(&host, r, err, sizeof(err)) < 0) {
		zlog_warn("cannot remove a rule an earlier multinicd left: %s", err);
		return;
	}
	zlog_info("removed rule from %pFX iif %s lookup %u pref %u, left by an earlier multinicd",
		  &r->src, r->iifname ? r->iifname : "-", r->table, r->priority);
	(*removed)++;
}

/*
 * A guarded device is claimed by the attached task on it, a source of
 * the device by that task's rule from it.
 */
static bool device_claimed(const char *host_ifname, const struct prefix *source, void *arg)
{
	struct kernel_task *t;
	unsigned int i;

	frr_each (kernel_tasks, &kd.tasks, t) {
		if (!strmatch(t->host_ifname, host_ifname))
			continue;
		if (!source)
			return true;
		for (i = 0; i < t->nrules; i++)
			if (prefix_same(&t->rules[i].src, source))
				return true;
	}
	return false;
}

static void kernel_tasks_settled(void)
{
	struct mn_nl_ns host = MN_NL_NS_HOST;
	unsigned int removed = 0, unguarded;
	char err[256];
	int family;

	frr_with_privs (&multinic_privs) {
		for (family = AF_INET; family; family = family == AF_INET ? AF_INET6 : 0)
			if (mn_nl_rules_dump(&host, family, rule_seen, &removed, err,
					     sizeof(err)) < 0)
				zlog_warn("cannot list the rules: %s", err);
	}
	unguarded = mn_nft_reconcile(device_claimed, NULL);
	DEBUGD(&mn_dbg_datapath,
	       "kernel datapath: settled, %u unclaimed rule(s) removed, %u device(s) no longer guarded",
	       removed, unguarded);
}

/* Only what the kernel counts for the task: its spoofed packets. */
static bool kernel_task_counters(const char *name, struct mn_dp_counters *c)
{
	const struct kernel_task *t = task_find(name);

	memset(c, 0, sizeof(*c));
	return t && t->guarded && mn_nft_task_spoofed(t->host_ifname, &c->spoofed);
}

static enum mn_datapath kernel_task_datapath(const char *name)
{
	return task_find(name) ? MN_DP_KERNEL : MN_DP_NONE;
}

static const struct mn_datapath_ops kernel_ops = {
	.name = "kernel",
	.config_changed = kernel_config_changed,
	.nics_changed = kernel_nics_changed,
	.task_attach = kernel_task_attach,
	.task_detach = kernel_task_detach,
	.tasks_settled = kernel_tasks_settled,
	.task_numa_changed = kernel_task_numa_changed,
	.terminate = kernel_terminate,
	.task_datapath = kernel_task_datapath,
	.task_objects = kernel_task_objects,
	.task_counters = kernel_task_counters,
};

const struct mn_datapath_ops *mn_kernel_datapath(void)
{
	nic_tables_init(&kd.nic_tables);
	kernel_tasks_init(&kd.tasks);
	return &kernel_ops;
}
