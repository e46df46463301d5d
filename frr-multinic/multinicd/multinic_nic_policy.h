// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * multinicd: what NIC selection and weighting decide from plain facts:
 * whether a "nic-match" rule selects an interface, and a NIC's weight.
 * Pure helpers (no FRR, no syscalls), unit-tested with cmocka in
 * tests/unit; the NIC layer (multinic_nic.c) and the kernel datapath use
 * them.
 */
#ifndef _MULTINIC_NIC_POLICY_H
#define _MULTINIC_NIC_POLICY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/*
 * The NIC weight: one scale, 1..MN_WEIGHT_MAX, everywhere multinicd
 * holds or shows a weight (configuration, "show multinic nic", the eBPF
 * datapath's mn_nics map, which takes it as it is).  Only the kernel's
 * nexthop groups need another range (1..255): mn_weight_to_nexthop() is
 * the one conversion.
 */
#define MN_WEIGHT_MAX 1000
/* What a NIC whose speed is unknown is taken for (Mbit/s): 100 Gbit/s. */
#define MN_SPEED_DEFAULT 100000
/* The largest nexthop weight the kernel takes (struct nexthop_grp.weight + 1). */
#define MN_NEXTHOP_WEIGHT_MAX 255

/*
 * Weight of a NIC from its speed in Mbit/s, relative to the fastest of the
 * host's NICs (fastest_mbps): the fastest weighs MN_WEIGHT_MAX and every
 * other NIC in proportion, rounded to nearest and at least 1, so that the
 * weights keep the speeds' ratio at any speed (10 and 100 Mbit/s weigh
 * 100 and 1000, as 100 and 1000 Gbit/s do).  A configured weight is on the
 * same scale: 500 is half the fastest NIC.  An unknown speed (0) counts as
 * MN_SPEED_DEFAULT, for the NIC and for fastest_mbps.
 */
uint16_t mn_weight_from_speed(uint32_t speed_mbps, uint32_t fastest_mbps);

/*
 * A NIC's weight as a nexthop weight, relative to the largest weight of
 * the group (max): the largest maps to MN_NEXTHOP_WEIGHT_MAX, the ratios
 * are kept as well as 255 steps allow, and none drops to 0.
 */
uint8_t mn_weight_to_nexthop(uint16_t weight, uint16_t max);

/* What a NIC selection rule looks at. NULL/unset fields are ignored. */
struct mn_nic_rule {
	const char *name_pattern; /* fnmatch(3) glob, or NULL */
	const char *driver;	  /* exact driver name, or NULL */
	bool match_default_gw;	  /* require has_default_gw */
};

struct mn_nic_facts {
	const char *name;
	const char *driver; /* NULL when unknown (virtual devices) */
	bool has_default_gw;
};

/*
 * A rule matches when every condition it sets holds.  A rule that sets no
 * condition matches nothing (the YANG model refuses such rules anyway).
 */
bool mn_nic_rule_matches(const struct mn_nic_rule *rule, const struct mn_nic_facts *nic);


#ifdef __cplusplus
}
#endif

#endif /* _MULTINIC_NIC_POLICY_H */
