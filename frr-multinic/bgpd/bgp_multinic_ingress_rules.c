// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * bgpd_multinic: what each session and each NIC gets of a task prefix
 * (pure helpers, see bgp_multinic_ingress_rules.h).
 */
#include <string.h>

#include "bgp_multinic_ingress_rules.h"

static bool is_vip(const struct mn_pfx_facts *pfx)
{
	return !pfx->nic || !pfx->nic[0];
}

enum mn_out mn_out_verdict(const struct mn_pfx_facts *pfx, const char *session_nic)
{
	/*
	 * Held back until multinicd has said what it is: announcing first and
	 * withdrawing once "no announce" or "another NIC's" arrives would
	 * send out what the operator asked to keep in.
	 */
	if (!pfx || !pfx->known)
		return MN_OUT_UNKNOWN;
	if (!pfx->announce)
		return MN_OUT_NOT_ANNOUNCED;
	if (is_vip(pfx))
		return MN_OUT_ANNOUNCE;
	if (!session_nic || strcmp(session_nic, pfx->nic) != 0)
		return MN_OUT_OTHER_NIC;
	return MN_OUT_ANNOUNCE;
}

const char *mn_out_text(enum mn_out out)
{
	switch (out) {
	case MN_OUT_ANNOUNCE:
		return "announced";
	case MN_OUT_UNKNOWN:
		return "held back: not described by multinicd";
	case MN_OUT_NOT_ANNOUNCED:
		return "not announced (no announce)";
	case MN_OUT_OTHER_NIC:
		return "not announced: another NIC's address";
	}
	return "unknown";
}

bool mn_nic_path_wanted(const struct mn_pfx_facts *pfx, const struct mn_nic_facts *nic)
{
	if (!pfx || !nic || !pfx->known || !pfx->announce || !pfx->up)
		return false;
	if (!nic->up || !nic->has_addr)
		return false;
	return is_vip(pfx) || (nic->name && strcmp(nic->name, pfx->nic) == 0);
}

uint64_t mn_link_bandwidth(uint32_t speed_mbps, uint32_t default_mbps)
{
	/* 1 Mbit/s = 125000 bytes/s; 64 bits hold any 32-bit speed */
	return (uint64_t)(speed_mbps ? speed_mbps : default_mbps) * 125000;
}
