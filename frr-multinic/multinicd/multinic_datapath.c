// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * multinicd: the egress datapath switch (see multinic_datapath.h).
 */
#include <zebra.h>

#include "lib/hash.h"
#include "lib/log.h"
#include "lib/memory.h"
#include "lib/typesafe.h"

#include "multinicd.h"
#include "multinic_caps.h"
#include "multinic_datapath.h"
#include "multinic_debug.h"
#include "multinic_ebpf.h"
#include "multinic_errors.h"
#include "multinic_kernel.h"
#include "multinic_steer.h"

DEFINE_MTYPE_STATIC(MULTINICD, MN_DP_TASK, "multinic wired task");

/*
 * The wired tasks as the task layer handed them down: when the eBPF
 * datapath comes on (egress-mode changed, auto retried), each is handed
 * to it in turn.
 */
PREDECL_HASH(dp_tasks);
struct dp_task {
	struct dp_tasks_item item;
	char name[MN_TASK_NAME_MAX + 1];
	char host_ifname[IFNAMSIZ];
	struct mn_task_wiring w; /* name, host_ifname and addrs point into this record */
	struct mn_dp_task_addr *addrs;
};

static int dp_task_cmp(const struct dp_task *a, const struct dp_task *b)
{
	return strcmp(a->name, b->name);
}

static uint32_t dp_task_hash(const struct dp_task *t)
{
	return string_hash_make(t->name);
}

DECLARE_HASH(dp_tasks, struct dp_task, item, dp_task_cmp, dp_task_hash);

static struct {
	const struct mn_datapath_ops *kernel;
	const struct mn_datapath_ops *ebpf;
	/*
	 * Receive steering (multinic_steer.c): beside whichever datapath
	 * carries the egress, never part of its fall-back; its failures are
	 * logged and shown, never a task's.
	 */
	const struct mn_datapath_ops *steer;
	struct mn_dp_config cfg;
	/* Why egress-mode auto left the eBPF datapath at runtime; "": it did not. */
	char fallback[256];
	bool ebpf_on;	 /* the eBPF datapath was told it is active */
	bool terminated; /* multinicd stops: nothing is handed down any more */
	struct dp_tasks_head tasks;
} dp;

static bool is_ebpf(enum mn_datapath d)
{
	return d == MN_DP_NETKIT || d == MN_DP_VETH_TCX || d == MN_DP_VETH_CLSACT;
}

/*
 * Selection
 */

enum mn_datapath mn_datapath_in_use(char *reason, size_t len)
{
	char why[256];
	enum mn_datapath d;

	d = mn_datapath_select(dp.cfg.egress_mode, &multinic_caps.has, why, sizeof(why));
	if (!is_ebpf(d) || dp.cfg.egress_mode != MN_EGRESS_AUTO) {
		strlcpy(reason, why, len);
		return d;
	}
	if (dp.fallback[0]) {
		snprintf(reason, len, "kernel: egress-mode auto fell back from %s: %s",
			 mn_datapath_name(d), dp.fallback);
		return MN_DP_KERNEL;
	}
	snprintf(reason, len, "%s (egress-mode auto; it falls back to kernel if attaching fails)",
		 why);
	return d;
}

bool mn_datapath_ebpf_possible(char *why, size_t len)
{
	char reason[256];

	if (mn_datapath_select(MN_EGRESS_EBPF, &multinic_caps.has, reason, sizeof(reason)) !=
	    MN_DP_NONE)
		return true;
	snprintf(why, len, "%s", reason + strlen("none: "));
	return false;
}

bool mn_datapath_ebpf_active(void)
{
	char reason[256];

	return dp.cfg.configured && is_ebpf(mn_datapath_in_use(reason, sizeof(reason)));
}

/*
 * The egress table of the kernel datapath follows the NICs, not the
 * tasks: it exists whenever multinicd is configured and some datapath is
 * possible, so that wiring or deleting a task touches only that task's
 * own objects.  Under the eBPF datapath it stays as the fallback for the
 * packets the programs pass (no usable NIC).
 */
static bool kernel_active(void)
{
	char reason[256];

	return dp.cfg.configured && mn_datapath_in_use(reason, sizeof(reason)) != MN_DP_NONE;
}

/*
 * Fall-back and (re)activation of the eBPF datapath
 */

/*
 * egress-mode auto uses eBPF only while it works: when loading or an
 * attach fails, the eBPF datapath takes off everything it attached and
 * the kernel datapath, always in place underneath, carries the tasks;
 * until the egress-mode is configured again or multinicd restarts.  True
 * when that happened; under egress-mode ebpf the failure is the caller's
 * to report.
 */
static bool auto_fall_back(const char *why)
{
	if (dp.cfg.egress_mode != MN_EGRESS_AUTO)
		return false;
	flog_err(EC_MULTINIC_BPF, "eBPF datapath: %s; egress-mode auto falls back to kernel", why);
	strlcpy(dp.fallback, why, sizeof(dp.fallback));
	dp.ebpf_on = false;
	if (dp.ebpf->stop)
		dp.ebpf->stop();
	DEBUGD(&mn_dbg_datapath, "datapath: kernel (auto fell back)");
	return true;
}

/* An eBPF failure outside any task (loading, a NIC's hook). */
static void ebpf_failed(int ret, const char *err)
{
	if (ret < 0 && !auto_fall_back(err))
		flog_err(EC_MULTINIC_BPF, "eBPF datapath: %s", err);
}

/* Every wired task onto the eBPF datapath, which just came on. */
static void ebpf_attach_all(void)
{
	char err[256], why[320];
	struct dp_task *t;
	int ret;

	frr_each_safe (dp_tasks, &dp.tasks, t) {
		ret = dp.ebpf->task_attach(&t->w, err, sizeof(err));
		if (ret == 0)
			continue;
		snprintf(why, sizeof(why), "task %s: %s", t->name, err);
		if (auto_fall_back(why))
			return;
		flog_err(EC_MULTINIC_BPF, "eBPF datapath: %s", why);
	}
}

/* Tell both datapaths the configuration and whether they carry tasks. */
static void datapaths_update(void)
{
	bool on = mn_datapath_ebpf_active(), was = dp.ebpf_on;
	char err[256];
	int ret;

	if (dp.kernel->config_changed &&
	    dp.kernel->config_changed(&dp.cfg, kernel_active(), err, sizeof(err)) < 0)
		flog_err(EC_MULTINIC_NETLINK, "kernel datapath: %s", err);
	if (dp.steer->config_changed(&dp.cfg, dp.cfg.configured, err, sizeof(err)) < 0)
		flog_err(EC_MULTINIC_BPF, "receive steering: %s", err);
	dp.ebpf_on = on;
	ret = dp.ebpf->config_changed(&dp.cfg, on, err, sizeof(err));
	if (ret < 0) {
		ebpf_failed(ret, err);
		return;
	}
	if (on && !was)
		ebpf_attach_all();
	if (on != was)
		DEBUGD(&mn_dbg_datapath, "datapath: %s carries the tasks",
		       on ? "eBPF" : "kernel");
}

void mn_datapath_config_set(const struct mn_dp_config *cfg, bool retry_ebpf)
{
	if (dp.terminated)
		return;
	dp.cfg = *cfg;
	if (retry_ebpf || !cfg->configured)
		dp.fallback[0] = '\0';
	datapaths_update();
}

void mn_datapath_nics_set(const struct mn_dp_nic *nics, unsigned int n)
{
	char err[256];
	int ret;

	if (dp.terminated)
		return;
	if (dp.kernel->nics_changed && dp.kernel->nics_changed(nics, n, err, sizeof(err)) < 0)
		flog_err(EC_MULTINIC_NETLINK, "kernel datapath: %s", err);
	ret = dp.ebpf->nics_changed(nics, n, err, sizeof(err));
	ebpf_failed(ret, err);
	if (dp.steer->nics_changed(nics, n, err, sizeof(err)) < 0)
		flog_err(EC_MULTINIC_BPF, "receive steering: %s", err);
}

/*
 * Tasks
 */

static struct dp_task *task_find(const char *name)
{
	struct dp_task key = {};

	strlcpy(key.name, name, sizeof(key.name));
	return dp_tasks_find(&dp.tasks, &key);
}

static void task_record(const struct mn_task_wiring *w)
{
	struct dp_task *t = XCALLOC(MTYPE_MN_DP_TASK, sizeof(*t));

	strlcpy(t->name, w->name, sizeof(t->name));
	strlcpy(t->host_ifname, w->host_ifname, sizeof(t->host_ifname));
	t->w = *w;
	t->w.name = t->name;
	t->w.host_ifname = t->host_ifname;
	if (w->naddrs) {
		t->addrs = XCALLOC(MTYPE_MN_DP_TASK, w->naddrs * sizeof(*t->addrs));
		memcpy(t->addrs, w->addrs, w->naddrs * sizeof(*t->addrs));
	}
	t->w.addrs = t->addrs;
	dp_tasks_add(&dp.tasks, t);
}

static void task_forget(struct dp_task *t)
{
	dp_tasks_del(&dp.tasks, t);
	XFREE(MTYPE_MN_DP_TASK, t->addrs);
	XFREE(MTYPE_MN_DP_TASK, t);
}

int mn_datapath_task_attach(const struct mn_task_wiring *w, char *err, size_t len)
{
	char why[320];
	int ret;

	if (dp.terminated || task_find(w->name))
		return 0;
	ret = dp.kernel->task_attach(w, err, len);
	if (ret < 0)
		return ret;
	if (dp.ebpf_on) {
		ret = dp.ebpf->task_attach(w, err, len);
		if (ret < 0) {
			snprintf(why, sizeof(why), "task %s: %s", w->name, err);
			if (!auto_fall_back(why)) {
				dp.kernel->task_detach(w->name);
				return ret;
			}
		}
	}
	if (dp.steer->task_attach(w, err, len) < 0)
		flog_err(EC_MULTINIC_BPF, "receive steering: task %s: %s", w->name, err);
	task_record(w);
	DEBUGD(&mn_dbg_datapath, "datapath: task %s attached (%s)", w->name,
	       mn_datapath_name(mn_datapath_of_task(w->name)));
	return 0;
}

void mn_datapath_task_detach(const char *name)
{
	struct dp_task *t = task_find(name);

	if (dp.terminated)
		return;
	dp.steer->task_detach(name);
	dp.ebpf->task_detach(name);
	dp.kernel->task_detach(name);
	if (!t)
		return;
	task_forget(t);
	DEBUGD(&mn_dbg_datapath, "datapath: task %s detached", name);
}

/*
 * In place: the datapaths move the task's new flows (kernel: its rules
 * into its node's table; eBPF: its node entry), nothing is rewired.
 */
void mn_datapath_task_numa_set(const char *name, int node)
{
	const struct mn_datapath_ops *ops[] = { dp.kernel, dp.ebpf, dp.steer };
	struct dp_task *t = task_find(name);
	char err[256];
	size_t i;

	if (dp.terminated || !t || t->w.numa_node == node)
		return;
	t->w.numa_node = node;
	for (i = 0; i < array_size(ops); i++)
		if (ops[i]->task_numa_changed &&
		    ops[i]->task_numa_changed(name, node, err, sizeof(err)) < 0)
			flog_err(EC_MULTINIC_NETLINK, "%s datapath: task %s: %s", ops[i]->name,
				 name, err);
	DEBUGD(&mn_dbg_datapath, "datapath: task %s now on NUMA node %d", name, node);
}

void mn_datapath_tasks_settled(void)
{
	if (dp.terminated)
		return;
	if (dp.kernel->tasks_settled)
		dp.kernel->tasks_settled();
	dp.ebpf->tasks_settled();
	dp.steer->tasks_settled();
}

/*
 * Show
 */

enum mn_datapath mn_datapath_of_task(const char *name)
{
	enum mn_datapath d = dp.ebpf->task_datapath(name);

	return d != MN_DP_NONE ? d : MN_DP_KERNEL;
}

void mn_datapath_task_objects(const char *name, mn_dp_object_fn fn, void *arg)
{
	dp.kernel->task_objects(name, fn, arg);
	dp.ebpf->task_objects(name, fn, arg);
}

/* The eBPF programs' counters, plus what the kernel dropped as spoofed. */
bool mn_datapath_task_counters(const char *name, struct mn_dp_counters *c)
{
	struct mn_dp_counters k;
	bool ebpf = dp.ebpf->task_counters(name, c);

	if (!dp.kernel->task_counters || !dp.kernel->task_counters(name, &k))
		return ebpf;
	c->spoofed += k.spoofed;
	return true;
}

bool mn_datapath_nic_view(ifindex_t ifindex, struct mn_dp_nic_view *v)
{
	return dp.ebpf->nic_view(ifindex, v);
}

int mn_datapath_flows(mn_dp_flow_fn fn, void *arg)
{
	return dp.ebpf->flows(fn, arg);
}

bool mn_datapath_task_numa_counters(const char *name, struct mn_dp_numa_counters *c)
{
	return dp.ebpf->task_numa_counters(name, c);
}

bool mn_datapath_nic_steering(ifindex_t ifindex, struct mn_dp_steer_view *v)
{
	return dp.steer->nic_steering(ifindex, v);
}

void mn_datapath_init(void)
{
	dp_tasks_init(&dp.tasks);
	dp.kernel = mn_kernel_datapath();
	dp.ebpf = mn_ebpf_datapath();
	dp.steer = mn_steer_datapath();
}

/*
 * multinicd stops: every datapath leaves its kernel state in place, the
 * tasks keep forwarding (stopping is not deconfiguring).
 */
void mn_datapath_terminate(void)
{
	struct dp_task *t;

	dp.terminated = true;
	if (dp.kernel && dp.kernel->terminate)
		dp.kernel->terminate();
	if (dp.ebpf && dp.ebpf->terminate)
		dp.ebpf->terminate();
	if (dp.steer && dp.steer->terminate)
		dp.steer->terminate();
	while ((t = dp_tasks_first(&dp.tasks)))
		task_forget(t);
	dp_tasks_fini(&dp.tasks);
}
