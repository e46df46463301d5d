// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * multinicd: northbound callbacks of the NUMA configuration and state
 * (frr-multinic.yang: multinic/numa, nic/numa-node, task/numa-node,
 * multinic-state/numa; doc/numa.md).
 */
#include <zebra.h>

#include "lib/northbound.h"
#include "lib/yang.h"

#include "multinicd.h"
#include "multinic_datapath.h"
#include "multinic_nb.h"
#include "multinic_nic.h"
#include "multinic_numa.h"
#include "multinic_steer.h"
#include "multinic_task.h"

/* The host's nodes, for messages: "0-1 (from /sys/devices/system/node)". */
static const char *host_nodes(char *buf, size_t len)
{
	char list[128];

	snprintf(buf, len, "%s (from %s)",
		 mn_numa_list_format(&mn_numa_host()->nodes, list, sizeof(list))[0] ? list : "none",
		 mn_numa_host_source());
	return buf;
}

/* A numa-node leaf names a node of this host. */
static int node_validate(const struct lyd_node *dnode, const char *what, char *errmsg, size_t len)
{
	int node = yang_dnode_get_uint8(dnode, NULL);
	char nodes[256];

	if (mn_numa_node_exists(node))
		return NB_OK;
	return mn_nb_refuse(errmsg, len, "%s: NUMA node %d does not exist on this host (nodes: %s)", what,
		      node, host_nodes(nodes, sizeof(nodes)));
}

/*
 * XPath: /frr-multinic:multinic/numa
 */
int multinic_numa_policy_modify(struct nb_cb_modify_args *args)
{
	if (args->event != NB_EV_APPLY)
		return NB_OK;
	multinic_cfg.numa_policy = yang_dnode_get_enum(args->dnode, NULL);
	multinic_datapath_config_push(false);
	mn_nic_load_sampling_update();
	return NB_OK;
}

int multinic_numa_spill_threshold_modify(struct nb_cb_modify_args *args)
{
	if (args->event != NB_EV_APPLY)
		return NB_OK;
	multinic_cfg.spill_threshold = yang_dnode_get_uint8(args->dnode, NULL);
	mn_nic_load_sampling_update();
	return NB_OK;
}

/*
 * Steering moves packets between the host's nodes: it needs two nodes
 * with CPUs, and a kernel that runs the program.  Hardware steering is
 * probed and shown (show multinic nic) but not programmed by this
 * release: refused rather than stored and ignored.
 */
int multinic_numa_steering_modify(struct nb_cb_modify_args *args)
{
	enum mn_steering_mode mode = yang_dnode_get_enum(args->dnode, NULL);
	const struct mn_numa_topology *topo = mn_numa_host();
	unsigned int nodes = 0;
	char why[160], list[256];
	int node;

	switch (args->event) {
	case NB_EV_VALIDATE:
		if (mode == MN_STEER_OFF)
			return NB_OK;
		if (mode == MN_STEER_HARDWARE)
			return mn_nb_refuse(args->errmsg, args->errmsg_len,
				      "receive-steering hardware is not implemented yet in multinicd %s (what each NIC offers is in \"show multinic nic\"); use receive-steering xdp or auto",
				      MULTINICD_VERSION);
		for (node = mn_numa_set_first(&topo->nodes); node >= 0;
		     node = mn_numa_set_next(&topo->nodes, node))
			nodes += mn_numa_set_count(&topo->cpus[node]) > 0;
		if (nodes < 2)
			return mn_nb_refuse(args->errmsg, args->errmsg_len,
				      "receive-steering %s: this host has %u NUMA node%s with CPUs (nodes: %s): there is no other node to steer to",
				      mn_steering_mode_name(mode), nodes, nodes == 1 ? "" : "s",
				      host_nodes(list, sizeof(list)));
		if (!mn_steer_possible(why, sizeof(why)))
			return mn_nb_refuse(args->errmsg, args->errmsg_len,
				      "receive-steering %s is not possible on this host: %s",
				      mn_steering_mode_name(mode), why);
		return NB_OK;
	case NB_EV_PREPARE:
	case NB_EV_ABORT:
		return NB_OK;
	case NB_EV_APPLY:
		multinic_cfg.steering = mode;
		multinic_datapath_config_push(false);
		return NB_OK;
	}
	return NB_OK;
}

/*
 * XPath: /frr-multinic:multinic/nic/numa-node and .../task/numa-node:
 * the same leaf on a NIC and on a task, checked against the host's nodes.
 */
static void nic_node_apply(const struct lyd_node *dnode, int node)
{
	mn_nic_cfg_set_numa_node(nb_running_get_entry(dnode, NULL, true), node);
}

static void task_node_apply(const struct lyd_node *dnode, int node)
{
	mn_task_numa_node_set(nb_running_get_entry(dnode, NULL, true), node);
}

static int numa_node_modify(struct nb_cb_modify_args *args, const char *kind,
			    void (*apply)(const struct lyd_node *dnode, int node))
{
	char what[64];

	switch (args->event) {
	case NB_EV_VALIDATE:
		snprintf(what, sizeof(what), "%s %s", kind,
			 yang_dnode_get_string(args->dnode, "../name"));
		return node_validate(args->dnode, what, args->errmsg, args->errmsg_len);
	case NB_EV_PREPARE:
	case NB_EV_ABORT:
		return NB_OK;
	case NB_EV_APPLY:
		apply(args->dnode, yang_dnode_get_uint8(args->dnode, NULL));
		return NB_OK;
	}
	return NB_OK;
}

int multinic_nic_numa_node_modify(struct nb_cb_modify_args *args)
{
	return numa_node_modify(args, "nic", nic_node_apply);
}

int multinic_nic_numa_node_destroy(struct nb_cb_destroy_args *args)
{
	if (args->event == NB_EV_APPLY)
		nic_node_apply(args->dnode, MN_NUMA_NODE_NONE);
	return NB_OK;
}

int multinic_task_numa_node_modify(struct nb_cb_modify_args *args)
{
	return numa_node_modify(args, "task", task_node_apply);
}

int multinic_task_numa_node_destroy(struct nb_cb_destroy_args *args)
{
	if (args->event == NB_EV_APPLY)
		task_node_apply(args->dnode, MN_NUMA_NODE_NONE);
	return NB_OK;
}

/*
 * XPath: /frr-multinic:multinic-state/numa
 */
struct yang_data *multinic_state_numa_source_get_elem(struct nb_cb_get_elem_args *args)
{
	return yang_data_new_string(args->xpath, mn_numa_host_source());
}

/* A node's list entry is its CPU set in the topology. */
static int entry_node(const void *entry)
{
	return (const struct mn_numa_set *)entry - mn_numa_host()->cpus;
}

static const void *node_entry(int node)
{
	return node < 0 ? NULL : &mn_numa_host()->cpus[node];
}

const void *multinic_state_numa_node_get_next(struct nb_cb_get_next_args *args)
{
	int prev = args->list_entry ? entry_node(args->list_entry) : -1;

	return node_entry(mn_numa_set_next(&mn_numa_host()->nodes, prev));
}

int multinic_state_numa_node_get_keys(struct nb_cb_get_keys_args *args)
{
	args->keys->num = 1;
	snprintf(args->keys->key[0], sizeof(args->keys->key[0]), "%d",
		 entry_node(args->list_entry));
	return NB_OK;
}

const void *multinic_state_numa_node_lookup_entry(struct nb_cb_lookup_entry_args *args)
{
	int node = atoi(args->keys->key[0]);

	return mn_numa_node_exists(node) ? node_entry(node) : NULL;
}

struct yang_data *multinic_state_numa_node_get_elem(struct nb_cb_get_elem_args *args)
{
	int node = entry_node(args->list_entry);
	char cpus[512];

	if (strstr(args->xpath, "/id"))
		return yang_data_new_uint8(args->xpath, node);
	return yang_data_new_string(args->xpath,
				    mn_numa_list_format(&mn_numa_host()->cpus[node], cpus,
							sizeof(cpus)));
}

/* XPath: /frr-multinic:multinic-state/nic/{numa-node,spill-loaded,receive-steering} */
struct yang_data *multinic_state_nic_numa_get_elem(struct nb_cb_get_elem_args *args)
{
	const struct mn_nic *nic = args->list_entry;
	struct mn_dp_steer_view v;

	if (strstr(args->xpath, "/numa-node"))
		return yang_data_new_int8(args->xpath, mn_nic_numa_node(nic));
	if (strstr(args->xpath, "/spill-loaded"))
		return yang_data_new_bool(args->xpath, nic->numa.loaded);
	if (!mn_datapath_nic_steering(nic->ifindex, &v))
		v.method = MN_STEER_M_NONE;
	return yang_data_new_string(args->xpath, mn_steer_method_name(v.method));
}
