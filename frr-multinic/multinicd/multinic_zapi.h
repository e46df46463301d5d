// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * multinicd: what the datapath sends to zebra (routes, nexthop groups).
 *
 * The zclient is created by multinic_zebra.c, which receives zebra's
 * events; sending goes through here so that the datapath never calls back
 * into the file that dispatched the event (DESIGN.md §6).
 */
#ifndef _MULTINIC_ZAPI_H
#define _MULTINIC_ZAPI_H

#include "lib/nexthop.h"
#include "lib/prefix.h"
#include "lib/zclient.h"

extern struct zclient *mn_zclient;

/* A next hop as the datapath describes it. */
struct mn_zapi_nh {
	ifindex_t ifindex;
	bool has_gate;	   /* false: directly on the link */
	union g_addr gate; /* of the route's family */
	uint8_t weight;	   /* 1..255, 0 = unweighted */
};

/* First nexthop-group id of multinicd's range in zebra. */
extern uint32_t mn_zapi_nhg_base(void);

/*
 * Install (replace) or remove a nexthop group.  resilient_buckets > 0
 * asks for a resilient group (flows stay on their next hop when others
 * come and go).  Returns false when zebra could not be told.
 */
extern bool mn_zapi_nhg_install(uint32_t id, int family, const struct mn_zapi_nh *nh,
				unsigned int n, uint16_t resilient_buckets);
extern bool mn_zapi_nhg_remove(uint32_t id);

/* A route to prefix in table (0: main) via a nexthop group. */
extern bool mn_zapi_route_nhg(bool add, const struct prefix *p, uint32_t table, uint32_t nhg_id);

/*
 * A route to prefix in table (0: main) via one next hop, or unreachable
 * when nh is NULL.
 */
extern bool mn_zapi_route_nh(bool add, const struct prefix *p, uint32_t table,
			     const struct mn_zapi_nh *nh);

/* A route to prefix in the main table directly on ifindex. */
extern bool mn_zapi_route_dev(bool add, const struct prefix *p, ifindex_t ifindex);

/*
 * Graceful restart with zebra: enable once connected; routes_complete
 * once this instance has sent all its routes again (zebra then drops
 * what an earlier instance left and nobody refreshed).
 */
extern void mn_zapi_gr_enable(void);
extern void mn_zapi_routes_complete(void);

/*
 * The messages multinicd relays through zebra to bgpd_multinic (opaque
 * messages): every one starts with the wire format's version, its kind
 * and the generation it belongs to (common/multinic_*_wire.h).
 */
extern void mn_zapi_opaque_start(struct stream *s, uint8_t version, uint8_t kind,
				 uint32_t generation);
extern bool mn_zapi_opaque_send(uint32_t type, struct stream *s);

#endif /* _MULTINIC_ZAPI_H */
