// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * multinicd: debugging (see multinic_debug.h).
 */
#include <zebra.h>

#include "lib/command.h"
#include "lib/debug.h"

#include "multinic_debug.h"

#include "multinicd/multinic_debug_clippy.c"

/* clang-format off */
struct debug mn_dbg_zebra = {0, "debug multinic zebra", "multinicd zebra events"};
struct debug mn_dbg_nic = {0, "debug multinic nic", "multinicd NIC selection and state"};
struct debug mn_dbg_task = {0, "debug multinic task", "multinicd task wiring"};
struct debug mn_dbg_datapath = {0, "debug multinic datapath", "multinicd datapath switch and kernel datapath"};
struct debug mn_dbg_bpf = {0, "debug multinic bpf", "multinicd eBPF datapath"};
struct debug mn_dbg_authz = {0, "debug multinic authorization", "multinicd authorization policy"};
struct debug mn_dbg_ingress = {0, "debug multinic ingress", "multinicd NICs and task prefixes told to bgpd_multinic"};
struct debug mn_dbg_numa = {0, "debug multinic numa", "multinicd NUMA placement and receive steering"};
/* clang-format on */

static struct debug *const debugs[] = {
	&mn_dbg_zebra, &mn_dbg_nic, &mn_dbg_task, &mn_dbg_datapath, &mn_dbg_bpf, &mn_dbg_authz,
	&mn_dbg_ingress,
	&mn_dbg_numa,
};

DEFPY_NOSH(debug_multinic, debug_multinic_cmd,
	   "[no] debug multinic [<zebra$zebra|nic$nic|task$task|datapath$dp|bpf$bpf|authorization$authz|ingress$ingress|numa$numa>]",
	   NO_STR DEBUG_STR
	   "Multi-NIC task networking (multinicd)\n"
	   "zebra events and messages\n"
	   "NIC selection and state\n"
	   "Task wiring\n"
	   "Datapath switch and kernel datapath\n"
	   "eBPF datapath\n"
	   "Authorization policy\n"
	   "NICs and task prefixes told to bgpd_multinic\n"
	   "NUMA placement and receive steering\n")
{
	uint32_t mode = DEBUG_NODE2MODE(vty->node);
	bool all = !zebra && !nic && !task && !dp && !bpf && !authz && !ingress && !numa;

	if (all || zebra)
		DEBUG_MODE_SET(&mn_dbg_zebra, mode, !no);
	if (all || nic)
		DEBUG_MODE_SET(&mn_dbg_nic, mode, !no);
	if (all || task)
		DEBUG_MODE_SET(&mn_dbg_task, mode, !no);
	if (all || dp)
		DEBUG_MODE_SET(&mn_dbg_datapath, mode, !no);
	if (all || bpf)
		DEBUG_MODE_SET(&mn_dbg_bpf, mode, !no);
	if (all || authz)
		DEBUG_MODE_SET(&mn_dbg_authz, mode, !no);
	if (all || ingress)
		DEBUG_MODE_SET(&mn_dbg_ingress, mode, !no);
	if (all || numa)
		DEBUG_MODE_SET(&mn_dbg_numa, mode, !no);
	return CMD_SUCCESS;
}

DEFUN_NOSH(show_debugging_multinic, show_debugging_multinic_cmd, "show debugging [multinic]",
	   SHOW_STR DEBUG_STR "Multi-NIC task networking (multinicd)\n")
{
	vty_out(vty, "multinicd debugging status:\n");
	cmd_show_lib_debugs(vty);
	return CMD_SUCCESS;
}

void multinic_debug_init(void)
{
	size_t i;

	for (i = 0; i < array_size(debugs); i++)
		debug_install(debugs[i]);
	install_element(ENABLE_NODE, &debug_multinic_cmd);
	install_element(CONFIG_NODE, &debug_multinic_cmd);
	install_element(ENABLE_NODE, &show_debugging_multinic_cmd);
}
