/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * frr-multinic BPF programs: includes and constants.  Packet headers and
 * __sk_buff are stable UAPI, so the programs use the <linux/...> headers
 * (Debian 12's linux-libc-dev 6.1 has all they need) rather than a
 * vmlinux.h: no CO-RE is needed, nothing reads kernel-internal structs.
 */
#ifndef MN_DEFS_BPF_H
#define MN_DEFS_BPF_H

#include <stdbool.h>

#include <linux/types.h>
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/if_packet.h>
#include <linux/in.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/pkt_cls.h>

#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

#include "multinic_maps.h"

/*
 * Verdicts.  TC_ACT_UNSPEC is TCX_NEXT and NETKIT_NEXT (-1): "not mine".
 * On tcx and netkit the next program in the chain runs, and when there
 * is none the packet goes to the kernel stack; with clsact (direct
 * action) the next filter runs, else the packet passes.  TC_ACT_OK would
 * be TCX_PASS and end the chain, skipping programs that others attached
 * after ours (the NICs' ingress is shared ground).
 */
#define MN_ACT_PASS TC_ACT_UNSPEC
#define MN_ACT_REDIRECT TC_ACT_REDIRECT
/* A hostile task's packet (multinic_maps.h, "What the programs refuse"). */
#define MN_ACT_DROP TC_ACT_SHOT

/* IPv4 fragment bits (include/net/ip.h, not UAPI). */
#ifndef IP_MF
#define IP_MF 0x2000
#endif
#ifndef IP_OFFSET
#define IP_OFFSET 0x1fff
#endif

/* IPv6 extension headers (include/net/ipv6.h names; linux/in6.h values). */
#ifndef NEXTHDR_HOP
#define NEXTHDR_HOP 0
#endif
#ifndef NEXTHDR_ROUTING
#define NEXTHDR_ROUTING 43
#endif
#ifndef NEXTHDR_FRAGMENT
#define NEXTHDR_FRAGMENT 44
#endif
#ifndef NEXTHDR_AUTH
#define NEXTHDR_AUTH 51
#endif
#ifndef NEXTHDR_DEST
#define NEXTHDR_DEST 60
#endif

/* IPv6 extension headers skipped before giving up on the L4 header. */
#define MN_IPV6_MAX_EXT_HDRS 8

/* bpf_timer_init() clock: CLOCK_MONOTONIC, as bpf_ktime_get_ns(). */
#define MN_CLOCK_MONOTONIC 1

#endif /* MN_DEFS_BPF_H */
