// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * bgpd_multinic: the link-bandwidth community a NIC's announcements carry,
 * in the encoding "multinic link-bandwidth" chooses.  Both ways of
 * announcing a task prefix set it: each NIC session's outbound policy
 * (bgp_multinic_nics.c) and single-session mode's paths
 * (bgp_multinic_addpath.c); it lives below both so that neither has to
 * reach into the other.
 */
#ifndef _BGP_MULTINIC_LB_H
#define _BGP_MULTINIC_LB_H

#include "bgpd/bgp_multinic_ingress.h"

struct attr;

/* A link-bandwidth community for bw bytes/s into attr (replacing one). */
extern void mn_attr_set_link_bandwidth(struct attr *attr, as_t as, uint64_t bw,
				       enum mn_lb_encoding enc);

#endif /* _BGP_MULTINIC_LB_H */
