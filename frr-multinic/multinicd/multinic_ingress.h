// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * multinicd: what bgpd_multinic is told for ingress -- the NICs (state,
 * speed, addresses) and the task prefixes (announced or not, own NIC,
 * host route in place) -- in ZAPI opaque messages
 * (common/multinic_ingress_wire.h).
 *
 * It reads the NIC and task layers' state (read-only, as show does) when
 * their hooks say it changed, and sends once the tasks have settled after
 * a start: a restarted multinicd must not tell bgpd_multinic about NICs
 * and tasks it has not claimed again yet.
 */
#ifndef _MULTINIC_INGRESS_H
#define _MULTINIC_INGRESS_H

#include "lib/zclient.h"

/* zebra (re)connected: listen for bgpd_multinic's requests, send. */
extern void mn_ingress_zebra_connected(struct zclient *zc);
/* bgpd_multinic asked for everything again. */
extern void mn_ingress_requested(void);
/* An interface's addresses changed (a NIC's next hop may have). */
extern void mn_ingress_addresses_changed(void);

/* For show multinic ingress. */
struct mn_ingress_status {
	bool sending;		 /* the tasks settled: state is sent */
	uint32_t nics_generation; /* of the last NICS sent, 0: none yet */
	uint32_t prefixes_generation;
	unsigned int nics, prefixes; /* in the last ones sent */
	bool sent_ok;		     /* zebra took every message of them */
	time_t sent_at;		     /* monotime */
};
extern void mn_ingress_status(struct mn_ingress_status *st);

extern void mn_ingress_init(void);
extern void mn_ingress_terminate(void);

#endif /* _MULTINIC_INGRESS_H */
