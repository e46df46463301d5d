// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * frr-multinic: the authorization policy as multinicd hands it to
 * bgpd_multinic, in ZAPI opaque messages relayed by zebra.
 *
 * Shared by multinicd (sender) and bgpd_multinic (receiver), which both
 * include it from frr-multinic/common/ as peers.  The policy
 * is configured in frr-multinic.yang on the rack switch's multinicd
 * (doc/authorization.md says why); bgpd_multinic keeps the last one it
 * received.  One message must fit zebra's 16 KiB buffer, so a policy is
 * sent as a sequence: BEGIN, one RANGE per vip-range, one HOST per host,
 * END.  The receiver applies it only once END arrives with the counts
 * BEGIN announced, so a half-received policy never takes effect.
 *
 * Every message: u8 version, u8 kind, u32 generation, then per kind:
 *   BEGIN  u32 max-vips-per-host (0: none), u32 ranges, u32 hosts
 *   RANGE  prefix
 *   HOST   string name, u32 max-vips (0: the default),
 *          u16 n, n x neighbor, u16 m, m x prefix
 *   END    (nothing)
 * prefix:   u8 family (AF_INET, AF_INET6), u8 length, 4 or 16 bytes
 * neighbor: u8 MN_AUTHZ_NBR_ADDR + address as a /32 or /128 prefix, or
 *           u8 MN_AUTHZ_NBR_IFNAME + string
 * string:   u8 length, bytes (no NUL)
 *
 * MN_OPAQUE_AUTHZ_REQUEST (no payload) asks multinicd to send the policy
 * again: bgpd_multinic sends it whenever it (re)connects to zebra.
 */
#ifndef _MULTINIC_AUTHZ_WIRE_H
#define _MULTINIC_AUTHZ_WIRE_H

#include "lib/prefix.h"

/* Private opaque types, far above zclient.h's registry. */
#define MN_OPAQUE_AUTHZ_POLICY	0x4d4e4101
#define MN_OPAQUE_AUTHZ_REQUEST 0x4d4e4102

#define MN_AUTHZ_WIRE_VERSION 1

enum mn_authz_msg_kind {
	MN_AUTHZ_MSG_BEGIN = 1,
	MN_AUTHZ_MSG_RANGE = 2,
	MN_AUTHZ_MSG_HOST = 3,
	MN_AUTHZ_MSG_END = 4,
};

enum mn_authz_nbr_kind {
	MN_AUTHZ_NBR_ADDR = 1,
	MN_AUTHZ_NBR_IFNAME = 2,
};

/* The model's limits (frr-multinic.yang), which keep a HOST message small. */
#define MN_AUTHZ_HOST_NAME_MAX	 64
#define MN_AUTHZ_HOST_NBR_MAX	 64
#define MN_AUTHZ_HOST_RANGES_MAX 256
#define MN_AUTHZ_RANGES_MAX	 1024
#define MN_AUTHZ_HOSTS_MAX	 4096

/*
 * Limits and counts are per address family (a dual-stack task counts once
 * in each): the index of a VIP's family in such per-family arrays.
 */
static inline int mn_authz_fam_idx(const struct prefix *p)
{
	return p->family == AF_INET6;
}

#endif /* _MULTINIC_AUTHZ_WIRE_H */
