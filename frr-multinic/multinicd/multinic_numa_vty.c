// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * multinicd: CLI of the NUMA configuration (numa-policy, receive-steering,
 * a task's numa-node), its running-config, and the NUMA parts of the show
 * commands (doc/numa.md).
 */
#include <zebra.h>

#include "lib/command.h"
#include "lib/json.h"
#include "lib/northbound_cli.h"
#include "lib/vty.h"

#include "multinicd.h"
#include "multinic_datapath.h"
#include "multinic_nb.h"
#include "multinic_nic.h"
#include "multinic_numa.h"
#include "multinic_steer.h"
#include "multinic_task.h"
#include "multinic_vty.h"

#include "multinicd/multinic_numa_vty_clippy.c"

DEFPY_YANG(numa_policy, numa_policy_cmd,
	   "numa-policy <prefer|strict|ignore>$policy [spill-threshold (0-100)$thr]",
	   "Which NICs a task sends through, by NUMA node\n"
	   "Its node's NICs first, others when they are down or loaded\n"
	   "Its node's NICs only\n"
	   "Every NIC, whatever the node\n"
	   "Under prefer: a node's NIC load (percent of its speed) from which its tasks spill\n"
	   "Percent; 0: spill only when its NICs are down\n")
{
	/* The line defines both: a threshold it omits is back to its default. */
	nb_cli_enqueue_change(vty, "./numa/policy", NB_OP_MODIFY, policy);
	nb_cli_enqueue_change(vty, "./numa/spill-threshold", thr_str ? NB_OP_MODIFY : NB_OP_DESTROY,
			      thr_str);
	return nb_cli_apply_changes(vty, NULL);
}

DEFPY_YANG(no_numa_policy, no_numa_policy_cmd,
	   "no numa-policy [<prefer|strict|ignore> [spill-threshold (0-100)]]",
	   NO_STR
	   "Which NICs a task sends through, by NUMA node\n"
	   "Its node's NICs first, others when they are down or loaded\n"
	   "Its node's NICs only\n"
	   "Every NIC, whatever the node\n"
	   "Under prefer: a node's NIC load (percent of its speed) from which its tasks spill\n"
	   "Percent; 0: spill only when its NICs are down\n")
{
	nb_cli_enqueue_change(vty, "./numa/policy", NB_OP_DESTROY, NULL);
	nb_cli_enqueue_change(vty, "./numa/spill-threshold", NB_OP_DESTROY, NULL);
	return nb_cli_apply_changes(vty, NULL);
}

DEFPY_YANG(receive_steering, receive_steering_cmd,
	   "[no] receive-steering <off|auto|xdp|hardware>$mode",
	   NO_STR
	   "Handle a task's received packets on CPUs of its NUMA node\n"
	   "Where the NIC delivers them (the default)\n"
	   "In the NIC where it can, else the steering program\n"
	   "The steering program (XDP and a cpumap) on every NIC\n"
	   "An RSS context and ntuple rules in the NIC\n")
{
	nb_cli_enqueue_change(vty, "./numa/receive-steering", no ? NB_OP_DESTROY : NB_OP_MODIFY,
			      no ? NULL : mode);
	return nb_cli_apply_changes(vty, NULL);
}

DEFPY_YANG(task_numa_node, task_numa_node_cmd, "[no] numa-node ![(0-63)$node]",
	   NO_STR
	   "The task's NUMA node (default: from its processes' cpusets)\n"
	   "Node number\n")
{
	if (!no && !node_str) {
		vty_out(vty, "%% numa-node needs a node number\n");
		return CMD_WARNING_CONFIG_FAILED;
	}
	nb_cli_enqueue_change(vty, "./numa-node", no ? NB_OP_DESTROY : NB_OP_MODIFY, node_str);
	return nb_cli_apply_changes(vty, NULL);
}

/*
 * Running configuration: "numa-policy POLICY [spill-threshold N]" is one
 * line for two leaves; it is written by whichever is not the default.
 */
void cli_show_numa_policy(struct vty *vty, const struct lyd_node *dnode, bool show_defaults)
{
	vty_out(vty, " numa-policy %s", yang_dnode_get_string(dnode, NULL));
	if (!yang_dnode_is_default(dnode, "../spill-threshold"))
		vty_out(vty, " spill-threshold %s",
			yang_dnode_get_string(dnode, "../spill-threshold"));
	vty_out(vty, "\n");
}

void cli_show_numa_spill_threshold(struct vty *vty, const struct lyd_node *dnode,
				   bool show_defaults)
{
	if (!yang_dnode_is_default(dnode, "../policy"))
		return; /* on the policy's line */
	vty_out(vty, " numa-policy %s spill-threshold %s\n",
		yang_dnode_get_string(dnode, "../policy"), yang_dnode_get_string(dnode, NULL));
}

void cli_show_numa_steering(struct vty *vty, const struct lyd_node *dnode, bool show_defaults)
{
	vty_out(vty, " receive-steering %s\n", yang_dnode_get_string(dnode, NULL));
}

void cli_show_task_numa_node(struct vty *vty, const struct lyd_node *dnode, bool show_defaults)
{
	vty_out(vty, "  numa-node %s\n", yang_dnode_get_string(dnode, NULL));
}

/*
 * show multinic: the host's topology and the configuration
 */

void mn_numa_show_summary(struct vty *vty, json_object *json)
{
	const struct mn_numa_topology *topo = mn_numa_host();
	char cpus[512], why[160] = "";
	bool possible = mn_steer_possible(why, sizeof(why));
	json_object *j, *jnodes;
	int node;

	if (!json) {
		vty_out(vty, "NUMA: numa-policy %s, spill-threshold %u%%, receive-steering %s\n",
			mn_numa_policy_name(multinic_cfg.numa_policy),
			multinic_cfg.spill_threshold,
			mn_steering_mode_name(multinic_cfg.steering));
		for (node = mn_numa_set_first(&topo->nodes); node >= 0;
		     node = mn_numa_set_next(&topo->nodes, node))
			vty_out(vty, "  node %d: CPUs %s\n", node,
				mn_numa_list_format(&topo->cpus[node], cpus, sizeof(cpus)));
		vty_out(vty, "  (read from %s); the steering program %s%s%s\n",
			mn_numa_host_source(), possible ? "can run here" : "cannot run here: ",
			possible ? "" : why, "");
		return;
	}
	j = json_object_new_object();
	jnodes = json_object_new_object();
	json_object_string_add(j, "policy", mn_numa_policy_name(multinic_cfg.numa_policy));
	json_object_int_add(j, "spillThreshold", multinic_cfg.spill_threshold);
	json_object_string_add(j, "receiveSteering", mn_steering_mode_name(multinic_cfg.steering));
	json_object_string_add(j, "source", mn_numa_host_source());
	for (node = mn_numa_set_first(&topo->nodes); node >= 0;
	     node = mn_numa_set_next(&topo->nodes, node)) {
		json_object *jn = json_object_new_object();
		char key[16];

		json_object_string_add(jn, "cpus",
				       mn_numa_list_format(&topo->cpus[node], cpus, sizeof(cpus)));
		snprintf(key, sizeof(key), "%d", node);
		json_object_object_add(jnodes, key, jn);
	}
	json_object_object_add(j, "nodes", jnodes);
	json_object_boolean_add(j, "steeringPossible", possible);
	if (!possible)
		json_object_string_add(j, "steeringImpossibleWhy", why);
	json_object_object_add(json, "numa", j);
}

/*
 * show multinic nic: its node, its load, how it steers
 */

static const char *nic_node_source(const struct mn_nic *nic)
{
	if (nic->cfg && nic->cfg->numa_node != MN_NUMA_NODE_NONE)
		return "configured";
	return nic->numa.node_read != MN_NUMA_NODE_NONE ? "sysfs" : "unknown";
}

/* The NIC's interrupts as the probe found them: {"25": {name, cpus, node}}. */
static json_object *irqs_json(const struct mn_steer_caps *caps)
{
	json_object *j = json_object_new_object(), *ji;
	char key[16];
	unsigned int i;

	for (i = 0; i < caps->n_irqs; i++) {
		ji = json_object_new_object();
		json_object_string_add(ji, "name", caps->irq[i].name);
		json_object_string_add(ji, "cpus", caps->irq[i].cpus);
		json_object_int_add(ji, "numaNode", caps->irq[i].node);
		snprintf(key, sizeof(key), "%u", caps->irq[i].irq);
		json_object_object_add(j, key, ji);
	}
	return j;
}

/* "25 virtio0-input.0 CPUs 0 (node 0)", one line each. */
static void irqs_show(struct vty *vty, const struct mn_steer_caps *caps)
{
	unsigned int i;

	for (i = 0; i < caps->n_irqs; i++) {
		vty_out(vty, "      interrupt %u %s: CPUs %s", caps->irq[i].irq,
			caps->irq[i].name[0] ? caps->irq[i].name : "(no handler)",
			caps->irq[i].cpus[0] ? caps->irq[i].cpus : "?");
		if (caps->irq[i].node >= 0)
			vty_out(vty, " (node %d)\n", caps->irq[i].node);
		else
			vty_out(vty, " (not one node)\n");
	}
}

static json_object *steer_json(const struct mn_dp_steer_view *v)
{
	json_object *j = json_object_new_object();

	json_object_string_add(j, "method", mn_steer_method_name(v->method));
	json_object_string_add(j, "why", v->why);
	if (v->detail[0])
		json_object_string_add(j, "detail", v->detail);
	json_object_string_add(j, "probe", v->found);
	json_object_int_add(j, "rxQueues", v->caps.rings);
	json_object_int_add(j, "rssTableSize", v->caps.indir_size);
	json_object_boolean_add(j, "rssContexts", v->caps.rss_contexts);
	json_object_boolean_add(j, "ntuple", v->caps.ntuple);
	json_object_boolean_add(j, "ntupleOn", v->caps.ntuple_on);
	json_object_int_add(j, "interruptNodes", mn_steer_irq_nodes(&v->caps));
	json_object_int_add(j, "steered", v->steered);
	json_object_int_add(j, "onNode", v->on_node);
	json_object_int_add(j, "noCpu", v->no_cpu);
	json_object_int_add(j, "errors", v->errors);
	/* last: scripts read the flat counters above with a "[^}]*" pattern */
	json_object_object_add(j, "interrupts", irqs_json(&v->caps));
	return j;
}

void mn_numa_show_nic(struct vty *vty, const struct mn_nic *nic, json_object *j)
{
	struct mn_dp_steer_view v;
	bool steer = mn_datapath_nic_steering(nic->ifindex, &v);

	if (j) {
		json_object_int_add(j, "numaNode", mn_nic_numa_node(nic));
		json_object_string_add(j, "numaNodeSource", nic_node_source(nic));
		if (nic->numa.node_path[0])
			json_object_string_add(j, "numaNodeSysfs", nic->numa.node_path);
		json_object_int_add(j, "txBitsPerSecond", nic->numa.tx_bps);
		json_object_boolean_add(j, "spillLoaded", nic->numa.loaded);
		if (steer)
			json_object_object_add(j, "receiveSteering", steer_json(&v));
		return;
	}
	vty_out(vty, "  NUMA node %d (%s)%s", mn_nic_numa_node(nic), nic_node_source(nic),
		nic->numa.loaded ? ", loaded past the spill threshold" : "");
	if (nic->numa.sampled_ms)
		vty_out(vty, ", transmitting %" PRIu64 " bit/s", nic->numa.tx_bps);
	vty_out(vty, "\n");
	if (!steer)
		return;
	vty_out(vty, "  receive steering: %s (%s)\n", mn_steer_method_name(v.method), v.why);
	if (v.detail[0])
		vty_out(vty, "    %s; packets steered %" PRIu64 ", already on their task's node %" PRIu64
			     ", node without CPU %" PRIu64 ", errors %" PRIu64 "\n",
			v.detail, v.steered, v.on_node, v.no_cpu, v.errors);
	vty_out(vty, "    probe: %s\n", v.found);
	irqs_show(vty, &v.caps);
}

/*
 * show multinic task: its node, the NICs its new flows use, where its
 * packets went
 */

static const char *task_node_source(const struct mn_task *task)
{
	switch (task->numa.source) {
	case MN_TASK_NUMA_CONFIGURED:
		return "configured";
	case MN_TASK_NUMA_CGROUP:
		return "cgroup";
	case MN_TASK_NUMA_UNKNOWN:
		break;
	}
	return "unknown";
}

/* The NICs the task's new flows use now, by the policy (as the datapaths decide). */
static enum mn_numa_choice task_nics(const struct mn_task *task, char *buf, size_t len)
{
	struct mn_numa_nic pn[64];
	const struct mn_nic *nics[64], *nic;
	enum mn_numa_choice choice;
	unsigned int n = 0, i;
	uint64_t members;
	size_t used = 0;

	frr_each (mn_nics_const, &mn_nics, nic) {
		if (n == array_size(pn))
			break;
		pn[n].node = mn_nic_numa_node(nic);
		pn[n].usable = nic->oper_up;
		pn[n].loaded = nic->numa.loaded;
		nics[n++] = nic;
	}
	members = mn_numa_members(multinic_cfg.numa_policy, task->numa.node, pn, n, &choice);
	buf[0] = '\0';
	for (i = 0; i < n && used < len; i++)
		if ((members >> i) & 1 && pn[i].usable)
			used += snprintf(buf + used, len - used, "%s%s", used ? " " : "",
					 nics[i]->name);
	return choice;
}

void mn_numa_show_task(struct vty *vty, const struct mn_task *task, json_object *j)
{
	const struct mn_task_numa *n = &task->numa;
	struct mn_dp_numa_counters c;
	bool counted = mn_datapath_task_numa_counters(task->name, &c);
	enum mn_numa_choice choice;
	char nics[256];

	choice = task_nics(task, nics, sizeof(nics));
	if (j) {
		json_object *jn = json_object_new_object();

		json_object_int_add(jn, "node", n->node);
		json_object_string_add(jn, "source", task_node_source(task));
		if (n->pids)
			json_object_int_add(jn, "processes", n->pids);
		if (n->pid)
			json_object_int_add(jn, "pid", n->pid);
		if (n->cpuset[0]) {
			json_object_string_add(jn, "cpuset", n->cpuset);
			json_object_string_add(jn, "mems", n->mems);
		}
		if (n->why[0])
			json_object_string_add(jn, "unknownWhy", n->why);
		json_object_string_add(jn, "egress", mn_numa_choice_name(choice));
		json_object_string_add(jn, "egressNics", nics);
		if (counted) {
			json_object_int_add(jn, "txLocalPackets", c.local_packets);
			json_object_int_add(jn, "txLocalBytes", c.local_bytes);
			json_object_int_add(jn, "txRemotePackets", c.remote_packets);
			json_object_int_add(jn, "txRemoteBytes", c.remote_bytes);
			json_object_int_add(jn, "rxLocalCpuPackets", c.rx_local_packets);
			json_object_int_add(jn, "rxRemoteCpuPackets", c.rx_remote_packets);
		}
		json_object_object_add(j, "numa", jn);
		return;
	}
	if (n->node == MN_NUMA_NODE_NONE)
		vty_out(vty, "  NUMA node unknown%s%s\n", n->why[0] ? ": " : "", n->why);
	else if (n->source == MN_TASK_NUMA_CGROUP)
		vty_out(vty, "  NUMA node %d (%s = %s, process %d)\n", n->node, n->cpuset, n->mems,
			n->pid);
	else
		vty_out(vty, "  NUMA node %d (configured)\n", n->node);
	vty_out(vty, "  new flows use %s: %s\n", mn_numa_choice_name(choice), nics[0] ? nics : "-");
	if (counted)
		vty_out(vty, "  sent through local NICs %" PRIu64 " packets, %" PRIu64
			     " bytes; remote %" PRIu64 " packets, %" PRIu64
			     " bytes; received on local CPUs %" PRIu64 ", remote %" PRIu64 "\n",
			c.local_packets, c.local_bytes, c.remote_packets, c.remote_bytes,
			c.rx_local_packets, c.rx_remote_packets);
}

void mn_numa_vty_init(void)
{
	install_element(MULTINIC_NODE, &numa_policy_cmd);
	install_element(MULTINIC_NODE, &no_numa_policy_cmd);
	install_element(MULTINIC_NODE, &receive_steering_cmd);
	install_element(MULTINIC_TASK_NODE, &task_numa_node_cmd);
}
