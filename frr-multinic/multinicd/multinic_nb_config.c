// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * multinicd: northbound configuration callbacks.
 *
 * Validation refuses what this release cannot do yet (the model covers
 * the whole mission, DESIGN.md §3): such configuration must never be
 * accepted and then silently ignored.  The apply phase hands the change
 * down to the NIC layer.
 */
#include <zebra.h>

#include "lib/log.h"
#include "lib/northbound.h"
#include "lib/yang.h"

#include "multinicd.h"
#include "multinic_authz.h"
#include "multinic_datapath.h"
#include "multinic_names.h"
#include "multinic_nb.h"
#include "multinic_nic.h"
#include "multinic_numa.h"
#include "multinic_task.h"

/*
 * Starts from the YANG defaults: FRR calls no callback for a leaf that
 * takes its default value (created with the container, or set to the
 * default explicitly, as "placement least-loaded"), so every default that
 * is not zero must be here too.
 */
#define MULTINIC_CFG_DEFAULTS                                                                      \
	{                                                                                          \
		.placement = MN_PLACEMENT_LEAST_LOADED, .spill_threshold = MN_NUMA_SPILL_DEFAULT_PCT, \
	}

struct multinic_config multinic_cfg = MULTINIC_CFG_DEFAULTS;

/*
 * The datapaths follow the configuration through their own call (never
 * through the NIC layer).  retry_ebpf: egress-mode was configured, so
 * that auto tries eBPF again after a fall-back.
 */
void multinic_datapath_config_push(bool retry_ebpf)
{
	const struct mn_dp_config cfg = {
		.configured = multinic_cfg.configured,
		.egress_mode = multinic_cfg.egress_mode,
		.placement = multinic_cfg.placement,
		.flowlet_timeout_ms = multinic_cfg.flowlet_timeout_ms,
		.rebalance_interval_ms = multinic_cfg.rebalance_interval_ms,
		.numa_policy = multinic_cfg.numa_policy,
		.steering = multinic_cfg.steering,
		.topology = mn_numa_host(),
	};

	mn_datapath_config_set(&cfg, retry_ebpf);
}

int mn_nb_refuse(char *errmsg, size_t len, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintfrr(errmsg, len, fmt, ap);
	va_end(ap);
	return NB_ERR_VALIDATION;
}

/*
 * XPath: /frr-multinic:multinic
 */
int multinic_create(struct nb_cb_create_args *args)
{
	if (args->event != NB_EV_APPLY)
		return NB_OK;
	multinic_cfg.configured = true;
	multinic_datapath_config_push(false);
	mn_nics_update(); /* NICs are selected only while configured */
	return NB_OK;
}

static int unset_nic_entry(const struct lyd_node *dnode, void *arg)
{
	mn_nic_cfg_del(nb_running_unset_entry(dnode));
	return YANG_ITER_CONTINUE;
}

static int unset_rule_entry(const struct lyd_node *dnode, void *arg)
{
	mn_nic_rule_del(nb_running_unset_entry(dnode));
	return YANG_ITER_CONTINUE;
}

static int unset_addr_entry(const struct lyd_node *dnode, void *arg)
{
	nb_running_unset_entry(dnode);
	return YANG_ITER_CONTINUE;
}

/* mn_task_del() frees the task's per-NIC addresses too. */
static int unset_task_entry(const struct lyd_node *dnode, void *arg)
{
	yang_dnode_iterate(unset_addr_entry, NULL, dnode, "./nic-address");
	mn_task_del(nb_running_unset_entry(dnode));
	return YANG_ITER_CONTINUE;
}

int multinic_destroy(struct nb_cb_destroy_args *args)
{
	if (args->event != NB_EV_APPLY)
		return NB_OK;
	/* Children get no destroy callbacks of their own: unset them here. */
	yang_dnode_iterate(unset_nic_entry, NULL, args->dnode, "./nic");
	yang_dnode_iterate(unset_rule_entry, NULL, args->dnode, "./nic-match");
	yang_dnode_iterate(unset_task_entry, NULL, args->dnode, "./task");
	multinic_cfg = (struct multinic_config)MULTINIC_CFG_DEFAULTS;
	mn_nic_load_sampling_update(); /* no spill sampling any more */
	mn_authz_changed(); /* no policy any more */
	multinic_datapath_config_push(true);
	mn_nics_update();
	return NB_OK;
}

/*
 * XPath: /frr-multinic:multinic/egress-mode
 */
int multinic_egress_mode_modify(struct nb_cb_modify_args *args)
{
	enum mn_egress_mode mode = yang_dnode_get_enum(args->dnode, NULL);
	char why[256];

	switch (args->event) {
	case NB_EV_VALIDATE:
		if (mode == MN_EGRESS_EBPF && !mn_datapath_ebpf_possible(why, sizeof(why)))
			return mn_nb_refuse(args->errmsg, args->errmsg_len,
				      "egress-mode ebpf is not possible on this host: %s (auto and kernel are available)",
				      why);
		return NB_OK;
	case NB_EV_PREPARE:
	case NB_EV_ABORT:
		return NB_OK;
	case NB_EV_APPLY:
		multinic_cfg.egress_mode = mode;
		multinic_datapath_config_push(true); /* auto tries eBPF again */
		return NB_OK;
	}
	return NB_OK;
}

/*
 * XPath: /frr-multinic:multinic/placement
 *
 * The eBPF datapath's placement (default least-loaded).  The kernel
 * datapath has one placement of its own, the kernel's multipath hash over
 * a resilient nexthop group: under egress-mode kernel, or when auto falls
 * back, this leaf waits for the eBPF datapath.  (It used to refuse
 * least-loaded with egress-mode kernel; a default cannot be refused.)
 */
int multinic_placement_modify(struct nb_cb_modify_args *args)
{
	if (args->event != NB_EV_APPLY)
		return NB_OK;
	multinic_cfg.placement = yang_dnode_get_enum(args->dnode, NULL);
	multinic_datapath_config_push(false);
	return NB_OK;
}

/*
 * XPath: /frr-multinic:multinic/flowlet-timeout
 * XPath: /frr-multinic:multinic/rebalance-interval
 *
 * Knobs of least-loaded placement; under hash (or kernel mode) they are
 * kept and take effect once least-loaded is chosen, like any timer.
 */
int multinic_flowlet_timeout_modify(struct nb_cb_modify_args *args)
{
	if (args->event != NB_EV_APPLY)
		return NB_OK;
	multinic_cfg.flowlet_timeout_ms = yang_dnode_get_uint32(args->dnode, NULL);
	multinic_datapath_config_push(false);
	return NB_OK;
}

int multinic_rebalance_interval_modify(struct nb_cb_modify_args *args)
{
	if (args->event != NB_EV_APPLY)
		return NB_OK;
	multinic_cfg.rebalance_interval_ms = yang_dnode_get_uint32(args->dnode, NULL);
	multinic_datapath_config_push(false);
	return NB_OK;
}

/*
 * XPath: /frr-multinic:multinic/nic
 */
int multinic_nic_create(struct nb_cb_create_args *args)
{
	char name[IFNAMSIZ];
	char err[128];

	yang_dnode_get_string_buf(name, sizeof(name), args->dnode, "name");
	switch (args->event) {
	case NB_EV_VALIDATE:
		/* The YANG pattern cannot say "." and ".." are invalid. */
		if (!mn_ifname_valid(name, err, sizeof(err)))
			return mn_nb_refuse(args->errmsg, args->errmsg_len, "%s", err);
		if (mn_ifname_is_task_device(name))
			return mn_nb_refuse(args->errmsg, args->errmsg_len,
				      "%s is named like multinicd's own task devices (mn-..., mn + 13 or 8 characters), which are never NICs",
				      name);
		return NB_OK;
	case NB_EV_PREPARE:
	case NB_EV_ABORT:
		return NB_OK;
	case NB_EV_APPLY:
		nb_running_set_entry(args->dnode, mn_nic_cfg_add(name));
		return NB_OK;
	}
	return NB_OK;
}

int multinic_nic_destroy(struct nb_cb_destroy_args *args)
{
	if (args->event != NB_EV_APPLY)
		return NB_OK;
	mn_nic_cfg_del(nb_running_unset_entry(args->dnode));
	return NB_OK;
}

int multinic_nic_weight_modify(struct nb_cb_modify_args *args)
{
	if (args->event != NB_EV_APPLY)
		return NB_OK;
	mn_nic_cfg_set_weight(nb_running_get_entry(args->dnode, NULL, true),
			      yang_dnode_get_uint16(args->dnode, NULL));
	return NB_OK;
}

int multinic_nic_weight_destroy(struct nb_cb_destroy_args *args)
{
	if (args->event != NB_EV_APPLY)
		return NB_OK;
	mn_nic_cfg_set_weight(nb_running_get_entry(args->dnode, NULL, true), 0);
	return NB_OK;
}

int multinic_nic_speed_modify(struct nb_cb_modify_args *args)
{
	if (args->event != NB_EV_APPLY)
		return NB_OK;
	mn_nic_cfg_set_speed(nb_running_get_entry(args->dnode, NULL, true),
			     yang_dnode_get_uint32(args->dnode, NULL));
	return NB_OK;
}

int multinic_nic_speed_destroy(struct nb_cb_destroy_args *args)
{
	if (args->event != NB_EV_APPLY)
		return NB_OK;
	mn_nic_cfg_set_speed(nb_running_get_entry(args->dnode, NULL, true), 0);
	return NB_OK;
}

/*
 * XPath: /frr-multinic:multinic/nic-match
 */
int multinic_nic_match_create(struct nb_cb_create_args *args)
{
	if (args->event != NB_EV_APPLY)
		return NB_OK;
	nb_running_set_entry(args->dnode,
			     mn_nic_rule_add(yang_dnode_get_uint16(args->dnode, "seq")));
	return NB_OK;
}

int multinic_nic_match_destroy(struct nb_cb_destroy_args *args)
{
	if (args->event != NB_EV_APPLY)
		return NB_OK;
	mn_nic_rule_del(nb_running_unset_entry(args->dnode));
	return NB_OK;
}

int multinic_nic_match_name_pattern_modify(struct nb_cb_modify_args *args)
{
	if (args->event != NB_EV_APPLY)
		return NB_OK;
	mn_nic_rule_set_name(nb_running_get_entry(args->dnode, NULL, true),
			     yang_dnode_get_string(args->dnode, NULL));
	return NB_OK;
}

int multinic_nic_match_name_pattern_destroy(struct nb_cb_destroy_args *args)
{
	if (args->event != NB_EV_APPLY)
		return NB_OK;
	mn_nic_rule_set_name(nb_running_get_entry(args->dnode, NULL, true), NULL);
	return NB_OK;
}

int multinic_nic_match_driver_modify(struct nb_cb_modify_args *args)
{
	if (args->event != NB_EV_APPLY)
		return NB_OK;
	mn_nic_rule_set_driver(nb_running_get_entry(args->dnode, NULL, true),
			       yang_dnode_get_string(args->dnode, NULL));
	return NB_OK;
}

int multinic_nic_match_driver_destroy(struct nb_cb_destroy_args *args)
{
	if (args->event != NB_EV_APPLY)
		return NB_OK;
	mn_nic_rule_set_driver(nb_running_get_entry(args->dnode, NULL, true), NULL);
	return NB_OK;
}

int multinic_nic_match_default_gw_create(struct nb_cb_create_args *args)
{
	if (args->event != NB_EV_APPLY)
		return NB_OK;
	mn_nic_rule_set_default_gw(nb_running_get_entry(args->dnode, NULL, true), true);
	return NB_OK;
}

int multinic_nic_match_default_gw_destroy(struct nb_cb_destroy_args *args)
{
	if (args->event != NB_EV_APPLY)
		return NB_OK;
	mn_nic_rule_set_default_gw(nb_running_get_entry(args->dnode, NULL, true), false);
	return NB_OK;
}

static afi_t leaf_afi(const struct lyd_node *dnode)
{
	return strstr(dnode->schema->name, "v6") ? AFI_IP6 : AFI_IP;
}

int multinic_nic_gateway_modify(struct nb_cb_modify_args *args)
{
	union g_addr gw = {};
	afi_t afi = leaf_afi(args->dnode);

	if (args->event != NB_EV_APPLY)
		return NB_OK;
	if (afi == AFI_IP)
		yang_dnode_get_ipv4(&gw.ipv4, args->dnode, NULL);
	else
		yang_dnode_get_ipv6(&gw.ipv6, args->dnode, NULL);
	mn_nic_cfg_set_gateway(nb_running_get_entry(args->dnode, NULL, true), afi, &gw);
	return NB_OK;
}

int multinic_nic_gateway_destroy(struct nb_cb_destroy_args *args)
{
	if (args->event != NB_EV_APPLY)
		return NB_OK;
	mn_nic_cfg_set_gateway(nb_running_get_entry(args->dnode, NULL, true), leaf_afi(args->dnode),
			       NULL);
	return NB_OK;
}

/*
 * XPath: /frr-multinic:multinic/task
 */
int multinic_task_create(struct nb_cb_create_args *args)
{
	const struct lyd_node *root;

	switch (args->event) {
	case NB_EV_VALIDATE:
		/*
		 * Judged on the configuration, not on which NICs are up now,
		 * so that a configuration file loads the same way at start.
		 */
		root = yang_dnode_get_parent(args->dnode, "multinic");
		if (!yang_dnode_exists(root, "nic") && !yang_dnode_exists(root, "nic-match"))
			return mn_nb_refuse(args->errmsg, args->errmsg_len,
				      "no usable NIC: configure \"nic IFNAME\" or \"nic-match\" before tasks");
		return NB_OK;
	case NB_EV_PREPARE:
	case NB_EV_ABORT:
		return NB_OK;
	case NB_EV_APPLY:
		nb_running_set_entry(args->dnode,
				     mn_task_add(yang_dnode_get_string(args->dnode, "name")));
		return NB_OK;
	}
	return NB_OK;
}

int multinic_task_destroy(struct nb_cb_destroy_args *args)
{
	if (args->event != NB_EV_APPLY)
		return NB_OK;
	unset_task_entry(args->dnode, NULL);
	return NB_OK;
}

/* The name of the task a node belongs to. */
static const char *task_name_of(const struct lyd_node *dnode)
{
	const struct lyd_node *tnode = yang_dnode_get_parent(dnode, "task");

	return tnode ? yang_dnode_get_string(tnode, "name") : "?";
}

/* A task's string leaf: checked by CHECK at validation, given to SET. */
static int task_string_modify(struct nb_cb_modify_args *args,
			      bool (*check)(const char *value, char *err, size_t len),
			      void (*set)(struct mn_task *task, const char *value))
{
	const char *value = yang_dnode_get_string(args->dnode, NULL);
	char err[256];

	switch (args->event) {
	case NB_EV_VALIDATE:
		if (!check(value, err, sizeof(err)))
			return mn_nb_refuse(args->errmsg, args->errmsg_len, "%s", err);
		return NB_OK;
	case NB_EV_PREPARE:
	case NB_EV_ABORT:
		return NB_OK;
	case NB_EV_APPLY:
		set(nb_running_get_entry(args->dnode, NULL, true), value);
		return NB_OK;
	}
	return NB_OK;
}

int multinic_task_netns_modify(struct nb_cb_modify_args *args)
{
	return task_string_modify(args, mn_task_netns_usable, mn_task_set_netns);
}

int multinic_task_netns_destroy(struct nb_cb_destroy_args *args)
{
	if (args->event != NB_EV_APPLY)
		return NB_OK;
	mn_task_set_netns(nb_running_get_entry(args->dnode, NULL, true), NULL);
	return NB_OK;
}

int multinic_task_vip_modify(struct nb_cb_modify_args *args)
{
	struct prefix vip;
	char err[256];

	yang_dnode_get_prefix(&vip, args->dnode, NULL);
	switch (args->event) {
	case NB_EV_VALIDATE:
		if (!mn_task_addr_usable(&vip, err, sizeof(err)))
			return mn_nb_refuse(args->errmsg, args->errmsg_len, "task %s: VIP: %s",
				      task_name_of(args->dnode), err);
		return NB_OK;
	case NB_EV_PREPARE:
	case NB_EV_ABORT:
		return NB_OK;
	case NB_EV_APPLY:
		mn_task_set_vip(nb_running_get_entry(args->dnode, NULL, true),
				family2afi(vip.family), &vip);
		return NB_OK;
	}
	return NB_OK;
}

int multinic_task_vip_destroy(struct nb_cb_destroy_args *args)
{
	if (args->event != NB_EV_APPLY)
		return NB_OK;
	mn_task_set_vip(nb_running_get_entry(args->dnode, NULL, true), leaf_afi(args->dnode), NULL);
	return NB_OK;
}

/*
 * A task MTU above what a NIC carries would have its large packets
 * dropped or fragmented on the way out: refused against the NICs up now
 * (the smallest of them), as far as any is.
 */
int multinic_task_mtu_modify(struct nb_cb_modify_args *args)
{
	uint32_t mtu = yang_dnode_get_uint16(args->dnode, NULL);
	uint32_t nics = mn_nics_min_mtu();

	switch (args->event) {
	case NB_EV_VALIDATE:
		if (nics && mtu > nics)
			return mn_nb_refuse(args->errmsg, args->errmsg_len,
				      "task %s: mtu %u is larger than the smallest MTU of the selected NICs (%u); its packets could not leave unfragmented",
				      task_name_of(args->dnode), mtu, nics);
		return NB_OK;
	case NB_EV_PREPARE:
	case NB_EV_ABORT:
		return NB_OK;
	case NB_EV_APPLY:
		mn_task_set_mtu(nb_running_get_entry(args->dnode, NULL, true), mtu);
		return NB_OK;
	}
	return NB_OK;
}

int multinic_task_mtu_destroy(struct nb_cb_destroy_args *args)
{
	if (args->event != NB_EV_APPLY)
		return NB_OK;
	mn_task_set_mtu(nb_running_get_entry(args->dnode, NULL, true), 0);
	return NB_OK;
}

/* The YANG pattern cannot say "." and ".." are invalid. */
int multinic_task_ifname_modify(struct nb_cb_modify_args *args)
{
	return task_string_modify(args, mn_ifname_valid, mn_task_set_peer_ifname);
}

int multinic_task_announce_modify(struct nb_cb_modify_args *args)
{
	if (args->event != NB_EV_APPLY)
		return NB_OK;
	mn_task_set_announce(nb_running_get_entry(args->dnode, NULL, true),
			     yang_dnode_get_bool(args->dnode, NULL));
	return NB_OK;
}

/*
 * XPath: /frr-multinic:multinic/task/nic-address
 */
int multinic_task_addr_create(struct nb_cb_create_args *args)
{
	char nic[IFNAMSIZ];
	char err[128];

	yang_dnode_get_string_buf(nic, sizeof(nic), args->dnode, "nic");
	switch (args->event) {
	case NB_EV_VALIDATE:
		if (!mn_ifname_valid(nic, err, sizeof(err)))
			return mn_nb_refuse(args->errmsg, args->errmsg_len, "%s", err);
		return NB_OK;
	case NB_EV_PREPARE:
	case NB_EV_ABORT:
		return NB_OK;
	case NB_EV_APPLY:
		nb_running_set_entry(args->dnode,
				     mn_task_addr_add(nb_running_get_entry(args->dnode, NULL, true),
						      nic));
		return NB_OK;
	}
	return NB_OK;
}

int multinic_task_addr_destroy(struct nb_cb_destroy_args *args)
{
	struct mn_task_addr *ta;

	if (args->event != NB_EV_APPLY)
		return NB_OK;
	ta = nb_running_unset_entry(args->dnode);
	mn_task_addr_del(nb_running_get_entry(lyd_parent(args->dnode), NULL, true), ta);
	return NB_OK;
}

int multinic_task_addr_ip_modify(struct nb_cb_modify_args *args)
{
	const struct lyd_node *anode = lyd_parent(args->dnode);
	struct prefix addr;
	char err[256];

	yang_dnode_get_prefix(&addr, args->dnode, NULL);
	switch (args->event) {
	case NB_EV_VALIDATE:
		if (!mn_task_addr_usable(&addr, err, sizeof(err)))
			return mn_nb_refuse(args->errmsg, args->errmsg_len, "task %s: per-NIC address: %s",
				      task_name_of(args->dnode), err);
		return NB_OK;
	case NB_EV_PREPARE:
	case NB_EV_ABORT:
		return NB_OK;
	case NB_EV_APPLY:
		mn_task_addr_set(nb_running_get_entry(lyd_parent(anode), NULL, true),
				 nb_running_get_entry(anode, NULL, true), family2afi(addr.family),
				 &addr);
		return NB_OK;
	}
	return NB_OK;
}

int multinic_task_addr_ip_destroy(struct nb_cb_destroy_args *args)
{
	const struct lyd_node *anode = lyd_parent(args->dnode);

	if (args->event != NB_EV_APPLY)
		return NB_OK;
	mn_task_addr_set(nb_running_get_entry(lyd_parent(anode), NULL, true),
			 nb_running_get_entry(anode, NULL, true),
			 strmatch(args->dnode->schema->name, "ipv6") ? AFI_IP6 : AFI_IP, NULL);
	return NB_OK;
}

/*
 * For parts of the model whose behaviour a release does not implement
 * (none in this one): refused, never accepted and ignored.
 */
static int refuse_unimplemented(const struct lyd_node *dnode, char *errmsg, size_t len)
{
	char xpath[XPATH_MAXLEN];

	yang_dnode_get_path(dnode, xpath, sizeof(xpath));
	return mn_nb_refuse(errmsg, len,
		      "this configuration is not implemented yet in multinicd %s (refused: %s)",
		      MULTINICD_VERSION, xpath);
}

int multinic_unimplemented_create(struct nb_cb_create_args *args)
{
	if (args->event != NB_EV_VALIDATE)
		return NB_OK;
	return refuse_unimplemented(args->dnode, args->errmsg, args->errmsg_len);
}

int multinic_unimplemented_modify(struct nb_cb_modify_args *args)
{
	if (args->event != NB_EV_VALIDATE)
		return NB_OK;
	return refuse_unimplemented(args->dnode, args->errmsg, args->errmsg_len);
}

int multinic_unimplemented_destroy(struct nb_cb_destroy_args *args)
{
	/* Nothing of it can exist, so there is nothing to undo. */
	return NB_OK;
}

/*
 * XPath: /frr-multinic:multinic/authorization
 *
 * The policy is data: multinicd keeps it in the running configuration
 * only.  Tasks are checked against it as a whole in pre_validate (any
 * commit may change a task or the policy, and only pre_validate sees
 * the candidate when a range is deleted); bgpd_multinic is told after
 * every change.
 */
/*
 * No two task addresses (VIPs, per-NIC addresses) are the same in the
 * candidate configuration: judged as a whole, so that one commit may move
 * an address from one task to another, and may not give it to two.
 */
struct addr_seen {
	struct prefix p;
	const char *task;
	const char *what;
};

struct addrs_walk {
	struct addr_seen *seen;
	unsigned int n, size;
	char *err;
	size_t len;
	bool ok;
};

static void addr_note(struct addrs_walk *w, const struct lyd_node *leaf, const char *task,
		      const char *what)
{
	struct prefix p;
	unsigned int i;

	yang_dnode_get_prefix(&p, leaf, NULL);
	for (i = 0; i < w->n && w->ok; i++) {
		if (!prefix_same(&w->seen[i].p, &p))
			continue;
		snprintfrr(w->err, w->len,
			   "address %pFXh is given twice: to task %s (%s) and to task %s (%s)", &p,
			   w->seen[i].task, w->seen[i].what, task, what);
		w->ok = false;
	}
	if (w->n == w->size) {
		w->size = w->size ? 2 * w->size : 64;
		w->seen = XREALLOC(MTYPE_TMP, w->seen, w->size * sizeof(*w->seen));
	}
	w->seen[w->n++] = (struct addr_seen){ .p = p, .task = task, .what = what };
}

static int task_addrs_cb(const struct lyd_node *tnode, void *arg)
{
	static const char *const vips[] = { "vip-v4", "vip-v6" };
	const char *name = yang_dnode_get_string(tnode, "name");
	struct addrs_walk *w = arg;
	const struct lyd_node *a;
	size_t i;

	for (i = 0; i < array_size(vips); i++)
		if (yang_dnode_exists(tnode, vips[i]))
			addr_note(w, yang_dnode_get(tnode, vips[i]), name, "VIP");
	LY_LIST_FOR (lyd_child(tnode), a) {
		if (!strmatch(a->schema->name, "nic-address"))
			continue;
		if (yang_dnode_exists(a, "ipv4"))
			addr_note(w, yang_dnode_get(a, "ipv4"), name, "per-NIC address");
		if (yang_dnode_exists(a, "ipv6"))
			addr_note(w, yang_dnode_get(a, "ipv6"), name, "per-NIC address");
	}
	return w->ok ? YANG_ITER_CONTINUE : YANG_ITER_STOP;
}

static bool task_addrs_unique(const struct lyd_node *root, char *err, size_t len)
{
	struct addrs_walk w = { .err = err, .len = len, .ok = true };

	yang_dnode_iterate(task_addrs_cb, &w, root, "task");
	XFREE(MTYPE_TMP, w.seen);
	return w.ok;
}

int multinic_authz_pre_validate(struct nb_cb_pre_validate_args *args)
{
	if (!task_addrs_unique(args->dnode, args->errmsg, args->errmsg_len))
		return NB_ERR_VALIDATION;
	if (!mn_authz_tasks_valid(args->dnode, args->errmsg, args->errmsg_len))
		return NB_ERR_VALIDATION;
	return NB_OK;
}

int multinic_authz_range_create(struct nb_cb_create_args *args)
{
	switch (args->event) {
	case NB_EV_VALIDATE:
		if (!mn_authz_range_valid(args->dnode, args->errmsg, args->errmsg_len))
			return NB_ERR_VALIDATION;
		return NB_OK;
	case NB_EV_PREPARE:
	case NB_EV_ABORT:
		return NB_OK;
	case NB_EV_APPLY:
		mn_authz_changed();
		return NB_OK;
	}
	return NB_OK;
}

int multinic_authz_neighbor_create(struct nb_cb_create_args *args)
{
	switch (args->event) {
	case NB_EV_VALIDATE:
		if (!mn_authz_neighbor_valid(args->dnode, args->errmsg, args->errmsg_len))
			return NB_ERR_VALIDATION;
		return NB_OK;
	case NB_EV_PREPARE:
	case NB_EV_ABORT:
		return NB_OK;
	case NB_EV_APPLY:
		mn_authz_changed();
		return NB_OK;
	}
	return NB_OK;
}

int multinic_authz_create(struct nb_cb_create_args *args)
{
	if (args->event == NB_EV_APPLY)
		mn_authz_changed();
	return NB_OK;
}

int multinic_authz_modify(struct nb_cb_modify_args *args)
{
	if (args->event == NB_EV_APPLY)
		mn_authz_changed();
	return NB_OK;
}

int multinic_authz_destroy(struct nb_cb_destroy_args *args)
{
	if (args->event == NB_EV_APPLY)
		mn_authz_changed();
	return NB_OK;
}
