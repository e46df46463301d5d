// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * bgpd_multinic: the bgpd side of frr-multinic, loaded with
 * "bgpd -M multinic".
 *
 * It will carry what stock bgpd cannot do for multi-NIC hosts: per-NIC
 * origination details of task VIPs and, on the rack switch, the
 * authorization check of received VIP announcements (a route-map
 * "match" in the manner of "match rpki").  This release provides the
 * module frame and its status command.
 */
#include <zebra.h>

#include <lib/version.h>

#include "lib/command.h"
#include "lib/json.h"
#include "lib/libfrr.h"
#include "lib/module.h"
#include "lib/vty.h"

#include "bgpd/bgpd.h"

#include "bgpd/bgp_multinic_clippy.c"

#define BGP_MULTINIC_VERSION "0.1.0"
#define MULTINIC_STR	     "Multi-NIC task networking (bgpd_multinic)\n"

static bool bgp_multinic_debug;

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
		json_object_boolean_add(json, "debug", bgp_multinic_debug);
	} else {
		vty_out(vty, "bgpd_multinic %s loaded%s\n", BGP_MULTINIC_VERSION,
			bgp_multinic_debug ? ", debugging on" : "");
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

DEFPY(debug_bgp_multinic, debug_bgp_multinic_cmd,
      "[no] debug bgp multinic",
      NO_STR DEBUG_STR BGP_STR MULTINIC_STR)
{
	bgp_multinic_debug = !no;
	return CMD_SUCCESS;
}

static int bgp_multinic_late_init(struct event_loop *master)
{
	install_element(VIEW_NODE, &show_bgp_multinic_cmd);
	install_element(ENABLE_NODE, &debug_bgp_multinic_cmd);
	install_element(CONFIG_NODE, &debug_bgp_multinic_cmd);
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
