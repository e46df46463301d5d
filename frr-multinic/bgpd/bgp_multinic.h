// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * bgpd_multinic: what its files share.
 */
#ifndef _BGP_MULTINIC_H
#define _BGP_MULTINIC_H

/*
 * "debug bgp multinic": set in the configuration (written to the running
 * config) or for this terminal session only, as bgpd's own debugs are.
 */
extern bool mn_debug_conf, mn_debug_term;
#define MN_DEBUG (mn_debug_conf || mn_debug_term)

#endif /* _BGP_MULTINIC_H */
