// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * bgpd_multinic: graceful restart registered with zebra once a session
 * with a graceful-restart peer is up (bgp_multinic_gr.c says why).
 */
#ifndef _BGP_MULTINIC_GR_H
#define _BGP_MULTINIC_GR_H

void mn_gr_init(void);
void mn_gr_fini(void);

#endif /* _BGP_MULTINIC_GR_H */
