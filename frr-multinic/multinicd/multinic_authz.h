// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * multinicd: the authorization policy (frr-multinic.yang, container
 * authorization): which task VIPs may exist on this host, and - on a
 * rack switch - handing the policy to bgpd_multinic.
 */
#ifndef _MULTINIC_AUTHZ_H
#define _MULTINIC_AUTHZ_H

#include "lib/yang.h"
#include "lib/zclient.h"

/*
 * Northbound VALIDATE helpers.  Each judges the candidate configuration
 * dnode belongs to and, on refusal, writes the reason into err.
 */
/* A vip-range: host bits clear, no overlap with another range. */
extern bool mn_authz_range_valid(const struct lyd_node *dnode, char *err, size_t len);
/* A host's neighbor: an address, or a valid interface name. */
extern bool mn_authz_neighbor_valid(const struct lyd_node *dnode, char *err, size_t len);
/*
 * Every task address (VIPs and per-NIC addresses) inside the policy's
 * ranges of its family, and no more of a family than max-vips-per-host.
 */
extern bool mn_authz_tasks_valid(const struct lyd_node *dnode, char *err, size_t len);

/* APPLY: the policy changed; bgpd_multinic is told once the commit ends. */
extern void mn_authz_changed(void);

/* A configuration load ended: the policy may now be sent. */
extern void mn_authz_config_end(void);

/* zebra (re)connected: listen for bgpd_multinic's requests, send. */
extern void mn_authz_zebra_connected(struct zclient *zc);

/* bgpd_multinic asked for the policy. */
extern void mn_authz_requested(void);

/* For show multinic authorization. */
struct mn_authz_status {
	unsigned int task_vips[2]; /* [0] IPv4, [1] IPv6, in the running config */
	uint32_t generation;	   /* of the last policy sent, 0: none yet */
	bool sent_ok;		   /* zebra took every message of it */
	time_t sent_at;		   /* monotime */
	bool config_read;	   /* sending is allowed */
};
extern void mn_authz_status(struct mn_authz_status *st);

extern void mn_authz_init(void);
extern void mn_authz_terminate(void);

#endif /* _MULTINIC_AUTHZ_H */
