// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * bgpd_multinic: what each session and each NIC gets of a task prefix,
 * decided from plain facts.  Pure helpers (no FRR, no bgpd), unit-tested
 * with cmocka in tests/unit/test_bgp_multinic_ingress_rules.c; the
 * per-session code (bgp_multinic_nics.c) and single-session mode
 * (bgp_multinic_addpath.c) ask them.
 */
#ifndef _BGP_MULTINIC_INGRESS_RULES_H
#define _BGP_MULTINIC_INGRESS_RULES_H

#include <stdbool.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* A task prefix as multinicd described it. */
struct mn_pfx_facts {
	bool known;	 /* multinicd told us about it */
	const char *nic; /* "" (or NULL): a VIP, for every NIC */
	bool announce;	 /* the task's "announce" */
	bool up;	 /* its host route is in place */
};

/* What a session gets of a redistributed task prefix. */
enum mn_out {
	MN_OUT_ANNOUNCE,      /* announce it */
	MN_OUT_UNKNOWN,	      /* multinicd has not described it (yet): hold it back */
	MN_OUT_NOT_ANNOUNCED, /* the task says "no announce" */
	MN_OUT_OTHER_NIC,     /* a per-NIC address, and this is not its NIC's session */
};

/*
 * A redistributed task prefix on a session over session_nic (a NIC's name,
 * or NULL for a session that runs over none of the host's NICs).  A VIP
 * goes out on every session; a per-NIC address only on its own NIC's.
 */
enum mn_out mn_out_verdict(const struct mn_pfx_facts *pfx, const char *session_nic);
extern const char *mn_out_text(enum mn_out out);

/* A NIC as multinicd described it, for single-session mode. */
struct mn_nic_facts {
	const char *name;
	bool up;       /* healthy */
	bool has_addr; /* an address of the prefix's family */
};

/*
 * Whether single-session mode gives the prefix a path through nic (with
 * the NIC's address as next hop): the prefix is announced and its host
 * route in place, the NIC is healthy and has an address of the family, and
 * the prefix is a VIP or that NIC's own per-NIC address.
 */
bool mn_nic_path_wanted(const struct mn_pfx_facts *pfx, const struct mn_nic_facts *nic);

/*
 * A NIC's link bandwidth in bytes per second (the community's unit) from
 * its speed in Mbit/s; an unknown speed (0) counts as default_mbps.
 */
uint64_t mn_link_bandwidth(uint32_t speed_mbps, uint32_t default_mbps);

#ifdef __cplusplus
}
#endif

#endif /* _BGP_MULTINIC_INGRESS_RULES_H */
