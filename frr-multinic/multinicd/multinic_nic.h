// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * multinicd: NIC selection and state.
 *
 * The NICs that carry task traffic are those named by "nic NAME" plus
 * those matched by a "nic-match" rule.  Their state (oper status, speed,
 * addresses, gateway) comes from zebra.  Configuration and zebra events
 * both end in mn_nics_update(), which recomputes the selected set.
 */
#ifndef _MULTINIC_NIC_H
#define _MULTINIC_NIC_H

#include <net/if.h>

#include "lib/hook.h"
#include "lib/if.h"
#include "lib/nexthop.h"
#include "lib/typesafe.h"

#include "multinic_names.h"
#include "multinic_nic_policy.h"
#include "multinic_numa.h"

/* "nic NAME ..." */
PREDECL_RBTREE_UNIQ(mn_nic_cfgs);
struct mn_nic_cfg {
	struct mn_nic_cfgs_item item;
	char name[IFNAMSIZ];
	uint16_t weight; /* 0: derived from the speed */
	uint32_t speed;	 /* Mbit/s; 0: as the kernel reports */
	bool has_gw[AFI_MAX];
	union g_addr gw[AFI_MAX]; /* configured gateways */
	int numa_node; /* "numa-node N"; MN_NUMA_NODE_NONE: as sysfs reports */
};

/* "nic-match SEQ ..." */
PREDECL_RBTREE_UNIQ(mn_nic_rules);
struct mn_nic_rule_cfg {
	struct mn_nic_rules_item item;
	uint16_t seq;
	char *name_pattern;
	char *driver;
	bool default_gw;
};

/* A selected NIC and its state. */
PREDECL_RBTREE_UNIQ(mn_nics);
struct mn_nic {
	struct mn_nics_item item;
	char name[IFNAMSIZ];
	ifindex_t ifindex;
	bool oper_up;
	uint32_t mtu;
	uint32_t speed_reported; /* Mbit/s; 0 when unknown */
	char driver[32];	 /* "" when unknown */
	struct mn_nic_numa numa; /* its node as sysfs reports it, its load */
	bool has_gw[AFI_MAX];
	union g_addr gw[AFI_MAX];
	/* ZEBRA_NEIGH_STATE_* of the gateway; -1 until zebra reports it */
	int gw_neigh[AFI_MAX];
	const struct mn_nic_cfg *cfg;	    /* when named explicitly */
	const struct mn_nic_rule_cfg *rule; /* first matching rule */
};

static inline int mn_nic_cfg_cmp(const struct mn_nic_cfg *a, const struct mn_nic_cfg *b)
{
	return strcmp(a->name, b->name);
}
DECLARE_RBTREE_UNIQ(mn_nic_cfgs, struct mn_nic_cfg, item, mn_nic_cfg_cmp);

static inline int mn_nic_rule_cmp(const struct mn_nic_rule_cfg *a, const struct mn_nic_rule_cfg *b)
{
	return numcmp(a->seq, b->seq);
}
DECLARE_RBTREE_UNIQ(mn_nic_rules, struct mn_nic_rule_cfg, item, mn_nic_rule_cmp);

static inline int mn_nic_cmp(const struct mn_nic *a, const struct mn_nic *b)
{
	return strcmp(a->name, b->name);
}
DECLARE_RBTREE_UNIQ(mn_nics, struct mn_nic, item, mn_nic_cmp);

extern struct mn_nic_cfgs_head mn_nic_cfgs;
extern struct mn_nic_rules_head mn_nic_rules;
extern struct mn_nics_head mn_nics;

/* Configuration (northbound apply phase). */
extern struct mn_nic_cfg *mn_nic_cfg_add(const char *name);
extern void mn_nic_cfg_del(struct mn_nic_cfg *cfg);
extern void mn_nic_cfg_set_weight(struct mn_nic_cfg *cfg, uint16_t weight);
extern void mn_nic_cfg_set_speed(struct mn_nic_cfg *cfg, uint32_t speed);
/* gw NULL: back to the default route's next hop */
extern void mn_nic_cfg_set_gateway(struct mn_nic_cfg *cfg, afi_t afi, const union g_addr *gw);
/* node MN_NUMA_NODE_NONE: back to what sysfs reports */
extern void mn_nic_cfg_set_numa_node(struct mn_nic_cfg *cfg, int node);
extern struct mn_nic_rule_cfg *mn_nic_rule_add(uint16_t seq);
extern void mn_nic_rule_del(struct mn_nic_rule_cfg *rule);
extern void mn_nic_rule_set_name(struct mn_nic_rule_cfg *rule, const char *pattern);
extern void mn_nic_rule_set_driver(struct mn_nic_rule_cfg *rule, const char *driver);
extern void mn_nic_rule_set_default_gw(struct mn_nic_rule_cfg *rule, bool on);
extern void mn_nic_config_clear(void);

/*
 * Announced after every recomputation of the selected NICs, for the task
 * layer beside this one (waiting tasks, host routes).  The datapaths get
 * the NICs handed down (mn_datapath_nics_set()): state flows down, never
 * back.
 */
DECLARE_HOOK(mn_nics_changed, (), ());

/* Events from zebra. */
extern void mn_nic_default_route_update(afi_t afi, const ifindex_t *ifindex, const union g_addr *gw,
					unsigned int count);
extern void mn_nics_update(void);
/* A neighbour entry changed (state ZEBRA_NEIGH_STATE_*, NONE: removed). */
extern void mn_nic_neighbour_update(ifindex_t ifindex, const struct ipaddr *ip, uint32_t state);
/* "reachable", "stale", ... or "unknown". */
extern const char *mn_neigh_state_name(int state);

/* Read-only views. */
extern struct mn_nic *mn_nic_find(const char *name);
extern uint32_t mn_nic_speed(const struct mn_nic *nic);
extern uint16_t mn_nic_weight(const struct mn_nic *nic);
/* The NIC's node: configured, else reported; MN_NUMA_NODE_NONE when unknown. */
extern int mn_nic_numa_node(const struct mn_nic *nic);
/* The NIC's gateway of a family (configured, else the default route's). */
extern bool mn_nic_gateway(const struct mn_nic *nic, afi_t afi, union g_addr *gw);
/* Smallest MTU of the selected NICs that are up; 0 when none. */
extern uint32_t mn_nics_min_mtu(void);
extern const char *mn_nic_selected_by(const struct mn_nic *nic, char *buf, size_t len);

/*
 * The NUMA spill policy or threshold changed: sample the NICs' transmit
 * rates while mn_numa_spill_sampling_wanted(), else forget their loads.
 */
extern void mn_nic_load_sampling_update(void);

extern void mn_nic_init(void);
extern void mn_nic_terminate(void);

#endif /* _MULTINIC_NIC_H */
