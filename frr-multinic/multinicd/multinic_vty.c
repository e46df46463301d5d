// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * multinicd: CLI (configuration through the northbound, show commands,
 * running-config).
 */
#include <zebra.h>

#include "lib/command.h"
#include "lib/if.h"
#include "lib/json.h"
#include "lib/northbound_cli.h"
#include "lib/prefix.h"
#include "lib/vrf.h"
#include "lib/vty.h"

#include "multinicd.h"
#include "multinic_caps.h"
#include "multinic_cni.h"
#include "multinic_datapath.h"
#include "multinic_kernel.h"
#include "multinic_nb.h"
#include "multinic_nic.h"
#include "multinic_task.h"
#include "multinic_task_netns.h"
#include "multinic_vty.h"

#include "multinicd/multinic_vty_clippy.c"

#define MULTINIC_STR   "Multi-NIC task networking (multinicd)\n"
#define MULTINIC_XPATH "/frr-multinic:multinic"

/*
 * The CLI checks interface names itself so that the user reads why a name
 * is wrong, and so that no name can break out of an XPath predicate.
 */
static bool cli_ifname_ok(struct vty *vty, const char *name)
{
	char err[128];

	if (!mn_ifname_valid(name, err, sizeof(err))) {
		vty_out(vty, "%% %s\n", err);
		return false;
	}
	if (strpbrk(name, "'\"")) {
		vty_out(vty, "%% Interface names with quotes are not supported: %s\n", name);
		return false;
	}
	return true;
}

/*
 * Checked here, not only by the model, because a name that the model
 * refuses cannot even be looked up: vtysh would get no reason back.
 */
static bool cli_task_name_ok(struct vty *vty, const char *name)
{
	size_t len = strlen(name);
	size_t i;

	if (len > MN_TASK_NAME_MAX) {
		vty_out(vty, "%% Task name \"%s\" is %zu characters long; at most %d are allowed\n",
			name, len, MN_TASK_NAME_MAX);
		return false;
	}
	for (i = 0; i < len; i++) {
		if (isalnum((unsigned char)name[i]) ||
		    (i > 0 && strchr("_.-", name[i])))
			continue;
		vty_out(vty,
			"%% Task name \"%s\": use letters, digits, '_', '.' and '-', starting with a letter or digit\n",
			name);
		return false;
	}
	return true;
}

DEFPY_YANG_NOSH(multinic, multinic_cmd, "multinic", MULTINIC_STR)
{
	int ret;

	nb_cli_enqueue_change(vty, MULTINIC_XPATH, NB_OP_CREATE, NULL);
	ret = nb_cli_apply_changes(vty, NULL);
	if (ret == CMD_SUCCESS)
		VTY_PUSH_XPATH(MULTINIC_NODE, MULTINIC_XPATH);
	return ret;
}

DEFPY_YANG(no_multinic, no_multinic_cmd, "no multinic", NO_STR MULTINIC_STR)
{
	nb_cli_enqueue_change(vty, MULTINIC_XPATH, NB_OP_DESTROY, NULL);
	return nb_cli_apply_changes(vty, NULL);
}

DEFPY_YANG(egress_mode, egress_mode_cmd,
	   "[no] egress-mode <auto|ebpf|kernel>$mode",
	   NO_STR
	   "Egress datapath for task traffic\n"
	   "eBPF when it can be attached, else kernel multipath\n"
	   "eBPF only\n"
	   "Kernel multipath routes through zebra only\n")
{
	nb_cli_enqueue_change(vty, "./egress-mode", NB_OP_MODIFY, no ? NULL : mode);
	return nb_cli_apply_changes(vty, NULL);
}

DEFPY_YANG(placement, placement_cmd,
	   "[no] placement <hash|least-loaded>$policy",
	   NO_STR
	   "Flow placement policy of the eBPF datapath\n"
	   "Consistent hashing of the 5-tuple\n"
	   "Fewest live flows per weight; moves only at flowlet boundaries (default)\n")
{
	nb_cli_enqueue_change(vty, "./placement", NB_OP_MODIFY, no ? NULL : policy);
	return nb_cli_apply_changes(vty, NULL);
}

DEFPY_YANG(nic, nic_cmd,
	   "nic IFNAME$name [weight (1-1000)$weight] [speed (1-10000000)$speed] [gateway A.B.C.D$gw4] [gateway X:X::X:X$gw6] [numa-node (0-63)$numa]",
	   "Use a NIC for task traffic\n"
	   "Interface name\n"
	   "Override the weight derived from the NIC's speed\n"
	   "Weight\n"
	   "Override the NIC's speed\n"
	   "Speed in Mbit/s\n"
	   "IPv4 next hop of task traffic through this NIC\n"
	   "IPv4 address\n"
	   "IPv6 next hop of task traffic through this NIC\n"
	   "IPv6 address (link-local allowed)\n"
	   "Override the NUMA node the kernel reports\n"
	   "Node number\n")
{
	char xpath[XPATH_MAXLEN];

	if (!cli_ifname_ok(vty, name))
		return CMD_WARNING_CONFIG_FAILED;
	snprintf(xpath, sizeof(xpath), "./nic[name='%s']", name);
	nb_cli_enqueue_change(vty, ".", NB_OP_CREATE, NULL);
	if (weight_str)
		nb_cli_enqueue_change(vty, "./weight", NB_OP_MODIFY, weight_str);
	if (speed_str)
		nb_cli_enqueue_change(vty, "./speed", NB_OP_MODIFY, speed_str);
	if (gw4_str)
		nb_cli_enqueue_change(vty, "./gateway-v4", NB_OP_MODIFY, gw4_str);
	if (gw6_str)
		nb_cli_enqueue_change(vty, "./gateway-v6", NB_OP_MODIFY, gw6_str);
	if (numa_str)
		nb_cli_enqueue_change(vty, "./numa-node", NB_OP_MODIFY, numa_str);
	return nb_cli_apply_changes(vty, "%s", xpath);
}

DEFPY_YANG(no_nic, no_nic_cmd,
	   "no nic IFNAME$name [<weight$weight [(1-1000)]|speed$speed [(1-10000000)]|gateway A.B.C.D$gw4|gateway X:X::X:X$gw6|numa-node$numa [(0-63)]>]",
	   NO_STR
	   "Use a NIC for task traffic\n"
	   "Interface name\n"
	   "Remove the weight override\n"
	   "Weight\n"
	   "Remove the speed override\n"
	   "Speed in Mbit/s\n"
	   "Remove the IPv4 next hop\n"
	   "IPv4 address\n"
	   "Remove the IPv6 next hop\n"
	   "IPv6 address\n"
	   "Remove the NUMA node override\n"
	   "Node number\n")
{
	char xpath[XPATH_MAXLEN];

	if (!cli_ifname_ok(vty, name))
		return CMD_WARNING_CONFIG_FAILED;
	snprintf(xpath, sizeof(xpath), "./nic[name='%s']", name);
	if (weight)
		strlcat(xpath, "/weight", sizeof(xpath));
	else if (speed)
		strlcat(xpath, "/speed", sizeof(xpath));
	else if (gw4_str)
		strlcat(xpath, "/gateway-v4", sizeof(xpath));
	else if (gw6_str)
		strlcat(xpath, "/gateway-v6", sizeof(xpath));
	else if (numa)
		strlcat(xpath, "/numa-node", sizeof(xpath));
	nb_cli_enqueue_change(vty, xpath, NB_OP_DESTROY, NULL);
	return nb_cli_apply_changes(vty, NULL);
}

DEFPY_YANG(nic_match, nic_match_cmd,
	   "nic-match (1-65535)$seq [name PATTERN$pattern] [driver WORD$driver] [default-gateway$gw]",
	   "Select NICs by rule\n"
	   "Rule number\n"
	   "Match the interface name\n"
	   "Shell glob, e.g. ens*\n"
	   "Match the kernel driver\n"
	   "Driver name, as ethtool -i shows it\n"
	   "Match NICs through which a default route leaves\n")
{
	char xpath[XPATH_MAXLEN];

	if (!pattern && !driver && !gw) {
		vty_out(vty,
			"%% A nic-match rule needs at least one condition: name, driver or default-gateway\n");
		return CMD_WARNING_CONFIG_FAILED;
	}
	if ((pattern && strpbrk(pattern, "'\"")) || (driver && strpbrk(driver, "'\""))) {
		vty_out(vty, "%% Quotes are not supported in nic-match values\n");
		return CMD_WARNING_CONFIG_FAILED;
	}
	/* The line defines the whole rule: conditions it omits are removed. */
	snprintf(xpath, sizeof(xpath), "./nic-match[seq='%ld']", seq);
	nb_cli_enqueue_change(vty, ".", NB_OP_CREATE, NULL);
	nb_cli_enqueue_change(vty, "./name-pattern", pattern ? NB_OP_MODIFY : NB_OP_DESTROY,
			      pattern);
	nb_cli_enqueue_change(vty, "./driver", driver ? NB_OP_MODIFY : NB_OP_DESTROY, driver);
	nb_cli_enqueue_change(vty, "./has-default-gateway", gw ? NB_OP_CREATE : NB_OP_DESTROY, NULL);
	return nb_cli_apply_changes(vty, "%s", xpath);
}

DEFPY_YANG(no_nic_match, no_nic_match_cmd,
	   "no nic-match (1-65535)$seq [name PATTERN] [driver WORD] [default-gateway]",
	   NO_STR
	   "Select NICs by rule\n"
	   "Rule number\n"
	   "Match the interface name\n"
	   "Shell glob, e.g. ens*\n"
	   "Match the kernel driver\n"
	   "Driver name, as ethtool -i shows it\n"
	   "Match NICs through which a default route leaves\n")
{
	char xpath[XPATH_MAXLEN];

	snprintf(xpath, sizeof(xpath), "./nic-match[seq='%ld']", seq);
	nb_cli_enqueue_change(vty, xpath, NB_OP_DESTROY, NULL);
	return nb_cli_apply_changes(vty, NULL);
}

DEFPY_YANG_NOSH(task, task_cmd, "task NAME$name",
		"Configure a task (container network namespace)\n"
		"Task name\n")
{
	char xpath[XPATH_MAXLEN];
	int ret;

	if (!cli_task_name_ok(vty, name))
		return CMD_WARNING_CONFIG_FAILED;
	snprintf(xpath, sizeof(xpath), "./task[name='%s']", name);
	nb_cli_enqueue_change(vty, ".", NB_OP_CREATE, NULL);
	ret = nb_cli_apply_changes(vty, "%s", xpath);
	if (ret == CMD_SUCCESS) {
		snprintf(xpath, sizeof(xpath), MULTINIC_XPATH "/task[name='%s']", name);
		VTY_PUSH_XPATH(MULTINIC_TASK_NODE, xpath);
	}
	return ret;
}

DEFPY_YANG(no_task, no_task_cmd, "no task NAME$name",
	   NO_STR
	   "Configure a task (container network namespace)\n"
	   "Task name\n")
{
	char xpath[XPATH_MAXLEN];

	if (!cli_task_name_ok(vty, name))
		return CMD_WARNING_CONFIG_FAILED;
	snprintf(xpath, sizeof(xpath), "./task[name='%s']", name);
	nb_cli_enqueue_change(vty, xpath, NB_OP_DESTROY, NULL);
	return nb_cli_apply_changes(vty, NULL);
}

DEFPY_YANG(task_netns, task_netns_cmd, "[no] netns ![NETNS$netns]",
	   NO_STR
	   "The task's network namespace\n"
	   "Name under /run/netns, or an absolute path\n")
{
	char err[256];

	if (!no && !netns) {
		vty_out(vty, "%% netns needs a name or a path\n");
		return CMD_WARNING_CONFIG_FAILED;
	}
	if (netns && strlen(netns) > MN_NETNS_REF_MAX) {
		vty_out(vty, "%% netns reference is %zu characters long; at most %d are allowed\n",
			strlen(netns), MN_NETNS_REF_MAX);
		return CMD_WARNING_CONFIG_FAILED;
	}
	if (netns && !mn_netns_ref_valid(netns, err, sizeof(err))) {
		vty_out(vty, "%% %s\n", err);
		return CMD_WARNING_CONFIG_FAILED;
	}
	nb_cli_enqueue_change(vty, "./netns", no ? NB_OP_DESTROY : NB_OP_MODIFY, netns);
	return nb_cli_apply_changes(vty, NULL);
}

DEFPY_YANG(task_vip, task_vip_cmd,
	   "[no] vip <A.B.C.D/M$v4|X:X::X:X/M$v6>",
	   NO_STR
	   "The task's address (VIP), a host prefix\n"
	   "IPv4 VIP (/32)\n"
	   "IPv6 VIP (/128)\n")
{
	const char *leaf = v4_str ? "./vip-v4" : "./vip-v6";

	nb_cli_enqueue_change(vty, leaf, no ? NB_OP_DESTROY : NB_OP_MODIFY,
			      v4_str ? v4_str : v6_str);
	return nb_cli_apply_changes(vty, NULL);
}

DEFPY_YANG(task_nic_address, task_nic_address_cmd,
	   "[no] nic IFNAME$nic address <A.B.C.D/M$v4|X:X::X:X/M$v6>",
	   NO_STR
	   "A per-NIC task address: its traffic always leaves through this NIC\n"
	   "Interface name\n"
	   "The task's address for this NIC, a host prefix\n"
	   "IPv4 address (/32)\n"
	   "IPv6 address (/128)\n")
{
	char xpath[XPATH_MAXLEN];

	if (!cli_ifname_ok(vty, nic))
		return CMD_WARNING_CONFIG_FAILED;
	snprintf(xpath, sizeof(xpath), "./nic-address[nic='%s']", nic);
	if (!no)
		nb_cli_enqueue_change(vty, ".", NB_OP_CREATE, NULL);
	nb_cli_enqueue_change(vty, v4_str ? "./ipv4" : "./ipv6", no ? NB_OP_DESTROY : NB_OP_MODIFY,
			      v4_str ? v4_str : v6_str);
	return nb_cli_apply_changes(vty, "%s", xpath);
}

DEFPY_YANG(no_task_nic, no_task_nic_cmd, "no nic IFNAME$nic",
	   NO_STR
	   "A per-NIC task address: its traffic always leaves through this NIC\n"
	   "Interface name\n")
{
	char xpath[XPATH_MAXLEN];

	if (!cli_ifname_ok(vty, nic))
		return CMD_WARNING_CONFIG_FAILED;
	snprintf(xpath, sizeof(xpath), "./nic-address[nic='%s']", nic);
	nb_cli_enqueue_change(vty, xpath, NB_OP_DESTROY, NULL);
	return nb_cli_apply_changes(vty, NULL);
}

DEFPY_YANG(task_mtu, task_mtu_cmd, "[no] mtu ![(1-65535)$mtu]",
	   NO_STR
	   "MTU of the task's device (default: smallest MTU of the NICs)\n"
	   "MTU, 1280 to 65535\n")
{
	if (!no && !mtu_str) {
		vty_out(vty, "%% mtu needs a value\n");
		return CMD_WARNING_CONFIG_FAILED;
	}
	/* The wider token lets the user read why a value is refused. */
	if (!no && mtu < 1280) {
		vty_out(vty, "%% MTU %ld is out of range 1280..65535 (IPv6 needs 1280)\n", mtu);
		return CMD_WARNING_CONFIG_FAILED;
	}
	nb_cli_enqueue_change(vty, "./mtu", no ? NB_OP_DESTROY : NB_OP_MODIFY, mtu_str);
	return nb_cli_apply_changes(vty, NULL);
}

DEFPY_YANG(task_ifname, task_ifname_cmd, "[no] ifname ![IFNAME$ifname]",
	   NO_STR
	   "Name of the task's device inside its netns (default mn0)\n"
	   "Interface name\n")
{
	if (!no && !ifname) {
		vty_out(vty, "%% ifname needs a name\n");
		return CMD_WARNING_CONFIG_FAILED;
	}
	if (ifname && !cli_ifname_ok(vty, ifname))
		return CMD_WARNING_CONFIG_FAILED;
	nb_cli_enqueue_change(vty, "./ifname", NB_OP_MODIFY, no ? NULL : ifname);
	return nb_cli_apply_changes(vty, NULL);
}

DEFPY_YANG(task_announce, task_announce_cmd, "[no] announce",
	   NO_STR "Announce the task's VIPs to the rack switch\n")
{
	nb_cli_enqueue_change(vty, "./announce", NB_OP_MODIFY, no ? "false" : "true");
	return nb_cli_apply_changes(vty, NULL);
}

/*
 * Running configuration
 */

void cli_show_multinic(struct vty *vty, const struct lyd_node *dnode, bool show_defaults)
{
	vty_out(vty, "multinic\n");
}

void cli_show_multinic_end(struct vty *vty, const struct lyd_node *dnode)
{
	vty_out(vty, "exit\n");
}

void cli_show_egress_mode(struct vty *vty, const struct lyd_node *dnode, bool show_defaults)
{
	vty_out(vty, " egress-mode %s\n", yang_dnode_get_string(dnode, NULL));
}

void cli_show_placement(struct vty *vty, const struct lyd_node *dnode, bool show_defaults)
{
	vty_out(vty, " placement %s\n", yang_dnode_get_string(dnode, NULL));
}

void cli_show_nic(struct vty *vty, const struct lyd_node *dnode, bool show_defaults)
{
	vty_out(vty, " nic %s", yang_dnode_get_string(dnode, "name"));
	if (yang_dnode_exists(dnode, "weight"))
		vty_out(vty, " weight %s", yang_dnode_get_string(dnode, "weight"));
	if (yang_dnode_exists(dnode, "speed"))
		vty_out(vty, " speed %s", yang_dnode_get_string(dnode, "speed"));
	if (yang_dnode_exists(dnode, "gateway-v4"))
		vty_out(vty, " gateway %s", yang_dnode_get_string(dnode, "gateway-v4"));
	if (yang_dnode_exists(dnode, "gateway-v6"))
		vty_out(vty, " gateway %s", yang_dnode_get_string(dnode, "gateway-v6"));
	if (yang_dnode_exists(dnode, "numa-node"))
		vty_out(vty, " numa-node %s", yang_dnode_get_string(dnode, "numa-node"));
	vty_out(vty, "\n");
}

void cli_show_nic_match(struct vty *vty, const struct lyd_node *dnode, bool show_defaults)
{
	vty_out(vty, " nic-match %s", yang_dnode_get_string(dnode, "seq"));
	if (yang_dnode_exists(dnode, "name-pattern"))
		vty_out(vty, " name %s", yang_dnode_get_string(dnode, "name-pattern"));
	if (yang_dnode_exists(dnode, "driver"))
		vty_out(vty, " driver %s", yang_dnode_get_string(dnode, "driver"));
	if (yang_dnode_exists(dnode, "has-default-gateway"))
		vty_out(vty, " default-gateway");
	vty_out(vty, "\n");
}

void cli_show_task(struct vty *vty, const struct lyd_node *dnode, bool show_defaults)
{
	vty_out(vty, " task %s\n", yang_dnode_get_string(dnode, "name"));
}

void cli_show_task_end(struct vty *vty, const struct lyd_node *dnode)
{
	vty_out(vty, " exit\n");
}

void cli_show_task_netns(struct vty *vty, const struct lyd_node *dnode, bool show_defaults)
{
	vty_out(vty, "  netns %s\n", yang_dnode_get_string(dnode, NULL));
}

void cli_show_task_vip(struct vty *vty, const struct lyd_node *dnode, bool show_defaults)
{
	vty_out(vty, "  vip %s\n", yang_dnode_get_string(dnode, NULL));
}

void cli_show_task_addr(struct vty *vty, const struct lyd_node *dnode, bool show_defaults)
{
	const char *nic = yang_dnode_get_string(dnode, "nic");

	if (yang_dnode_exists(dnode, "ipv4"))
		vty_out(vty, "  nic %s address %s\n", nic, yang_dnode_get_string(dnode, "ipv4"));
	if (yang_dnode_exists(dnode, "ipv6"))
		vty_out(vty, "  nic %s address %s\n", nic, yang_dnode_get_string(dnode, "ipv6"));
}

void cli_show_task_mtu(struct vty *vty, const struct lyd_node *dnode, bool show_defaults)
{
	vty_out(vty, "  mtu %s\n", yang_dnode_get_string(dnode, NULL));
}

void cli_show_task_ifname(struct vty *vty, const struct lyd_node *dnode, bool show_defaults)
{
	vty_out(vty, "  ifname %s\n", yang_dnode_get_string(dnode, NULL));
}

void cli_show_task_announce(struct vty *vty, const struct lyd_node *dnode, bool show_defaults)
{
	vty_out(vty, "  %sannounce\n", yang_dnode_get_bool(dnode, NULL) ? "" : "no ");
}

/* Tasks of container runtimes are runtime state: never saved (multinic_cni.h). */
static int multinic_config_write(struct vty *vty)
{
	struct lyd_node *dnode;

	dnode = yang_dnode_get(running_config->dnode, MULTINIC_XPATH);
	if (!dnode)
		return 0;
	dnode = mn_cni_config_without_runtime_tasks(dnode);
	if (!dnode)
		return 0;
	nb_cli_show_dnode_cmds(vty, dnode, false);
	lyd_free_all(dnode);
	return 1;
}

/*
 * show multinic
 */

static void show_caps(struct vty *vty, json_object *json)
{
	const struct multinic_caps *c = &multinic_caps;
	const struct {
		const char *key, *label;
		bool value;
	} flags[] = {
		{ "netkit", "netkit", c->has.netkit },
		{ "veth", "veth", c->has.veth },
		{ "tcx", "tcx", c->has.tcx },
		{ "clsact", "clsact", c->has.clsact },
		{ "btf", "BTF", c->has.btf },
		{ "bpfSchedCls", "BPF SCHED_CLS", c->has.bpf_sched_cls },
	};
	size_t i;

	if (json) {
		json_object *j = json_object_new_object();

		json_object_string_add(j, "kernelRelease", c->kernel_release);
		for (i = 0; i < array_size(flags); i++)
			json_object_boolean_add(j, flags[i].key, flags[i].value);
		json_object_string_add(j, "libbpfVersion", c->libbpf_version);
		if (c->disabled[0])
			json_object_string_add(j, "disabled", c->disabled);
		json_object_object_add(json, "capabilities", j);
		return;
	}
	vty_out(vty, "Datapath capabilities (probed at start):\n");
	vty_out(vty, "  kernel %s, libbpf %s\n", c->kernel_release, c->libbpf_version);
	if (c->disabled[0])
		vty_out(vty, "  reported missing by %s: %s\n", MN_CAPS_DISABLE_ENV, c->disabled);
	for (i = 0; i < array_size(flags); i++)
		vty_out(vty, "  %-14s %s\n", flags[i].label, flags[i].value ? "yes" : "no");
}

/* Tasks per status: what a poller (a runtime, the bench) needs, cheaply. */
static void show_task_statuses(struct vty *vty, json_object *json)
{
	unsigned int n[MN_TASK_FAILED + 1] = {}, i;
	const struct mn_task *task;
	json_object *j = json ? json_object_new_object() : NULL;

	frr_each (mn_tasks_const, &mn_tasks, task)
		n[task->status]++;
	if (!json)
		vty_out(vty, "  tasks by status:");
	for (i = 0; i <= MN_TASK_FAILED; i++) {
		if (j)
			json_object_int_add(j, mn_task_status_name(i), n[i]);
		else
			vty_out(vty, " %u %s", n[i], mn_task_status_name(i));
	}
	if (j)
		json_object_object_add(json, "taskStatus", j);
	else
		vty_out(vty, "\n");
}

static void show_config_summary(struct vty *vty, json_object *json)
{
	const struct multinic_config *cfg = &multinic_cfg;
	const char *egress = mn_egress_mode_name(cfg->egress_mode);
	const char *placement = mn_placement_name(cfg->placement);
	size_t tasks = mn_tasks_count(&mn_tasks);

	if (json) {
		json_object *j = json_object_new_object();

		json_object_string_add(j, "egressMode", egress);
		json_object_string_add(j, "placement", placement);
		json_object_int_add(j, "nics", mn_nic_cfgs_count(&mn_nic_cfgs));
		json_object_int_add(j, "nicMatchRules", mn_nic_rules_count(&mn_nic_rules));
		json_object_int_add(j, "selectedNics", mn_nics_count(&mn_nics));
		json_object_int_add(j, "tasks", tasks);
		show_task_statuses(vty, j);
		json_object_boolean_add(json, "configured", cfg->configured);
		json_object_object_add(json, "config", j);
		return;
	}
	if (!cfg->configured) {
		vty_out(vty, "Not configured (no \"multinic\" block)\n");
		return;
	}
	vty_out(vty, "Configuration: egress-mode %s, placement %s\n", egress, placement);
	vty_out(vty, "  NICs named: %zu, match rules: %zu, NICs selected: %zu, tasks: %zu\n",
		mn_nic_cfgs_count(&mn_nic_cfgs), mn_nic_rules_count(&mn_nic_rules),
		mn_nics_count(&mn_nics), tasks);
	show_task_statuses(vty, NULL);
}

static void show_egress(struct vty *vty, json_object *json)
{
	char reason[256];
	enum mn_datapath dp;

	dp = mn_datapath_in_use(reason, sizeof(reason));
	if (json) {
		json_object *j = json_object_new_object();

		json_object_string_add(j, "datapath", mn_datapath_name(dp));
		json_object_string_add(j, "reason", reason);
		json_object_int_add(j, "table", MN_EGRESS_TABLE);
		json_object_boolean_add(j, "active", mn_kernel_active());
		json_object_object_add(json, "egress", j);
		return;
	}
	vty_out(vty, "Egress datapath: %s\n  %s\n", mn_datapath_name(dp), reason);
}

DEFPY(show_multinic, show_multinic_cmd, "show multinic [json]$uj",
      SHOW_STR MULTINIC_STR JSON_STR)
{
	json_object *json = uj ? json_object_new_object() : NULL;

	if (json)
		json_object_string_add(json, "version", MULTINICD_VERSION);
	else
		vty_out(vty, "multinicd %s\n", MULTINICD_VERSION);
	show_config_summary(vty, json);
	show_egress(vty, json);
	mn_numa_show_summary(vty, json);
	show_caps(vty, json);
	if (json)
		vty_json(vty, json);
	return CMD_SUCCESS;
}

/*
 * show multinic nic
 */

static void addresses_json(struct interface *ifp, json_object *jnic)
{
	json_object *v4 = json_object_new_array();
	json_object *v6 = json_object_new_array();
	struct connected *ifc;

	frr_each (if_connected, ifp->connected, ifc) {
		char buf[PREFIX_STRLEN];

		prefix2str(ifc->address, buf, sizeof(buf));
		if (ifc->address->family == AF_INET)
			json_object_array_add(v4, json_object_new_string(buf));
		else if (ifc->address->family == AF_INET6)
			json_object_array_add(v6, json_object_new_string(buf));
	}
	json_object_object_add(jnic, "ipv4", v4);
	json_object_object_add(jnic, "ipv6", v6);
}

static void addresses_text(struct vty *vty, struct interface *ifp)
{
	struct connected *ifc;

	frr_each (if_connected, ifp->connected, ifc)
		vty_out(vty, "    address %pFX\n", ifc->address);
}

static const char *gateway_source(const struct mn_nic *nic, afi_t afi)
{
	return nic->cfg && nic->cfg->has_gw[afi] ? "configured" : "default route";
}

static void gateways_json(const struct mn_nic *nic, json_object *j)
{
	static const char *const key[AFI_MAX] = {
		[AFI_IP] = "gatewayIpv4", [AFI_IP6] = "gatewayIpv6"
	};
	union g_addr gw;
	afi_t afi;

	for (afi = AFI_IP; afi <= AFI_IP6; afi++) {
		json_object *jg;

		if (!mn_nic_gateway(nic, afi, &gw))
			continue;
		jg = json_object_new_object();
		if (afi == AFI_IP)
			json_object_string_addf(jg, "address", "%pI4", &gw.ipv4);
		else
			json_object_string_addf(jg, "address", "%pI6", &gw.ipv6);
		json_object_string_add(jg, "source", gateway_source(nic, afi));
		json_object_string_add(jg, "neighbour", mn_neigh_state_name(nic->gw_neigh[afi]));
		json_object_object_add(j, key[afi], jg);
	}
}

static void gateways_text(struct vty *vty, const struct mn_nic *nic)
{
	union g_addr gw;
	afi_t afi;

	for (afi = AFI_IP; afi <= AFI_IP6; afi++) {
		if (!mn_nic_gateway(nic, afi, &gw))
			continue;
		if (afi == AFI_IP)
			vty_out(vty, "  IPv4 gateway %pI4", &gw.ipv4);
		else
			vty_out(vty, "  IPv6 gateway %pI6", &gw.ipv6);
		vty_out(vty, " (%s), neighbour %s\n", gateway_source(nic, afi),
			mn_neigh_state_name(nic->gw_neigh[afi]));
	}
}

static void show_nic_json(const struct mn_nic *nic, json_object *json)
{
	struct interface *ifp = if_lookup_by_index(nic->ifindex, VRF_DEFAULT);
	json_object *j = json_object_new_object();
	char buf[64];

	json_object_int_add(j, "ifindex", nic->ifindex);
	json_object_boolean_add(j, "operUp", nic->oper_up);
	json_object_int_add(j, "mtu", nic->mtu);
	json_object_int_add(j, "speed", mn_nic_speed(nic));
	json_object_string_add(j, "speedSource",
			       nic->cfg && nic->cfg->speed ? "configured"
			       : nic->speed_reported	   ? "reported"
							   : "unknown");
	json_object_int_add(j, "weight", mn_nic_weight(nic));
	json_object_string_add(j, "driver", nic->driver);
	mn_numa_show_nic(NULL, nic, j);
	json_object_string_add(j, "selectedBy", mn_nic_selected_by(nic, buf, sizeof(buf)));
	gateways_json(nic, j);
	if (ifp)
		addresses_json(ifp, j);
	json_object_object_add(json, nic->name, j);
}

static void show_nic_text(struct vty *vty, const struct mn_nic *nic)
{
	struct interface *ifp = if_lookup_by_index(nic->ifindex, VRF_DEFAULT);
	char buf[64];

	vty_out(vty, "NIC %s (ifindex %u) is %s, selected by %s\n", nic->name, nic->ifindex,
		nic->oper_up ? "up" : "down", mn_nic_selected_by(nic, buf, sizeof(buf)));
	vty_out(vty, "  speed %u Mbit/s%s, weight %u, mtu %u\n", mn_nic_speed(nic),
		nic->cfg && nic->cfg->speed ? " (configured)"
		: nic->speed_reported	    ? ""
					    : " (unknown)",
		mn_nic_weight(nic), nic->mtu);
	vty_out(vty, "  driver %s\n", nic->driver[0] ? nic->driver : "unknown");
	mn_numa_show_nic(vty, nic, NULL);
	gateways_text(vty, nic);
	if (ifp)
		addresses_text(vty, ifp);
}

DEFPY(show_multinic_nic, show_multinic_nic_cmd,
      "show multinic nic [IFNAME$name] [json]$uj",
      SHOW_STR MULTINIC_STR
      "NICs selected to carry task traffic\n"
      "Interface name\n" JSON_STR)
{
	json_object *json = uj ? json_object_new_object() : NULL;
	const struct mn_nic *nic;

	if (name && !mn_nic_find(name)) {
		if (json)
			vty_json(vty, json);
		else
			vty_out(vty, "%% NIC %s is not selected\n", name);
		return CMD_WARNING;
	}
	frr_each (mn_nics_const, &mn_nics, nic) {
		if (name && !strmatch(name, nic->name))
			continue;
		if (json)
			show_nic_json(nic, json);
		else
			show_nic_text(vty, nic);
	}
	if (json)
		vty_json(vty, json);
	else if (!mn_nics_count(&mn_nics))
		vty_out(vty, "No NIC selected\n");
	return CMD_SUCCESS;
}

/*
 * show multinic task
 */

/* Each object a task consists of, as a text line or a JSON entry. */
struct object_out {
	struct vty *vty;
	json_object *jarray; /* NULL: text */
};

static void object_out(void *arg, const char *kind, const char *where, bool present,
		       const char *what)
{
	struct object_out *out = arg;
	json_object *jo;

	if (!out->jarray) {
		vty_out(out->vty, "  %-13s %-8s %s%s\n", kind, where, what,
			present ? "" : " (absent)");
		return;
	}
	jo = json_object_new_object();
	json_object_string_add(jo, "kind", kind);
	json_object_string_add(jo, "netns", where);
	json_object_string_add(jo, "object", what);
	json_object_boolean_add(jo, "present", present);
	json_object_array_add(out->jarray, jo);
}

/* The datapath a task is on: the one carrying it, else the one it would use. */
static enum mn_datapath task_datapath(const struct mn_task *task)
{
	char reason[256];

	if (task->status == MN_TASK_WIRED)
		return mn_datapath_of_task(task->name);
	return mn_datapath_in_use(reason, sizeof(reason));
}

static void show_task_json(const struct mn_task *task, json_object *json)
{
	json_object *j = json_object_new_object();
	struct object_out out = { .jarray = json_object_new_array() };
	bool wired = task->status == MN_TASK_WIRED;

	json_object_string_add(j, "netns", task->netns);
	if (task->has_vip[AFI_IP])
		json_object_string_addf(j, "vipV4", "%pFX", &task->vip[AFI_IP]);
	if (task->has_vip[AFI_IP6])
		json_object_string_addf(j, "vipV6", "%pFX", &task->vip[AFI_IP6]);
	json_object_string_add(j, "status", mn_task_status_name(task->status));
	if (task->error[0])
		json_object_string_add(j, "error", task->error);
	json_object_string_add(j, "datapath", mn_datapath_name(task_datapath(task)));
	json_object_string_add(j, "device", wired ? mn_task_device_name(task->device) : "");
	json_object_string_add(j, "hostInterface", task->host_ifname);
	json_object_string_add(j, "taskInterface", task->peer_ifname);
	json_object_int_add(j, "mtu", task->mtu_in_use);
	json_object_boolean_add(j, "announce", task->announce);
	mn_numa_show_task(NULL, task, j);
	mn_task_objects(task, object_out, &out);
	json_object_object_add(j, "objects", out.jarray);
	mn_cni_task_show(task, NULL, j);
	json_object_object_add(json, task->name, j);
}

static void show_task_text(struct vty *vty, const struct mn_task *task)
{
	struct object_out out = { .vty = vty };
	afi_t afi;

	vty_out(vty, "Task %s: %s%s%s\n", task->name, mn_task_status_name(task->status),
		task->error[0] ? ": " : "", task->error);
	vty_out(vty, "  netns %s", task->netns[0] ? task->netns : "-");
	for (afi = AFI_IP; afi <= AFI_IP6; afi++)
		if (task->has_vip[afi])
			vty_out(vty, ", VIP %pFX", &task->vip[afi]);
	vty_out(vty, ", datapath %s%s\n", mn_datapath_name(task_datapath(task)),
		task->announce ? "" : ", not announced");
	mn_numa_show_task(vty, task, NULL);
	mn_cni_task_show(task, vty, NULL);
	mn_task_objects(task, object_out, &out);
}

DEFPY(show_multinic_task, show_multinic_task_cmd,
      "show multinic task [NAME$name] [json]$uj",
      SHOW_STR MULTINIC_STR
      "Tasks and everything multinicd created for them\n"
      "Task name\n" JSON_STR)
{
	json_object *json = uj ? json_object_new_object() : NULL;
	const struct mn_task *task;

	if (name && !mn_task_find(name)) {
		if (json)
			vty_json(vty, json);
		else
			vty_out(vty, "%% No task %s\n", name);
		return CMD_WARNING;
	}
	frr_each (mn_tasks_const, &mn_tasks, task) {
		if (name && !strmatch(name, task->name))
			continue;
		if (json)
			show_task_json(task, json);
		else
			show_task_text(vty, task);
	}
	if (json)
		vty_json(vty, json);
	else if (!mn_tasks_count(&mn_tasks))
		vty_out(vty, "No task configured\n");
	return CMD_SUCCESS;
}

/*
 * show multinic counters
 */

static json_object *counters_json(const struct mn_dp_counters *c)
{
	json_object *j = json_object_new_object();

	json_object_int_add(j, "txPackets", c->tx_packets);
	json_object_int_add(j, "txBytes", c->tx_bytes);
	json_object_int_add(j, "rxPackets", c->rx_packets);
	json_object_int_add(j, "rxBytes", c->rx_bytes);
	json_object_int_add(j, "fallback", c->fallback);
	json_object_int_add(j, "local", c->local);
	json_object_int_add(j, "redirectErrors", c->redirect_errors);
	json_object_int_add(j, "spoofed", c->spoofed);
	json_object_int_add(j, "tagged", c->tagged);
	json_object_int_add(j, "ttlExpired", c->ttl_expired);
	json_object_int_add(j, "tooBig", c->too_big);
	return j;
}

static void counters_text(struct vty *vty, const char *what, const char *name,
			  const struct mn_dp_counters *c)
{
	vty_out(vty,
		"%-4s %-16s %12" PRIu64 " %14" PRIu64 " %12" PRIu64 " %14" PRIu64 " %9" PRIu64
		" %9" PRIu64 " %9" PRIu64 " %9" PRIu64 " %7" PRIu64 " %7" PRIu64 " %7" PRIu64 "\n",
		what, name, c->tx_packets, c->tx_bytes, c->rx_packets, c->rx_bytes, c->fallback,
		c->local, c->redirect_errors, c->spoofed, c->tagged, c->ttl_expired, c->too_big);
}

DEFPY(show_multinic_counters, show_multinic_counters_cmd, "show multinic counters [json]$uj",
      SHOW_STR MULTINIC_STR
      "Packet counters of the eBPF datapath, per NIC and per task (with the kernel's anti-spoofing drops); least-loaded's per-NIC load\n" JSON_STR)
{
	json_object *json = NULL, *jnics = NULL, *jtasks = NULL, *j;
	const struct mn_task *task;
	const struct mn_nic *nic;
	struct mn_dp_nic_view v;
	struct mn_dp_counters c;
	bool active = mn_datapath_ebpf_active();

	if (uj) {
		json = json_object_new_object();
		jnics = json_object_new_object();
		jtasks = json_object_new_object();
		json_object_boolean_add(json, "active", active);
		json_object_object_add(json, "nics", jnics);
		json_object_object_add(json, "tasks", jtasks);
	} else {
		vty_out(vty, "eBPF datapath %s\n", active ? "active" : "not active");
		vty_out(vty, "%-4s %-16s %12s %14s %12s %14s %9s %9s %9s %9s %7s %7s %7s\n", "",
			"Name", "TxPackets", "TxBytes", "RxPackets", "RxBytes", "Fallback", "Local",
			"RedirErr", "Spoofed", "Tagged", "TtlExp", "TooBig");
	}
	frr_each (mn_nics_const, &mn_nics, nic) {
		if (!mn_datapath_nic_view(nic->ifindex, &v))
			continue;
		if (!json) {
			counters_text(vty, "nic", nic->name, &v.counters);
			continue;
		}
		j = counters_json(&v.counters);
		json_object_int_add(j, "slot", v.slot);
		json_object_string_add(j, "link", v.link);
		json_object_string_add(j, "hook", v.hook);
		mn_placement_counters_json(j, &v);
		json_object_object_add(jnics, nic->name, j);
	}
	frr_each (mn_tasks_const, &mn_tasks, task) {
		if (!mn_datapath_task_counters(task->name, &c))
			continue;
		if (!json) {
			counters_text(vty, "task", task->name, &c);
			continue;
		}
		j = counters_json(&c);
		json_object_string_add(j, "hostInterface", task->host_ifname);
		json_object_object_add(jtasks, task->name, j);
	}
	if (json)
		vty_json(vty, json);
	else
		mn_placement_counters_text(vty);
	return CMD_SUCCESS;
}

static struct cmd_node multinic_node = {
	.name = "multinic",
	.node = MULTINIC_NODE,
	.parent_node = CONFIG_NODE,
	.prompt = "%s(config-multinic)# ",
	.config_write = multinic_config_write,
};

static struct cmd_node multinic_task_node = {
	.name = "multinic task",
	.node = MULTINIC_TASK_NODE,
	.parent_node = MULTINIC_NODE,
	.prompt = "%s(config-multinic-task)# ",
};

void multinic_vty_init(void)
{
	install_node(&multinic_node);
	install_node(&multinic_task_node);
	install_default(MULTINIC_NODE);
	install_default(MULTINIC_TASK_NODE);

	install_element(CONFIG_NODE, &multinic_cmd);
	install_element(CONFIG_NODE, &no_multinic_cmd);
	install_element(MULTINIC_NODE, &egress_mode_cmd);
	install_element(MULTINIC_NODE, &placement_cmd);
	install_element(MULTINIC_NODE, &nic_cmd);
	install_element(MULTINIC_NODE, &no_nic_cmd);
	install_element(MULTINIC_NODE, &nic_match_cmd);
	install_element(MULTINIC_NODE, &no_nic_match_cmd);
	install_element(MULTINIC_NODE, &task_cmd);
	install_element(MULTINIC_NODE, &no_task_cmd);
	install_element(MULTINIC_TASK_NODE, &task_netns_cmd);
	install_element(MULTINIC_TASK_NODE, &task_vip_cmd);
	install_element(MULTINIC_TASK_NODE, &task_mtu_cmd);
	install_element(MULTINIC_TASK_NODE, &task_nic_address_cmd);
	install_element(MULTINIC_TASK_NODE, &no_task_nic_cmd);
	install_element(MULTINIC_TASK_NODE, &task_announce_cmd);
	install_element(MULTINIC_TASK_NODE, &task_ifname_cmd);

	install_element(VIEW_NODE, &show_multinic_cmd);
	install_element(VIEW_NODE, &show_multinic_nic_cmd);
	install_element(VIEW_NODE, &show_multinic_task_cmd);
	install_element(VIEW_NODE, &show_multinic_counters_cmd);
	mn_numa_vty_init();
}
