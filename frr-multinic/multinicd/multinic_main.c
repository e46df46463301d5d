// SPDX-License-Identifier: GPL-2.0-or-later
#include <zebra.h>
#include "lib/libfrr.h"
#include "lib/privs.h"
#include "lib/sigevent.h"
struct event_loop *master;
static struct zebra_privs_t multinic_privs = {0};
FRR_DAEMON_INFO(multinicd, MULTINIC, .vty_port = 2624, .privs = &multinic_privs);
int main(int argc, char **argv)
{
	frr_preinit(&multinicd_di, argc, argv);
	master = frr_init();
	frr_config_fork();
	frr_run(master);
	return 0;
}
