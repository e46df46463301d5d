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

struct attr;
struct bgp_path_info;
struct json_object;
struct vty;

/* Whether a path is one of single-session mode's. */
extern bool mn_addpath_own(const struct bgp_path_info *pi);
/*
 * What such a path needs on its way out (from bgp_announce_check): its
 * next hop is the NIC's address, whatever the session (eBGP included), and
 * an IPv6 one goes without the session's link-local address.
 */
extern void mn_addpath_outbound(struct attr *attr, const struct prefix *p);

/* For show bgp multinic ingress: own paths and refusals, per prefix. */
extern unsigned int mn_addpath_paths(const struct prefix *p);
extern const char *mn_addpath_refusal(const struct prefix *p);

extern void mn_addpath_init(void);
extern void mn_addpath_fini(void);

#endif /* _BGP_MULTINIC_ADDPATH_H */
