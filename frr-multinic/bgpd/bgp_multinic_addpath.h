// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * bgpd_multinic: single-session mode ("multinic single-session" under
 * router bgp).  For every task VIP the module originates one path per
 * healthy NIC, with that NIC's address as next hop and its link bandwidth;
 * a per-NIC task address gets its own NIC's path only.  One session with
 * "neighbor X addpath-tx-all-paths" then carries them all (each path has
 * its own ADD-PATH id), and a switch with multipath installs one next hop
 * per NIC.  A NIC failing withdraws its paths as soon as multinicd says so.
 *
 * The paths are the module's own (bgpd's peer_self, type multinic, sub-type
 * static): bgpd keeps a single "redistribute" or "network" path per prefix
 * and finds them by type on withdrawal, so the module never builds paths
 * for a prefix that has any other local path, nor in an address family
 * that redistributes multinic (doc/ingress-bgp.md).
 */
#ifndef _BGP_MULTINIC_ADDPATH_H
#define _BGP_MULTINIC_ADDPATH_H

#include "bgpd/bgp_multinic_ingress.h"

struct json_object;
struct vty;

/* For show bgp multinic ingress: own paths and refusals, per prefix. */
extern unsigned int mn_addpath_paths(const struct prefix *p);
extern const char *mn_addpath_refusal(const struct prefix *p);

extern void mn_addpath_init(void);
extern void mn_addpath_fini(void);

#endif /* _BGP_MULTINIC_ADDPATH_H */
