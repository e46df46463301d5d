// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * bgpd_multinic: the bgpd side of frr-multinic, loaded with
 * "bgpd -M multinic".
 *
 * On the rack switch it checks task VIP announcements received from
 * multi-NIC hosts against the authorization policy of frr-multinic.yang
 * and exposes the verdict as a route-map condition, in the manner of
 * "match rpki":
 *
 *   route-map HOSTS-IN deny 10
 *    match multinic unauthorized
 *   route-map HOSTS-IN permit 20
 *    match multinic authorized
 *   neighbor 10.0.1.2 route-map HOSTS-IN in
 *
 * (deny first: where the module is missing the match lines are refused and
 * the empty "deny 10" denies everything; doc/authorization.md)
 *
 * The policy is configured in frr-multinic.yang on the rack switch's
 * multinicd, which sends it over ZAPI opaque messages
 * (common/multinic_authz_wire.h); doc/authorization.md says why.
 * bgpd_multinic keeps the last complete policy it received; until one
 * arrives nothing is authorized.  A new policy takes effect at once on
 * what hosts announced, without a session reset and whatever the hosts
 * support (bgp_multinic_books.c).
 *
 * On a host it makes what goes out on each session follow multinicd's
 * NICs and tasks (doc/ingress-bgp.md): each NIC session's link bandwidth,
 * per-NIC task addresses on their own NIC's session, "no announce", and
 * in single-session mode one path per healthy NIC for every VIP; on the
 * rack switch it can install authorized VIPs through resilient nexthop
 * groups.  multinicd sends the NICs and task prefixes over ZAPI opaque
 * messages too (common/multinic_ingress_wire.h).
 *
 * The files, by role:
 *   bgp_multinic_policy.c  the policy store, its decoding, the pure verdict;
 *   bgp_multinic_books.c   what hosts hold and the counters, kept from
 *                          bgpd's events rather than from the match;
 *   bgp_multinic_revisit.c refused announcements kept and judged again,
 *                          revocations: a verdict follows what it
 *                          depends on, without the host's help;
 *   bgp_multinic_ingress.c the NICs and task prefixes from multinicd, the
 *                          ingress settings;
 *   bgp_multinic_ingress_rules.c  what a session or NIC gets of a prefix
 *                          (pure, unit-tested);
 *   bgp_multinic_nics.c    each NIC session's outbound policy (link
 *                          bandwidth, per-NIC addresses), its update groups;
 *   bgp_multinic_addpath.c single-session mode's paths;
 *   bgp_multinic_resilient.c  the switch's resilient nexthop groups;
 *   bgp_multinic_gr.c      graceful restart registered with zebra once a
 *                          session is up (FRR 10.3 can miss it);
 *   bgp_multinic_ingress_vty.c  their CLI and show;
 *   bgp_multinic.c         this file: module init, the route-map rule and
 *                          its CLI, the zclient, show/clear/debug.
 *
 * The route-map condition's YANG, northbound callbacks and running-config
 * line are in core bgpd (packaging/patches/0007); the rule, its CLI, the
 * counters and "show bgp multinic authorization" are here.
 */
#include <zebra.h>

#include <lib/version.h>

#include "lib/command.h"
#include "lib/frrevent.h"
#include "lib/json.h"
#include "lib/libfrr.h"
#include "lib/module.h"
#include "lib/northbound_cli.h"
#include "lib/prefix.h"
#include "lib/routemap.h"
#include "lib/stream.h"
#include "lib/vty.h"
#include "lib/zclient.h"

#include "bgpd/bgpd.h"
#include "bgpd/bgp_attr.h"
#include "bgpd/bgp_debug.h"
#include "bgpd/bgp_route.h"
#include "bgpd/bgp_multinic.h"
#include "bgpd/bgp_multinic_addpath.h"
#include "bgpd/bgp_multinic_books.h"
#include "bgpd/bgp_multinic_gr.h"
#include "bgpd/bgp_multinic_ingress.h"
#include "bgpd/bgp_multinic_nics.h"
#include "bgpd/bgp_multinic_policy.h"
#include "bgpd/bgp_multinic_resilient.h"
#include "bgpd/bgp_multinic_revisit.h"

#include "bgpd/bgp_multinic_clippy.c"

#define MULTINIC_STR "Multi-NIC task networking (bgpd_multinic)\n"
#define AUTHZ_STR    "Task VIP authorization\n"

extern struct zebra_privs_t bgpd_privs;

/* The auxiliary zclient's ZAPI session id ("MN"): distinct from bgpd's. */
#define MN_ZAPI_SESSION_ID 0x4d4e

bool mn_debug_conf, mn_debug_term;

/*
 * The route-map rule "multinic"
 */

/* What "match multinic" asks for: the verdict it matches. */
enum mn_want {
	MN_WANT_AUTHORIZED,
	MN_WANT_UNAUTHORIZED,
};

static enum route_map_cmd_result_t route_match_multinic(void *rule, const struct prefix *p,
							void *object)
{
	const enum mn_want *want = rule;
	struct bgp_path_info *path = object;
	struct mn_verdict v;
	/* a pure lookup, as bgp_rpki.c's match: bookkeeping is in _books.c */
	bool ok = mn_judge(path->peer, path->attr, p, &v);

	return ok == (*want == MN_WANT_AUTHORIZED) ? RMAP_MATCH : RMAP_NOMATCH;
}

static void *route_match_multinic_compile(const char *arg)
{
	enum mn_want *want;

	if (!strmatch(arg, "authorized") && !strmatch(arg, "unauthorized"))
		return NULL;
	want = XMALLOC(MTYPE_ROUTE_MAP_COMPILED, sizeof(*want));
	*want = strmatch(arg, "authorized") ? MN_WANT_AUTHORIZED : MN_WANT_UNAUTHORIZED;
	return want;
}

static void route_match_multinic_free(void *rule)
{
	XFREE(MTYPE_ROUTE_MAP_COMPILED, rule);
}

static const struct route_map_rule_cmd route_match_multinic_cmd = {
	"multinic",
	route_match_multinic,
	route_match_multinic_compile,
	route_match_multinic_free,
};

#define MATCH_XPATH "./match-condition[condition='frr-bgp-route-map:multinic']"

DEFPY_YANG(match_multinic, match_multinic_cmd,
	   "[no] match multinic <authorized|unauthorized>$verdict",
	   NO_STR MATCH_STR MULTINIC_STR
	   "A task VIP the announcing host may announce (bgpd_multinic's policy)\n"
	   "Any other announcement\n")
{
	if (no) {
		nb_cli_enqueue_change(vty, MATCH_XPATH, NB_OP_DESTROY, NULL);
		return nb_cli_apply_changes(vty, NULL);
	}
	nb_cli_enqueue_change(vty, MATCH_XPATH, NB_OP_CREATE, NULL);
	nb_cli_enqueue_change(vty, MATCH_XPATH "/rmap-match-condition/frr-bgp-route-map:multinic",
			      NB_OP_MODIFY, verdict);
	return nb_cli_apply_changes(vty, NULL);
}

/*
 * A new policy: the books follow it, which revokes what it no longer
 * authorizes and judges again what was refused (bgp_multinic_books.c).
 */

static void policy_install(struct mn_policy *pol)
{
	mn_policy_install(pol);
	zlog_info("multinic authorization: policy generation %u in force: %u vip-ranges, %u hosts",
		  pol->generation, pol->n_ranges, pol->n_hosts);
	mn_books_policy_installed();
	mn_revisit_policy_installed();
}

/*
 * Receiving the policy from multinicd
 */

static struct zclient *mn_zclient;

static int mn_opaque_recv(ZAPI_CALLBACK_ARGS)
{
	struct zapi_opaque_msg info;
	struct stream *s = zclient->ibuf;
	struct mn_policy *pol;

	if (zclient_opaque_decode(s, &info) != 0)
		return -1;
	if (info.type != MN_OPAQUE_AUTHZ_POLICY && info.type != MN_OPAQUE_INGRESS)
		return 0;
	/*
	 * The policy and the ingress state are multinicd's to give: a message
	 * of these types from another zebra client (zebra relays opaque
	 * messages as their sender wrote them; its socket is open to FRR's
	 * daemons only) is ignored.
	 */
	if (info.src_proto != ZEBRA_ROUTE_MULTINIC) {
		zlog_warn("multinic: %s message from %s (instance %u), not from multinicd; ignored",
			  info.type == MN_OPAQUE_INGRESS ? "ingress" : "authorization policy",
			  zebra_route_string(info.src_proto), info.src_instance);
		return 0;
	}
	if (info.type == MN_OPAQUE_INGRESS) {
		mn_ingress_recv(s);
		return 0;
	}
	pol = mn_policy_recv(s);
	if (pol)
		policy_install(pol);
	return 0;
}

/* Registrations do not survive a zebra restart: made on every connect. */
static void mn_zebra_connected(struct zclient *zc)
{
	static const uint8_t request = MN_AUTHZ_WIRE_VERSION;
	static const uint8_t ingress_request = MN_INGRESS_WIRE_VERSION;

	zclient_register_opaque(zc, MN_OPAQUE_AUTHZ_POLICY);
	zclient_register_opaque(zc, MN_OPAQUE_INGRESS);
	zclient_send_opaque(zc, MN_OPAQUE_AUTHZ_REQUEST, &request, sizeof(request));
	zclient_send_opaque(zc, MN_OPAQUE_INGRESS_REQUEST, &ingress_request,
			    sizeof(ingress_request));
}

static zclient_handler *const mn_handlers[] = {
	[ZEBRA_OPAQUE_MESSAGE] = mn_opaque_recv,
};

/*
 * An auxiliary zclient: bgpd's own has no opaque handler.  Synchronous
 * options, so that zebra neither sends it unsolicited messages nor, when
 * it disconnects, flushes routes of bgpd's (type, instance).
 */
static void mn_zclient_init(struct event_loop *master)
{
	mn_zclient = zclient_new(master, &zclient_options_sync, mn_handlers,
				 array_size(mn_handlers));
	mn_zclient->session_id = MN_ZAPI_SESSION_ID;
	mn_zclient->zebra_connected = mn_zebra_connected;
	zclient_init(mn_zclient, ZEBRA_ROUTE_BGP, 0, &bgpd_privs);
}

/*
 * show bgp multinic authorization
 */

static void prefixes_json(json_object *j, const char *key, const struct prefix *p, unsigned int n)
{
	json_object *a = json_object_new_array();
	unsigned int i;

	for (i = 0; i < n; i++)
		json_object_array_add(a, json_object_new_stringf("%pFX", &p[i]));
	json_object_object_add(j, key, a);
}

static void rejected_json(json_object *j, const uint64_t *rejected)
{
	json_object *r = json_object_new_object();
	int i;

	for (i = 0; i < MN_REJ_MAX; i++)
		json_object_int_add(r, mn_reject_key(i), rejected[i]);
	json_object_object_add(j, "rejected", r);
}

static void rejected_text(struct vty *vty, const char *indent, const uint64_t *rejected)
{
	int i;

	for (i = 0; i < MN_REJ_MAX; i++)
		if (rejected[i])
			vty_out(vty, "%s%-52s %" PRIu64 "\n", indent, mn_reject_text(i),
				rejected[i]);
}

static void host_show(struct vty *vty, json_object *jhosts, const struct mn_policy *pol,
		      const struct mn_phost *ph)
{
	struct mn_host *h = ph->books; /* every host of a policy in force has books */
	uint32_t limit = mn_policy_host_limit(pol, ph);
	struct mn_holding *hd;
	json_object *j, *a, *vips;
	uint16_t i;

	if (!jhosts) {
		vty_out(vty, "Host %s\n  Neighbors:", ph->name);
		for (i = 0; i < ph->n_nbrs; i++)
			if (ph->nbrs[i].is_ifname)
				vty_out(vty, " %s", ph->nbrs[i].ifname);
			else
				vty_out(vty, " %pFXh", &ph->nbrs[i].addr);
		vty_out(vty, "\n  VIP ranges:");
		for (i = 0; i < ph->n_ranges; i++)
			vty_out(vty, " %pFX", &ph->ranges[i]);
		if (limit == UINT32_MAX)
			vty_out(vty, "\n  VIP limit: none");
		else
			vty_out(vty, "\n  VIP limit: %u per address family", limit);
		vty_out(vty, "\n  Authorized VIPs: %u IPv4, %u IPv6\n", h->n_vips[0], h->n_vips[1]);
		for (hd = mn_host_vip_first(h); hd; hd = mn_host_vip_next(h, hd))
			vty_out(vty, "    %pFX\n", mn_holding_prefix(hd));
		vty_out(vty, "  Accepted: %" PRIu64 "\n", h->accepted);
		rejected_text(vty, "  Rejected, ", h->rejected);
		return;
	}
	j = json_object_new_object();
	a = json_object_new_array();
	for (i = 0; i < ph->n_nbrs; i++)
		json_object_array_add(a, ph->nbrs[i].is_ifname
						 ? json_object_new_string(ph->nbrs[i].ifname)
						 : json_object_new_stringf("%pFXh",
									   &ph->nbrs[i].addr));
	json_object_object_add(j, "neighbors", a);
	prefixes_json(j, "vipRanges", ph->ranges, ph->n_ranges);
	if (limit != UINT32_MAX)
		json_object_int_add(j, "maxVips", limit);
	vips = json_object_new_array();
	for (hd = mn_host_vip_first(h); hd; hd = mn_host_vip_next(h, hd))
		json_object_array_add(vips, json_object_new_stringf("%pFX", mn_holding_prefix(hd)));
	json_object_object_add(j, "vips", vips);
	json_object_int_add(j, "vipsIpv4", h->n_vips[0]);
	json_object_int_add(j, "vipsIpv6", h->n_vips[1]);
	json_object_int_add(j, "accepted", h->accepted);
	rejected_json(j, h->rejected);
	json_object_object_add(jhosts, ph->name, j);
}

DEFPY(show_bgp_multinic_authz, show_bgp_multinic_authz_cmd,
      "show bgp multinic authorization [json]$uj",
      SHOW_STR BGP_STR MULTINIC_STR AUTHZ_STR JSON_STR)
{
	const struct mn_policy *pol = mn_policy();
	json_object *json = NULL, *jhosts = NULL;
	uint32_t i;

	if (uj) {
		json = json_object_new_object();
		json_object_boolean_add(json, "policyReceived", !!pol);
		jhosts = json_object_new_object();
	} else if (!pol) {
		vty_out(vty,
			"No authorization policy received from multinicd: nothing is authorized\n");
	}
	if (pol && json) {
		json_object_int_add(json, "generation", pol->generation);
		json_object_int_add(json, "policyAgeSeconds", monotime(NULL) - mn_policy_since());
		prefixes_json(json, "vipRanges", pol->ranges, pol->n_ranges);
		if (pol->max_vips_per_host)
			json_object_int_add(json, "maxVipsPerHost", pol->max_vips_per_host);
	} else if (pol) {
		vty_out(vty,
			"Authorization policy generation %u from multinicd, in force for %lld s\n",
			pol->generation, (long long)(monotime(NULL) - mn_policy_since()));
		vty_out(vty, "VIP ranges:");
		for (i = 0; i < pol->n_ranges; i++)
			vty_out(vty, " %pFX", &pol->ranges[i]);
		vty_out(vty, "\n");
		if (pol->max_vips_per_host)
			vty_out(vty, "Max VIPs per host: %u per address family\n",
				pol->max_vips_per_host);
		vty_out(vty, "\n");
	}
	for (i = 0; pol && i < pol->n_hosts; i++)
		host_show(vty, jhosts, pol, &pol->hosts[i]);

	if (json) {
		json_object_object_add(json, "hosts", jhosts);
		json_object_int_add(json, "accepted", mn_books_total_accepted());
		rejected_json(json, mn_books_total_rejected());
		vty_json(vty, json);
	} else {
		vty_out(vty, "Accepted: %" PRIu64 "\n", mn_books_total_accepted());
		rejected_text(vty, "Rejected, ", mn_books_total_rejected());
	}
	return CMD_SUCCESS;
}

DEFPY(show_bgp_multinic, show_bgp_multinic_cmd,
      "show bgp multinic [json]$uj",
      SHOW_STR BGP_STR MULTINIC_STR JSON_STR)
{
	json_object *json = NULL, *jinst = NULL;
	struct listnode *node;
	struct bgp *bgp;

	if (uj) {
		json = json_object_new_object();
		jinst = json_object_new_array();
		json_object_string_add(json, "module", "bgpd_multinic");
		json_object_string_add(json, "version", BGP_MULTINIC_VERSION);
		json_object_boolean_add(json, "debug", MN_DEBUG);
		json_object_boolean_add(json, "authorizationPolicy", !!mn_policy());
	} else {
		vty_out(vty, "bgpd_multinic %s loaded%s\n", BGP_MULTINIC_VERSION,
			MN_DEBUG ? ", debugging on" : "");
		vty_out(vty, "  authorization policy: %s\n",
			mn_policy() ? "received from multinicd" : "none received");
	}

	for (ALL_LIST_ELEMENTS_RO(bm->bgp, node, bgp)) {
		if (json) {
			json_object *j = json_object_new_object();

			json_object_string_add(j, "name", bgp->name ? bgp->name : VRF_DEFAULT_NAME);
			json_object_int_add(j, "as", bgp->as);
			json_object_array_add(jinst, j);
		} else {
			vty_out(vty, "  BGP instance %s, AS %u\n",
				bgp->name ? bgp->name : VRF_DEFAULT_NAME, bgp->as);
		}
	}

	if (json) {
		json_object_object_add(json, "instances", jinst);
		vty_json(vty, json);
	}
	return CMD_SUCCESS;
}

DEFPY(clear_bgp_multinic_authz, clear_bgp_multinic_authz_cmd,
      "clear bgp multinic authorization counters",
      CLEAR_STR BGP_STR MULTINIC_STR AUTHZ_STR "Accepted and rejected counters\n")
{
	mn_books_clear_counters();
	return CMD_SUCCESS;
}

/* In the configuration it is kept (running config); at the prompt, for now. */
DEFPY(debug_bgp_multinic, debug_bgp_multinic_cmd,
      "[no] debug bgp multinic",
      NO_STR DEBUG_STR BGP_STR MULTINIC_STR)
{
	if (vty->node == CONFIG_NODE)
		mn_debug_conf = !no;
	mn_debug_term = !no;
	return CMD_SUCCESS;
}

/*
 * bgpd's "debug" config writer and "show debugging" both call this hook
 * (running: which of the two), as for bgp_rpki.c's "debug rpki".
 */
static int bgp_multinic_write_debug(struct vty *vty, bool running)
{
	if (running && mn_debug_conf) {
		vty_out(vty, "debug bgp multinic\n");
		return 1;
	}
	if (!running && MN_DEBUG) {
		vty_out(vty, "  BGP multinic debugging is on\n");
		return 1;
	}
	return 0;
}

static int bgp_multinic_fini(void)
{
	if (mn_zclient) {
		zclient_stop(mn_zclient);
		zclient_free(mn_zclient);
		mn_zclient = NULL;
	}
	mn_ingress_vty_fini();
	mn_resilient_fini();
	mn_addpath_fini();
	mn_nics_fini();
	mn_ingress_fini();
	mn_revisit_fini();
	mn_books_fini();
	mn_gr_fini();
	mn_policy_fini();
	return 0;
}

static int bgp_multinic_late_init(struct event_loop *master)
{
	route_map_install_match(&route_match_multinic_cmd);
	install_element(RMAP_NODE, &match_multinic_cmd);
	install_element(VIEW_NODE, &show_bgp_multinic_cmd);
	install_element(VIEW_NODE, &show_bgp_multinic_authz_cmd);
	install_element(ENABLE_NODE, &clear_bgp_multinic_authz_cmd);
	install_element(ENABLE_NODE, &debug_bgp_multinic_cmd);
	install_element(CONFIG_NODE, &debug_bgp_multinic_cmd);
	hook_register(bgp_hook_config_write_debug, bgp_multinic_write_debug);
	mn_books_init();
	mn_gr_init();
	mn_revisit_init();
	mn_ingress_init();
	mn_nics_init();
	mn_addpath_init();
	mn_resilient_init();
	mn_ingress_vty_init();
	mn_zclient_init(master);
	/* early: the kept announcements hold peer references, released while
	 * bgpd's peers still exist */
	hook_register(frr_early_fini, bgp_multinic_fini);
	return 0;
}

static int bgp_multinic_module_init(void)
{
	hook_register(frr_late_init, bgp_multinic_late_init);
	return 0;
}

FRR_MODULE_SETUP(.name = "bgpd_multinic", .version = FRR_VERSION,
		 .description = "bgpd multi-NIC task networking module",
		 .init = bgp_multinic_module_init, );
