// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * multinicd: CLI of least-loaded placement (frr-multinic.yang leaves
 * flowlet-timeout and rebalance-interval in the multinic node), "show
 * multinic flows" and the per-NIC load part of "show multinic counters".
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
#include "multinic_vty.h"

#include "multinicd/multinic_placement_vty_clippy.c"

#define LEAST_LOADED_STR "Placement least-loaded: "
/* shown when nothing else is asked for */
#define FLOWS_TOP_DEFAULT 10
/*
 * The defaults of frr-multinic.yang, which are those of the datapath
 * (MN_FLOWLET_TIMEOUT_DEFAULT_US, MN_REBALANCE_INTERVAL_DEFAULT_US of
 * bpf/multinic_maps.h), for show commands before anything is configured.
 */
#define FLOWLET_TIMEOUT_DEFAULT_MS    50
#define REBALANCE_INTERVAL_DEFAULT_MS 100

DEFPY_YANG(flowlet_timeout, flowlet_timeout_cmd,
	   "[no] flowlet-timeout ![(1-10000)$ms]",
	   NO_STR
	   LEAST_LOADED_STR "idle gap after which a flow may move to a less loaded NIC\n"
	   "Milliseconds (default 50; more than the NICs' queueing delays differ)\n")
{
	nb_cli_enqueue_change(vty, "./flowlet-timeout", NB_OP_MODIFY, no ? NULL : ms_str);
	return nb_cli_apply_changes(vty, NULL);
}

DEFPY_YANG(rebalance_interval, rebalance_interval_cmd,
	   "[no] rebalance-interval ![(10-10000)$ms]",
	   NO_STR
	   LEAST_LOADED_STR "how often loads are measured, and the least time between two moves of a flow\n"
	   "Milliseconds (default 100)\n")
{
	nb_cli_enqueue_change(vty, "./rebalance-interval", NB_OP_MODIFY, no ? NULL : ms_str);
	return nb_cli_apply_changes(vty, NULL);
}

void cli_show_flowlet_timeout(struct vty *vty, const struct lyd_node *dnode, bool show_defaults)
{
	vty_out(vty, " flowlet-timeout %s\n", yang_dnode_get_string(dnode, NULL));
}

void cli_show_rebalance_interval(struct vty *vty, const struct lyd_node *dnode, bool show_defaults)
{
	vty_out(vty, " rebalance-interval %s\n", yang_dnode_get_string(dnode, NULL));
}

/* The knobs in effect (the model's defaults, as the datapath's). */
static uint32_t flowlet_timeout_ms(void)
{
	return multinic_cfg.flowlet_timeout_ms ?: FLOWLET_TIMEOUT_DEFAULT_MS;
}

static uint32_t rebalance_interval_ms(void)
{
	return multinic_cfg.rebalance_interval_ms ?: REBALANCE_INTERVAL_DEFAULT_MS;
}

static const char *proto_name(uint8_t proto, char *buf, size_t len)
{
	switch (proto) {
	case IPPROTO_TCP:
		return "tcp";
	case IPPROTO_UDP:
		return "udp";
	case IPPROTO_ICMP:
		return "icmp";
	case IPPROTO_ICMPV6:
		return "icmpv6";
	}
	snprintf(buf, len, "%u", proto);
	return buf;
}

static const char *flow_kind(const struct mn_dp_flow *f)
{
	if (f->heavy)
		return f->rated ? "heavy" : "heavy (new)";
	return f->rated ? "light" : "light (new)";
}

static json_object *flow_json(const struct mn_dp_flow *f)
{
	json_object *j = json_object_new_object();
	char buf[16];

	json_object_string_add(j, "protocol", proto_name(f->proto, buf, sizeof(buf)));
	json_object_string_addf(j, "source", "%pIA", &f->src);
	json_object_int_add(j, "sourcePort", f->sport);
	json_object_string_addf(j, "destination", "%pIA", &f->dst);
	json_object_int_add(j, "destinationPort", f->dport);
	json_object_string_add(j, "nic", f->nic);
	json_object_int_add(j, "rateBitsPerSecond", f->rate * 8);
	json_object_int_add(j, "bytes", f->bytes);
	json_object_int_add(j, "ageMs", f->age_ms);
	json_object_int_add(j, "idleMs", f->idle_ms);
	json_object_int_add(j, "moves", f->moves);
	json_object_int_add(j, "movedMsAgo", f->moved_ms);
	json_object_boolean_add(j, "heavy", f->heavy);
	json_object_boolean_add(j, "rated", f->rated);
	return j;
}

static void flow_text(struct vty *vty, const struct mn_dp_flow *f)
{
	char src[INET6_ADDRSTRLEN + 8], dst[INET6_ADDRSTRLEN + 8], buf[16];

	snprintfrr(src, sizeof(src), f->src.ipa_type == IPADDR_V6 ? "[%pIA]:%u" : "%pIA:%u",
		   &f->src, f->sport);
	snprintfrr(dst, sizeof(dst), f->dst.ipa_type == IPADDR_V6 ? "[%pIA]:%u" : "%pIA:%u",
		   &f->dst, f->dport);
	vty_out(vty, "  %-6s %-30s %-30s %11.2f %12" PRIu64 " %7.1f %5u  %s\n",
		proto_name(f->proto, buf, sizeof(buf)), src, dst, f->rate * 8 / 1e6, f->bytes,
		f->age_ms / 1000.0, f->moves, flow_kind(f));
}

/* A NIC's load, in show multinic flows and show multinic counters. */
static void nic_load_json(json_object *j, const struct mn_dp_nic_load *load)
{
	json_object_int_add(j, "flows", load->flows);
	json_object_int_add(j, "heavyFlows", load->heavy);
	json_object_double_add(j, "load", load->load);
	json_object_int_add(j, "rateBitsPerSecond", load->rate * 8);
}

/* The flow table, copied out of the datapath for one show command. */
struct flow_list {
	struct mn_dp_flow *f;
	int n, cap;
};

static void flow_collect(void *arg, const struct mn_dp_flow *f)
{
	struct flow_list *list = arg;

	if (list->n == list->cap) {
		list->cap = list->cap ? list->cap * 2 : 64;
		list->f = XREALLOC(MTYPE_TMP, list->f, list->cap * sizeof(*list->f));
	}
	list->f[list->n++] = *f;
}

/* A NIC's largest flows (the list is fastest first within a NIC). */
static void show_nic_flows(struct vty *vty, json_object *jflows, const struct flow_list *list,
			   const char *name, unsigned int top)
{
	unsigned int shown = 0;
	int i;

	for (i = 0; i < list->n; i++) {
		if (strcmp(list->f[i].nic, name) || shown++ >= top)
			continue;
		if (jflows)
			json_object_array_add(jflows, flow_json(&list->f[i]));
		else
			flow_text(vty, &list->f[i]);
	}
	if (!jflows && shown > top)
		vty_out(vty, "  ... %u more\n", shown - top);
}

DEFPY(show_multinic_flows, show_multinic_flows_cmd,
      "show multinic flows [top (1-1000)$top] [json]$uj",
      SHOW_STR
      "Multi-NIC task networking (multinicd)\n"
      "Least-loaded placement: each NIC's load and its largest flows\n"
      "How many flows per NIC (default 10)\n"
      "Flows per NIC\n" JSON_STR)
{
	json_object *json = NULL, *jnics = NULL, *jnic, *jflows;
	struct flow_list list = {};
	struct mn_dp_nic_view v;
	const struct mn_nic *nic;

	if (!top)
		top = FLOWS_TOP_DEFAULT;
	if (uj) {
		json = json_object_new_object();
		jnics = json_object_new_object();
		json_object_string_add(json, "placement", mn_placement_name(multinic_cfg.placement));
		json_object_int_add(json, "flowletTimeoutMs", flowlet_timeout_ms());
		json_object_int_add(json, "rebalanceIntervalMs", rebalance_interval_ms());
		json_object_object_add(json, "nics", jnics);
	} else {
		vty_out(vty,
			"Placement %s; least-loaded: flowlet timeout %u ms, re-balance interval %u ms\n",
			mn_placement_name(multinic_cfg.placement), flowlet_timeout_ms(),
			rebalance_interval_ms());
	}
	if (mn_datapath_flows(flow_collect, &list) < 0) {
		if (json)
			vty_json(vty, json);
		else
			vty_out(vty, "The eBPF datapath is not loaded\n");
		return CMD_SUCCESS;
	}
	if (!json)
		vty_out(vty, "  %-6s %-30s %-30s %11s %12s %7s %5s  %s\n", "Proto", "Source",
			"Destination", "Rate Mbit/s", "Bytes", "Age s", "Moves", "Kind");
	frr_each (mn_nics_const, &mn_nics, nic) {
		if (!mn_datapath_nic_view(nic->ifindex, &v) || !v.load.valid)
			continue;
		if (json) {
			jnic = json_object_new_object();
			jflows = json_object_new_array();
			json_object_int_add(jnic, "slot", v.slot);
			json_object_int_add(jnic, "weight", mn_nic_weight(nic));
			nic_load_json(jnic, &v.load);
			json_object_object_add(jnic, "topFlows", jflows);
			json_object_object_add(jnics, nic->name, jnic);
		} else {
			jflows = NULL;
			vty_out(vty,
				"NIC %s (weight %u): %u flows, %u heavy, load %.2f, %.2f Mbit/s\n",
				nic->name, mn_nic_weight(nic), v.load.flows, v.load.heavy,
				v.load.load, v.load.rate * 8 / 1e6);
		}
		show_nic_flows(vty, jflows, &list, nic->name, top);
	}
	XFREE(MTYPE_TMP, list.f);
	if (json)
		vty_json(vty, json);
	return CMD_SUCCESS;
}

void mn_placement_counters_json(json_object *jnic, const struct mn_dp_nic_view *v)
{
	json_object_int_add(jnic, "flowsPlaced", v->counters.flows_placed);
	json_object_int_add(jnic, "movedIn", v->counters.moved_in);
	json_object_int_add(jnic, "movedOut", v->counters.moved_out);
	if (v->load.valid)
		nic_load_json(jnic, &v->load);
}

void mn_placement_counters_text(struct vty *vty)
{
	struct mn_dp_nic_view v;
	const struct mn_nic *nic;
	int64_t swept = -1;

	if (multinic_cfg.placement != MN_PLACEMENT_LEAST_LOADED)
		return;
	vty_out(vty, "\nPlacement least-loaded\n%-21s %6s %6s %7s %6s %12s %9s %9s %9s\n", "Name",
		"Flows", "Heavy", "Load", "Weight", "Rate Mbit/s", "Placed", "MovedIn", "MovedOut");
	frr_each (mn_nics_const, &mn_nics, nic) {
		if (!mn_datapath_nic_view(nic->ifindex, &v) || !v.load.valid)
			continue;
		if (v.load.swept_ms >= 0 && (swept < 0 || v.load.swept_ms < swept))
			swept = v.load.swept_ms;
		vty_out(vty,
			"nic  %-16s %6u %6u %7.2f %6u %12.2f %9" PRIu64 " %9" PRIu64 " %9" PRIu64
			"\n",
			nic->name, v.load.flows, v.load.heavy, v.load.load, mn_nic_weight(nic),
			v.load.rate * 8 / 1e6, v.counters.flows_placed, v.counters.moved_in,
			v.counters.moved_out);
	}
	if (swept >= 0)
		vty_out(vty, "Last sweep %" PRId64 " ms ago\n", swept);
	else
		vty_out(vty, "Not swept yet\n");
}

void multinic_placement_vty_init(void)
{
	install_element(MULTINIC_NODE, &flowlet_timeout_cmd);
	install_element(MULTINIC_NODE, &rebalance_interval_cmd);
	install_element(VIEW_NODE, &show_multinic_flows_cmd);
}
