// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * multinicd: what NIC selection and weighting decide from plain facts
 * (pure helpers, no FRR, no syscalls; see multinic_nic_policy.h),
 * unit-tested in tests/unit/test_multinic_nic_policy.c.
 */
#include <fnmatch.h>
#include <string.h>

#include "multinic_nic_policy.h"

/*
 * NIC weight
 */

uint16_t mn_weight_from_speed(uint32_t speed_mbps, uint32_t fastest_mbps)
{
	uint64_t w;

	/*
	 * Unknown speed: weigh like a typical NIC of these hosts rather than
	 * starve or flood it.  Callers map ethtool's SPEED_UNKNOWN
	 * ((u32)-1) to 0 before calling.
	 */
	if (speed_mbps == 0)
		speed_mbps = MN_SPEED_DEFAULT;
	if (fastest_mbps == 0)
		fastest_mbps = MN_SPEED_DEFAULT;
	if (speed_mbps >= fastest_mbps)
		return MN_WEIGHT_MAX;
	/* 64 bits: speed x MN_WEIGHT_MAX overflows 32 above 4.3 Gbit/s. */
	w = ((uint64_t)speed_mbps * MN_WEIGHT_MAX + fastest_mbps / 2) / fastest_mbps;
	return w ? (uint16_t)w : 1; /* a slow NIC still carries some flows */
}

/*
 * NIC selection rules
 */

bool mn_nic_rule_matches(const struct mn_nic_rule *rule, const struct mn_nic_facts *nic)
{
	if (!rule || !nic)
		return false;
	/* An empty rule must not silently grab every NIC of the host. */
	if (!rule->name_pattern && !rule->driver && !rule->match_default_gw)
		return false;
	if (rule->name_pattern && (!nic->name || fnmatch(rule->name_pattern, nic->name, 0) != 0))
		return false;
	/* A NIC whose driver is unknown cannot satisfy a driver condition. */
	if (rule->driver && (!nic->driver || strcmp(rule->driver, nic->driver) != 0))
		return false;
	if (rule->match_default_gw && !nic->has_default_gw)
		return false;
	return true;
}

uint8_t mn_weight_to_nexthop(uint16_t weight, uint16_t max)
{
	unsigned int w;

	if (max == 0)
		return 1;
	if (weight > max)
		weight = max;
	w = (weight * (unsigned int)MN_NEXTHOP_WEIGHT_MAX + max / 2) / max;
	return w ? w : 1;
}
