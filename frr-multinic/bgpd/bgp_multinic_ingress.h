// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * bgpd_multinic: the host's NICs and task prefixes as multinicd last
 * described them (common/multinic_ingress_wire.h), and the ingress
 * settings of "router bgp" (multinic link-bandwidth, single-session,
 * resilient-ingress).
 *
 * This file only keeps and decodes; what follows from a change is done by
 * the listeners of its hooks: the per-session outbound policy
 * (bgp_multinic_nics.c) and single-session mode's paths
 * (bgp_multinic_addpath.c).  Like the authorization policy, the state is
 * kept when multinicd stops: it is what multinicd's routes (which zebra
 * keeps across a restart of multinicd) were announced with.
 */
#ifndef _BGP_MULTINIC_INGRESS_H
#define _BGP_MULTINIC_INGRESS_H

#include <net/if.h>

#include "lib/hook.h"
#include "lib/prefix.h"
#include "lib/stream.h"
#include "lib/typesafe.h"

#include "common/multinic_ingress_wire.h"
#include "bgpd/bgp_multinic_ingress_rules.h"

struct bgp;
struct peer;

/* A NIC of the host. */
struct mn_nic_state {
	char name[IFNAMSIZ];
	uint32_t ifindex; /* multinicd's (the same namespace as bgpd's) */
	bool up;
	uint32_t speed; /* Mbit/s, 0: unknown */
	bool has_addr[2]; /* [0] IPv4, [1] IPv6 */
	struct in_addr addr4;
	struct in6_addr addr6;
};

/* A task prefix: a VIP, or a per-NIC task address. */
PREDECL_HASH(mn_tpfxs);
struct mn_tpfx {
	struct mn_tpfxs_item item;
	struct prefix p;
	char nic[IFNAMSIZ]; /* "": a VIP */
	uint8_t flags;	    /* MN_INGRESS_PFX_* */
};

/* The NICs (NULL, 0 until multinicd sent them). */
extern const struct mn_nic_state *mn_ingress_nics(unsigned int *n);
extern const struct mn_nic_state *mn_ingress_nic(const char *name);
/* The NIC a session runs over (the interface of its local address). */
extern const struct mn_nic_state *mn_ingress_nic_of_peer(const struct peer *peer);
/* The link bandwidth a NIC's paths carry, bytes per second. */
extern uint64_t mn_ingress_nic_bandwidth(const struct mn_nic_state *nic);

/* A task prefix (NULL: not one multinicd described). */
extern const struct mn_tpfx *mn_ingress_prefix(const struct prefix *p);
/* What the rules ask about a prefix (known false when pfx is NULL). */
extern struct mn_pfx_facts mn_ingress_facts(const struct mn_tpfx *pfx);
extern void mn_ingress_each_prefix(void (*fn)(const struct mn_tpfx *pfx, void *arg), void *arg);
extern unsigned int mn_ingress_prefix_count(void);

/* What multinicd sent and when (monotime; 0: never). */
struct mn_ingress_recv_status {
	uint32_t nics_generation, prefixes_generation;
	time_t nics_at, prefixes_at;
	bool prefixes_received;
};
extern const struct mn_ingress_recv_status *mn_ingress_recv_status(void);

/* One message from multinicd (MN_OPAQUE_INGRESS). */
extern void mn_ingress_recv(struct stream *s);

/*
 * Ingress settings ("router bgp", default instance only).
 */
enum mn_lb_encoding {
	MN_LB_EXTENDED,	  /* IPv6-address-specific, 64-bit bytes/s: exact */
	MN_LB_IEEE_FLOAT, /* the classic 4-byte community, IEEE float bytes/s */
	MN_LB_NONE,
};

struct mn_ingress_cfg {
	enum mn_lb_encoding lb;
	bool single_session;
	bool resilient;
	uint16_t buckets;
	uint32_t idle_timer;
};
#define MN_RESILIENT_BUCKETS_DEFAULT	128
#define MN_RESILIENT_IDLE_TIMER_DEFAULT 1

extern struct mn_ingress_cfg mn_ingress_cfg;
extern const struct mn_ingress_cfg mn_ingress_cfg_default;
/* New settings in force; the listeners of mn_ingress_cfg_changed hear it. */
extern void mn_ingress_cfg_set(const struct mn_ingress_cfg *cfg);

/* The instance the ingress settings apply to (the default one), if any. */
extern struct bgp *mn_ingress_bgp(void);
/*
 * p's node in that instance's unicast table, locked (the caller unlocks
 * it), and the instance in *bgp; NULL when there is none.
 */
struct bgp_dest;
extern struct bgp_dest *mn_ingress_dest(const struct prefix *p, struct bgp **bgp);

/*
 * What changed, for the listeners.  Called after the new state is in
 * place; old: the NIC as it was (NULL: new), now: as it is (NULL: gone).
 */
DECLARE_HOOK(mn_ingress_nic_changed,
	     (const struct mn_nic_state *old, const struct mn_nic_state *now), (old, now));
/* A task prefix appeared, went or changed; p stays valid during the call. */
DECLARE_HOOK(mn_ingress_prefix_changed, (const struct prefix *p), (p));
/* An ingress setting changed. */
DECLARE_HOOK(mn_ingress_cfg_changed, (), ());

extern void mn_ingress_init(void);
extern void mn_ingress_fini(void);

/* Its CLI and show (bgp_multinic_ingress_vty.c). */
extern void mn_ingress_vty_init(void);
extern void mn_ingress_vty_fini(void);

#endif /* _BGP_MULTINIC_INGRESS_H */
