// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * bgpd_multinic: the ingress settings under "router bgp" and
 * "show bgp multinic ingress".
 *
 *   router bgp 65101
 *    multinic link-bandwidth ieee-float    (default: extended; "no": none)
 *    multinic single-session
 *    multinic resilient-ingress [buckets N] [idle-timer S]   (rack switch)
 *
 * They apply to the default instance (the one that talks to the rack
 * switch, or is the switch); doc/ingress-bgp.md says what each does.
 */
#include <zebra.h>

#include "lib/command.h"
#include "lib/json.h"
#include "lib/monotime.h"
#include "lib/vty.h"

#include "bgpd/bgpd.h"
#include "bgpd/bgp_debug.h"
#include "bgpd/bgp_fsm.h"
#include "bgpd/bgp_vty.h"
#include "bgpd/bgp_zebra.h"
#include "bgpd/bgp_multinic.h"
#include "bgpd/bgp_multinic_addpath.h"
#include "bgpd/bgp_multinic_ingress.h"
#include "bgpd/bgp_multinic_nics.h"
#include "bgpd/bgp_multinic_resilient.h"

#include "bgpd/bgp_multinic_ingress_vty_clippy.c"

#define MULTINIC_STR "Multi-NIC task networking (bgpd_multinic)\n"

/* The settings are the default instance's: refused elsewhere. */
static bool default_instance(struct vty *vty)
{
	VTY_DECLVAR_CONTEXT(bgp, bgp);

	if (bgp->inst_type == BGP_INSTANCE_TYPE_DEFAULT)
		return true;
	vty_out(vty, "%% multinic settings apply to the default BGP instance only\n");
	return false;
}

static int cfg_commit(struct mn_ingress_cfg *cfg)
{
	mn_ingress_cfg_set(cfg);
	return CMD_SUCCESS;
}

DEFPY(multinic_link_bandwidth, multinic_link_bandwidth_cmd,
      "[no] multinic link-bandwidth [<extended$ext|ieee-float$ieee>]",
      NO_STR MULTINIC_STR
      "The link bandwidth each NIC session's task VIPs carry (its NIC's speed)\n"
      "IPv6-address-specific extended community, 64-bit bytes/s: exact (default)\n"
      "Classic 4-byte community, IEEE float bytes/s: for speakers without the extended one\n")
{
	struct mn_ingress_cfg cfg = mn_ingress_cfg;

	if (!default_instance(vty))
		return CMD_WARNING_CONFIG_FAILED;
	if (no)
		cfg.lb = MN_LB_NONE;
	else
		cfg.lb = ieee ? MN_LB_IEEE_FLOAT : MN_LB_EXTENDED;
	return cfg_commit(&cfg);
}

/* Configured in an address family single-session mode builds paths in. */
static bool redistributes_multinic(struct bgp *bgp)
{
	return bgp_redist_lookup(bgp, AFI_IP, ZEBRA_ROUTE_MULTINIC, 0) ||
	       bgp_redist_lookup(bgp, AFI_IP6, ZEBRA_ROUTE_MULTINIC, 0);
}

DEFPY(multinic_single_session, multinic_single_session_cmd, "[no] multinic single-session",
      NO_STR MULTINIC_STR
      "Originate one path per healthy NIC for every task VIP (one session with ADD-PATH)\n")
{
	VTY_DECLVAR_CONTEXT(bgp, bgp);
	struct mn_ingress_cfg cfg = mn_ingress_cfg;

	if (!default_instance(vty))
		return CMD_WARNING_CONFIG_FAILED;
	if (!no && redistributes_multinic(bgp)) {
		vty_out(vty,
			"%% multinic single-session builds the task VIPs' paths itself: remove \"redistribute multinic\" from the address families first (both would make local paths for the same prefixes)\n");
		return CMD_WARNING_CONFIG_FAILED;
	}
	cfg.single_session = !no;
	return cfg_commit(&cfg);
}

DEFPY(multinic_resilient, multinic_resilient_cmd,
      "[no] multinic resilient-ingress [buckets (2-4096)$buckets] [idle-timer (1-3600)$idle]",
      NO_STR MULTINIC_STR
      "Install authorized task VIPs through resilient nexthop groups (rack switch)\n"
      "Buckets of each group\n"
      "Buckets (default 128)\n"
      "Seconds a bucket must stay idle before a returning next hop may take it\n"
      "Seconds (default 1)\n")
{
	struct mn_ingress_cfg cfg = mn_ingress_cfg;

	if (!default_instance(vty))
		return CMD_WARNING_CONFIG_FAILED;
	cfg.resilient = !no;
	cfg.buckets = no || !buckets_str ? MN_RESILIENT_BUCKETS_DEFAULT : buckets;
	cfg.idle_timer = no || !idle_str ? MN_RESILIENT_IDLE_TIMER_DEFAULT : idle;
	return cfg_commit(&cfg);
}

/* Inside "router bgp", after the address families (bgpd's hook). */
static int config_write(struct bgp *bgp, struct vty *vty)
{
	const struct mn_ingress_cfg *cfg = &mn_ingress_cfg;

	if (bgp->inst_type != BGP_INSTANCE_TYPE_DEFAULT)
		return 0;
	if (cfg->lb == MN_LB_NONE)
		vty_out(vty, " no multinic link-bandwidth\n");
	else if (cfg->lb == MN_LB_IEEE_FLOAT)
		vty_out(vty, " multinic link-bandwidth ieee-float\n");
	if (cfg->single_session)
		vty_out(vty, " multinic single-session\n");
	if (cfg->resilient) {
		vty_out(vty, " multinic resilient-ingress");
		if (cfg->buckets != MN_RESILIENT_BUCKETS_DEFAULT)
			vty_out(vty, " buckets %u", cfg->buckets);
		if (cfg->idle_timer != MN_RESILIENT_IDLE_TIMER_DEFAULT)
			vty_out(vty, " idle-timer %u", cfg->idle_timer);
		vty_out(vty, "\n");
	}
	return 0;
}

/*
 * show bgp multinic ingress
 */

static const char *lb_name(enum mn_lb_encoding lb)
{
	switch (lb) {
	case MN_LB_EXTENDED:
		return "extended";
	case MN_LB_IEEE_FLOAT:
		return "ieee-float";
	case MN_LB_NONE:
		return "none";
	}
	return "?";
}

static void settings_show(struct vty *vty, json_object *json)
{
	const struct mn_ingress_cfg *cfg = &mn_ingress_cfg;
	json_object *j;

	if (!json) {
		vty_out(vty, "Link bandwidth: %s; single-session: %s; resilient ingress: ",
			lb_name(cfg->lb), cfg->single_session ? "on" : "off");
		if (cfg->resilient)
			vty_out(vty, "on (%u buckets, idle timer %u s)\n", cfg->buckets,
				cfg->idle_timer);
		else
			vty_out(vty, "off\n");
		return;
	}
	json_object_string_add(json, "linkBandwidth", lb_name(cfg->lb));
	json_object_boolean_add(json, "singleSession", cfg->single_session);
	j = json_object_new_object();
	json_object_boolean_add(j, "enabled", cfg->resilient);
	json_object_int_add(j, "buckets", cfg->buckets);
	json_object_int_add(j, "idleTimer", cfg->idle_timer);
	json_object_object_add(json, "resilientIngress", j);
}

static void nic_sessions(struct vty *vty, json_object *j, const struct mn_nic_state *nic)
{
	struct bgp *bgp = mn_ingress_bgp();
	json_object *a = j ? json_object_new_array() : NULL;
	struct listnode *node;
	struct peer *peer;

	if (!j)
		vty_out(vty, "    sessions:");
	for (ALL_LIST_ELEMENTS_RO(bgp ? bgp->peer : NULL, node, peer)) {
		if (mn_ingress_nic_of_peer(peer) != nic)
			continue;
		if (a)
			json_object_array_add(a, json_object_new_string(peer->host));
		else
			vty_out(vty, " %s (%s)", peer->host,
				lookup_msg(bgp_status_msg, peer->connection->status, NULL));
	}
	if (a)
		json_object_object_add(j, "sessions", a);
	else
		vty_out(vty, "\n");
}

static void nics_show(struct vty *vty, json_object *json)
{
	const struct mn_ingress_recv_status *rs = mn_ingress_recv_status();
	const struct mn_nic_state *nics = NULL;
	json_object *jn = NULL;
	unsigned int n, i;

	nics = mn_ingress_nics(&n);
	if (json) {
		json_object_int_add(json, "nicsGeneration", rs->nics_generation);
		jn = json_object_new_object();
		json_object_object_add(json, "nics", jn);
	} else if (!rs->nics_at) {
		vty_out(vty, "No NICs received from multinicd\n");
	} else {
		vty_out(vty, "NICs from multinicd (generation %u, %lld s ago):\n",
			rs->nics_generation, (long long)(monotime(NULL) - rs->nics_at));
	}
	for (i = 0; i < n; i++) {
		const struct mn_nic_state *nic = &nics[i];
		uint64_t bw = mn_ingress_nic_bandwidth(nic);
		json_object *j;

		if (!jn) {
			vty_out(vty, "  %s: %s, %u Mbit/s%s, link bandwidth %" PRIu64 " bytes/s",
				nic->name, nic->up ? "up" : "down", nic->speed,
				nic->speed ? "" : " (unknown: taken as 100G)", bw);
			if (nic->has_addr[0])
				vty_out(vty, ", %pI4", &nic->addr4);
			if (nic->has_addr[1])
				vty_out(vty, ", %pI6", &nic->addr6);
			vty_out(vty, "\n");
			nic_sessions(vty, NULL, nic);
			continue;
		}
		j = json_object_new_object();
		json_object_int_add(j, "ifindex", nic->ifindex);
		json_object_boolean_add(j, "up", nic->up);
		json_object_int_add(j, "speed", nic->speed);
		json_object_int_add(j, "linkBandwidth", bw);
		if (nic->has_addr[0])
			json_object_string_addf(j, "address", "%pI4", &nic->addr4);
		if (nic->has_addr[1])
			json_object_string_addf(j, "addressV6", "%pI6", &nic->addr6);
		nic_sessions(vty, j, nic);
		json_object_object_add(jn, nic->name, j);
	}
}

struct prefix_show {
	struct vty *vty;
	json_object *json;
};

static void prefix_show(const struct mn_tpfx *t, void *arg)
{
	struct prefix_show *ps = arg;
	struct mn_pfx_facts f = mn_ingress_facts(t);
	const char *refused = mn_addpath_refusal(&t->p);
	unsigned int paths = mn_addpath_paths(&t->p);
	json_object *j;

	if (!ps->json) {
		if (f.nic[0])
			vty_out(ps->vty, "  %pFX: per-NIC address of %s", &t->p, f.nic);
		else
			vty_out(ps->vty, "  %pFX: VIP", &t->p);
		vty_out(ps->vty, ", %s, %s", f.announce ? "announced" : "not announced",
			f.up ? "host route up" : "no host route");
		if (mn_ingress_cfg.single_session)
			vty_out(ps->vty, ", %u single-session path(s)", paths);
		if (refused)
			vty_out(ps->vty, " (refused: %s)", refused);
		vty_out(ps->vty, "\n");
		return;
	}
	j = json_object_new_object();
	if (f.nic[0])
		json_object_string_add(j, "nic", f.nic);
	json_object_boolean_add(j, "announce", f.announce);
	json_object_boolean_add(j, "up", f.up);
	json_object_int_add(j, "singleSessionPaths", paths);
	if (refused)
		json_object_string_add(j, "refused", refused);
	json_object_object_addf(ps->json, j, "%pFX", &t->p);
}

static void prefixes_show(struct vty *vty, json_object *json)
{
	const struct mn_ingress_recv_status *rs = mn_ingress_recv_status();
	struct prefix_show ps = { .vty = vty };

	if (json) {
		json_object_boolean_add(json, "prefixesReceived", rs->prefixes_received);
		json_object_int_add(json, "prefixesGeneration", rs->prefixes_generation);
		ps.json = json_object_new_object();
		json_object_object_add(json, "prefixes", ps.json);
	} else if (!rs->prefixes_received) {
		vty_out(vty, "No task prefixes received from multinicd: redistributed task routes are held back\n");
	} else {
		vty_out(vty, "Task prefixes from multinicd (generation %u, %lld s ago): %u\n",
			rs->prefixes_generation, (long long)(monotime(NULL) - rs->prefixes_at),
			mn_ingress_prefix_count());
	}
	mn_ingress_each_prefix(prefix_show, &ps);
}

DEFPY(show_bgp_multinic_ingress, show_bgp_multinic_ingress_cmd,
      "show bgp multinic ingress [json]$uj",
      SHOW_STR BGP_STR MULTINIC_STR
      "Ingress: the host's NICs and task prefixes, link bandwidth, single-session paths, resilient groups\n"
      JSON_STR)
{
	json_object *json = uj ? json_object_new_object() : NULL;

	settings_show(vty, json);
	nics_show(vty, json);
	prefixes_show(vty, json);
	mn_resilient_show(vty, json);
	if (json)
		vty_json(vty, json);
	return CMD_SUCCESS;
}

void mn_ingress_vty_init(void)
{
	install_element(BGP_NODE, &multinic_link_bandwidth_cmd);
	install_element(BGP_NODE, &multinic_single_session_cmd);
	install_element(BGP_NODE, &multinic_resilient_cmd);
	install_element(VIEW_NODE, &show_bgp_multinic_ingress_cmd);
	hook_register(bgp_inst_config_write, config_write);
}

void mn_ingress_vty_fini(void)
{
	hook_unregister(bgp_inst_config_write, config_write);
}
