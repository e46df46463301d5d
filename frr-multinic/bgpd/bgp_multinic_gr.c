// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * bgpd_multinic: graceful restart registered with zebra once a session is up.
 *
 * zebra keeps a restarting bgpd's routes (stale, until bgpd is back or
 * the stale time ends) only if bgpd told it that it restarts gracefully
 * (ZEBRA_CLIENT_GR_CAPABILITIES).  FRR 10.3's bgpd tells it in three
 * places: when it connects to zebra, at the end of its start, and when
 * `bgp graceful-restart` is configured; each time only if a peer with
 * graceful restart exists by then.  When the configuration arrives after
 * bgpd connected to zebra (vtysh -b, mgmtd) with `bgp graceful-restart`
 * before the neighbors, as the running configuration always writes it,
 * none of the three sees a peer: zebra never hears of it, and when the
 * switch's bgpd stops, its zebra removes every VIP path at once (seen in
 * 2 of 7 runs of multinic_lifecycle's switch restart).
 *
 * A session that comes up is the last moment that still counts: its
 * routes reach zebra after it.  So when a peer with graceful restart
 * reaches Established and zebra has not been told, tell it now.
 */
#include <zebra.h>

#include "lib/hook.h"
#include "lib/log.h"

#include "bgpd/bgpd.h"
#include "bgpd/bgp_fsm.h"
#include "bgpd/bgp_zebra.h"
#include "bgpd/bgp_multinic.h"
#include "bgpd/bgp_multinic_gr.h"

static int gr_peer_status_changed(struct peer *peer)
{
	struct bgp *bgp = peer->bgp;

	if (!bgp || !peer->connection || !peer_established(peer->connection))
		return 0;
	if (!CHECK_FLAG(peer->flags, PEER_FLAG_GRACEFUL_RESTART) ||
	    bgp->present_zebra_gr_state != ZEBRA_GR_DISABLE)
		return 0;
	if (bgp_zebra_send_capabilities(bgp, false) == BGP_GR_SUCCESS)
		zlog_info("multinic: graceful restart registered with zebra for %s (session with %s up, zebra had not been told)",
			  bgp->name_pretty, peer->host);
	return 0;
}

void mn_gr_init(void)
{
	hook_register(peer_status_changed, gr_peer_status_changed);
}

void mn_gr_fini(void)
{
	hook_unregister(peer_status_changed, gr_peer_status_changed);
}
