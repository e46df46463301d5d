// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * bgpd_multinic: each NIC session's outbound policy.  A host peers with
 * its rack switch over one session per NIC; what goes out on a session
 * depends on the NIC it runs over:
 *
 *   - task VIPs ("redistribute multinic") carry that NIC's link bandwidth,
 *     from multinicd's NIC state (configured speed, else reported), in the
 *     encoding "multinic link-bandwidth" chooses (extended by default);
 *   - a per-NIC task address goes out on its own NIC's session only;
 *   - prefixes of a task with "no announce" go out nowhere, and prefixes
 *     multinicd has not described are held back until it has.
 *
 * bgpd builds announcements once per update subgroup, so the module keeps
 * every NIC's sessions in update groups of their own (patch 0012's
 * bgp_updgrp_peer_split, by the session's interface) and sets the above
 * in patch 0012's bgp_announce_check: no per-NIC route-map is needed, and
 * the sessions stay correct however their configuration is shared.
 */
#ifndef _BGP_MULTINIC_NICS_H
#define _BGP_MULTINIC_NICS_H

#include "bgpd/bgp_multinic_ingress.h"

/* What a session gets of a task prefix (for show). */
extern enum mn_out mn_nics_session_verdict(const struct peer *peer, const struct prefix *p);

extern void mn_nics_init(void);
extern void mn_nics_fini(void);

#endif /* _BGP_MULTINIC_NICS_H */
