// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * frr-multinic: what multinicd tells bgpd_multinic about ingress, in ZAPI
 * opaque messages relayed by zebra: the host's NICs (their state, speed
 * and addresses) and the task prefixes (VIPs and per-NIC task addresses,
 * whether each is to be announced and whether its host route is in place).
 *
 * Shared by multinicd (sender, multinic_ingress.c) and bgpd_multinic
 * (receiver, bgp_multinic_nics.c), which both include it from
 * frr-multinic/common/ as peers.  bgpd_multinic derives from it each NIC
 * session's link bandwidth, which prefixes go out on which session, and
 * in single-session mode the paths it originates (doc/ingress-bgp.md).
 *
 * Every message: u8 version, u8 kind, u32 generation, then per kind:
 *   NICS      u16 n, n x nic            (all NICs: one message is the whole set)
 *   BEGIN     u32 prefixes              (a set of prefixes follows)
 *   PREFIXES  u16 n, n x entry          (at most MN_INGRESS_CHUNK each)
 *   END       (nothing)
 * nic:     string name, u32 ifindex, u8 flags (MN_INGRESS_NIC_*),
 *          u32 speed (Mbit/s, 0: unknown), address v4, address v6
 * entry:   prefix, string nic ("": the task's VIP, for every NIC),
 *          u8 flags (MN_INGRESS_PFX_*)
 * address: u8 family (0: none), then 4 or 16 bytes
 * prefix:  u8 family (AF_INET, AF_INET6), u8 length, 4 or 16 bytes
 * string:  u8 length, bytes (no NUL)
 *
 * A prefix set takes effect once END arrives with as many entries as
 * BEGIN announced, all of BEGIN's generation: a half-received set never
 * replaces the one in force.  NICS replaces the NICs at once.
 *
 * MN_OPAQUE_INGRESS_REQUEST (payload: u8 version) asks multinicd for both
 * again: bgpd_multinic sends it whenever it (re)connects to zebra.
 */
#ifndef _MULTINIC_INGRESS_WIRE_H
#define _MULTINIC_INGRESS_WIRE_H

/* Private opaque types, beside the authorization policy's (0x4d4e41xx). */
#define MN_OPAQUE_INGRESS	  0x4d4e4901
#define MN_OPAQUE_INGRESS_REQUEST 0x4d4e4902

#define MN_INGRESS_WIRE_VERSION 1

enum mn_ingress_msg_kind {
	MN_INGRESS_MSG_NICS = 1,
	MN_INGRESS_MSG_BEGIN = 2,
	MN_INGRESS_MSG_PREFIXES = 3,
	MN_INGRESS_MSG_END = 4,
};

/* nic flags */
#define MN_INGRESS_NIC_UP 0x01 /* healthy: may carry task traffic */

/* entry flags */
#define MN_INGRESS_PFX_ANNOUNCE 0x01 /* the task's "announce" is on */
#define MN_INGRESS_PFX_UP	0x02 /* its host route is in zebra */

/*
 * What a NIC of unknown speed (0 on the wire) is taken for, in Mbit/s:
 * the same as multinicd's MN_SPEED_DEFAULT (multinic_nic_policy.h).
 */
#define MN_INGRESS_SPEED_DEFAULT 100000

/* One NICS message holds every NIC; entries per PREFIXES message. */
#define MN_INGRESS_NICS_MAX 64
#define MN_INGRESS_CHUNK    256

#endif /* _MULTINIC_INGRESS_WIRE_H */
