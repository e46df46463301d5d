/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * frr-multinic: map and struct layouts shared by the BPF programs
 * (bpf/HOOK.bpf.c) and multinicd (which fills the maps).  Plain fixed-size
 * types only, so that both sides agree byte for byte; every struct is
 * padded explicitly (no hidden holes: hash keys are compared as bytes).
 *
 * Egress (task -> NICs), bpf/egress.bpf.c, program "mn_egress": runs on
 * the task's host-side device (tcx or clsact ingress of the host-side
 * veth, or the netkit peer hook of the primary).  A packet whose source is
 * a task address of that device is sent out of one NIC with
 * bpf_redirect_neigh(), the NIC's gateway as next hop; the NIC is the
 * source's pinned NIC (per-NIC task address), else the Maglev table entry
 * of the flow's hash (placement hash), else the flow table entry or the
 * least loaded NIC (placement least-loaded).
 *
 * Ingress (NIC -> task), bpf/ingress.bpf.c, program "mn_ingress": runs on
 * each NIC's tcx (or clsact) ingress; a packet to a task address goes
 * straight into the task with bpf_redirect_peer() on its host-side device.
 *
 * Both programs return TC_ACT_REDIRECT when they redirect and
 * TC_ACT_UNSPEC (== TCX_NEXT == NETKIT_NEXT, -1) for everything else: "not
 * mine", so that programs attached after ours still run and, when none
 * does, the kernel stack takes the packet (the kernel-mode datapath is the
 * fallback for task packets that no usable NIC can take).
 *
 * Pinning (hitless restart, DESIGN.md §3): every map is declared with
 * LIBBPF_PIN_BY_NAME.  multinicd opens both skeletons with
 * bpf_object_open_opts.pin_root_path = MN_PIN_MAPS: the first load creates
 * and pins the maps, every later load (the other program, a restarted
 * daemon) reuses them, so both programs share one set of maps and the
 * state survives the daemon.  libbpf refuses to reuse a pinned map whose
 * type, key, value or size differ: bump MN_MAPS_ABI with every layout
 * change below, so that a new multinicd creates new maps beside the old
 * ones (which the still attached old programs keep using until their
 * links are updated).  libbpf creates only the last directory of a pin
 * path: mount bpffs on /sys/fs/bpf if it is not, and create MN_PIN_ROOT,
 * before opening.  The attach links (tcx, netkit) belong under
 * MN_PIN_LINKS, so that the programs stay attached while multinicd is
 * down; a restarted multinicd loads the new programs and swaps them in
 * with bpf_link_update().
 */
#ifndef MULTINIC_MAPS_H
#define MULTINIC_MAPS_H

#include <linux/types.h>

/* Layout version of everything below; part of the maps' pin directory. */
#define MN_MAPS_ABI 1
#define MN_PIN_ROOT "/sys/fs/bpf/multinic"
#define MN_STR_(x) #x
#define MN_STR(x) MN_STR_(x)
#define MN_PIN_MAPS MN_PIN_ROOT "/maps-v" MN_STR(MN_MAPS_ABI)
#define MN_PIN_LINKS MN_PIN_ROOT "/links"

/*
 * NIC slots: index into mn_nics, mn_nic_load and mn_nic_stats; the Maglev
 * table and the flow table hold slot numbers.
 */
#define MN_MAX_NICS 16
/* Maglev table size: a prime much larger than MN_MAX_NICS * 100. */
#define MN_MAGLEV_SIZE 16381
/* Flow table (least-loaded placement): more than the concurrent flows. */
#define MN_MAX_FLOWS 65536
/* Tasks (host-side devices); addresses (VIPs, per-NIC and host addresses). */
#define MN_MAX_TASKS 1024
#define MN_MAX_ADDRS 4096

/* A slot with no NIC: mn_addr.pin_slot of a VIP, an unfilled table entry. */
#define MN_NIC_NONE 0xffffffffU

/* Least-loaded: halving period of the recent load when mn_config has 0. */
#define MN_LOAD_WINDOW_DEFAULT_NS 1000000000ULL

#define MN_AF_INET 2   /* AF_INET, without <sys/socket.h> in BPF code */
#define MN_AF_INET6 10 /* AF_INET6 */

enum mn_nic_flags {
	MN_NIC_F_UP = 1 << 0,  /* healthy: carries flows */
	MN_NIC_F_GW4 = 1 << 1, /* gw4 is set */
	MN_NIC_F_GW6 = 1 << 2, /* gw6 is set */
};

/*
 * mn_nics[slot] (array, MN_MAX_NICS).  A NIC is usable for a packet of
 * family F when ifindex != 0, MN_NIC_F_UP is set and it has a gateway for
 * F: gw4 for IPv4, else gw6 (an IPv4 packet via an IPv6 next hop, RFC
 * 5549, as with BGP unnumbered); gw6 for IPv6.  weight 0 drains the NIC in
 * least-loaded placement: its flows stay, it takes no new ones.
 *
 * Readers see an array element being rewritten torn (the update is a
 * memcpy): to put another NIC into a slot, first write the slot with
 * flags 0, then the new contents with flags 0, then set the flags.
 */
struct mn_nic {
	__u32 ifindex; /* 0: slot unused */
	__u32 flags;   /* enum mn_nic_flags */
	__u32 weight;  /* share of new flows, e.g. link speed in Mbit/s (< 2^24) */
	__be32 gw4;
	__u8 gw6[16];
};

enum mn_placement {
	MN_PLACE_HASH = 0,	   /* stateless: mn_maglev[hash % size] */
	MN_PLACE_LEAST_LOADED = 1, /* least recent load / weight, then sticky */
};

/* mn_config[0] (array of 1); all zero = placement hash, seed 0. */
struct mn_config {
	__u32 placement;      /* enum mn_placement */
	__u32 hash_seed;      /* seed of the flow hash (multinic_hash.h) */
	__u64 load_window_ns; /* least-loaded: the recent load halves every
			       * window (0: MN_LOAD_WINDOW_DEFAULT_NS) */
};

/* Key of mn_addrs (hash, MN_MAX_ADDRS). */
struct mn_addr_key {
	__u32 family; /* MN_AF_INET or MN_AF_INET6 */
	__u8 addr[16]; /* IPv4 in the first 4 bytes (network order), rest 0 */
};

/*
 * mn_addrs[addr]: the addresses the programs know.
 *  - A VIP: task_ifindex = the task's host-side device, pin_slot =
 *    MN_NIC_NONE.  Egress steers packets from it sent through that
 *    device; ingress hands packets to it into the task.
 *  - A per-NIC task address: the same, pin_slot = its NIC: egress always
 *    uses that NIC (and falls back to the kernel when it is unusable).
 *  - A host address: task_ifindex = 0.  Never a source that is steered;
 *    as a destination of task traffic it stays on the host (kernel
 *    stack), and ingress leaves it to the host stack.
 * Egress does not steer packets to any address in this map: task-to-task
 * and task-to-host traffic stays on the host.  Fill this map last: an
 * entry enables steering for its address, so mn_nics, mn_maglev and
 * mn_config must be ready before.
 */
struct mn_addr {
	__u32 task_ifindex; /* the task's host-side device; 0: a host address */
	__u32 pin_slot;	    /* MN_NIC_NONE, or the NIC of a per-NIC address */
};

/*
 * Key of mn_flows (LRU hash, MN_MAX_FLOWS, shared by all CPUs: a flow's
 * packets are sent from any CPU and must see one placement) and input of
 * the flow hash.  Ports are 0 for protocols other than TCP and UDP and
 * for every fragment of a fragmented datagram (the first one too), so
 * that all fragments of a datagram take one NIC.
 */
struct mn_flow_key {
	__u32 family;
	__u8 saddr[16];
	__u8 daddr[16];
	__be16 sport;
	__be16 dport;
	__u8 proto;
	__u8 pad[3];
};

/* mn_flows[flow] */
struct mn_flow {
	__u32 slot;
	__u32 pad;
	__u64 last_seen_ns; /* bpf_ktime_get_ns() (CLOCK_MONOTONIC), 1 s steps */
};

/*
 * mn_nic_load[slot] (array, MN_MAX_NICS, shared by all CPUs: placement
 * compares NICs over all CPUs' traffic): recent bytes for least-loaded
 * placement, updated with atomic adds; bytes halve every load window.
 */
struct mn_load {
	__u64 bytes;
	__u64 stamp_ns; /* when bytes were last decayed */
};

/*
 * mn_nic_stats[slot] (per-CPU array, MN_MAX_NICS) and
 * mn_task_stats[task_ifindex] (per-CPU hash, MN_MAX_TASKS; the programs
 * create an entry on first use, multinicd deletes it with the task).
 * Userspace sums the per-CPU values.
 */
struct mn_stats {
	__u64 tx_packets; /* egress: sent out of a NIC */
	__u64 tx_bytes;	  /* skb->len, Ethernet header included */
	__u64 rx_packets; /* ingress: handed into a task */
	__u64 rx_bytes;
	__u64 fallback;	       /* egress: no usable NIC, left to the kernel
				* (per NIC: the chosen NIC was unusable) */
	__u64 local;	       /* egress: for the host (multicast,
				* link-local, a task or host address) */
	__u64 redirect_errors; /* the redirect helper refused: left to the kernel */
};

#ifndef __cplusplus
_Static_assert(sizeof(struct mn_nic) == 32, "struct mn_nic layout");
_Static_assert(sizeof(struct mn_config) == 16, "struct mn_config layout");
_Static_assert(sizeof(struct mn_addr_key) == 20, "struct mn_addr_key layout");
_Static_assert(sizeof(struct mn_flow_key) == 44, "struct mn_flow_key layout");
_Static_assert(sizeof(struct mn_flow) == 16, "struct mn_flow layout");
_Static_assert(sizeof(struct mn_stats) % 8 == 0,
	       "per-CPU values are 8-byte units");
#endif

#endif /* MULTINIC_MAPS_H */
