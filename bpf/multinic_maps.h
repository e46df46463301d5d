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
 * of the flow's hash (placement hash), else the flow's entry in mn_flows
 * or the least loaded NIC (placement least-loaded, see "Least-loaded
 * placement" below).
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
#define MN_MAPS_ABI 3
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
struct mn_bpf_nic {
	__u32 ifindex; /* 0: slot unused */
	__u32 flags;   /* enum mn_nic_flags */
	/*
	 * The NIC weight, one scale everywhere: 1..1000 as multinicd writes
	 * it (MN_WEIGHT_MAX of multinic_nic_policy.h: the configured weight,
	 * else 1 per Gbit/s of link speed).  The Maglev table gives a NIC
	 * weight / (sum of weights) of the entries; least-loaded placement
	 * divides a NIC's load by it.  0: takes no new flows.
	 */
	__u32 weight;
	__be32 gw4;
	__u8 gw6[16];
};

enum mn_placement {
	MN_PLACE_HASH = 0,	   /* stateless: mn_maglev[hash % size] */
	MN_PLACE_LEAST_LOADED = 1, /* live flows per weight, flowlet moves */
};

/*
 * Least-loaded placement: defaults of the two knobs of mn_config (0 in
 * the map means the default; multinicd writes its configured values).
 *
 * Flowlet timeout: a flow may move to another NIC at a packet that comes
 * after an idle gap longer than this; it must exceed the largest
 * difference between two NICs' path delays, or the first packet on the new
 * NIC overtakes the last ones on the old.  That difference is the NICs'
 * queueing: on the bench and topotest NICs a tbf queue of at most 25 ms
 * (latency 25ms) plus its 4 ms burst; a real NIC's transmit queue holds
 * well under a millisecond, a rack switch port a few.  50 ms covers all of
 * them with room for a busy 2-CPU test machine.  TCP flows rarely need
 * the gap: they move when nothing they sent is unacknowledged (below).
 *
 * Re-balance interval: how often the flow table is swept (per-flow rates
 * measured, idle flows retired, per-NIC loads recomputed), and how long a
 * flow stays on a NIC before it may move again, so that no flow flaps.
 */
#define MN_FLOWLET_TIMEOUT_DEFAULT_US 50000U
#define MN_REBALANCE_INTERVAL_DEFAULT_US 100000U

/* mn_config[0] (array of 1); all zero = placement hash, seed 0, defaults. */
struct mn_config {
	__u32 placement;	     /* enum mn_placement */
	/*
	 * Seed of the flow hash (multinic_hash.h): random per host, so that
	 * nobody can aim flows at one NIC from outside, kept across restarts
	 * of multinicd (it reads it back from the pinned map), so that flows
	 * keep their NIC.
	 */
	__u32 hash_seed;
	__u32 flowlet_timeout_us;    /* least-loaded; 0: the default above */
	__u32 rebalance_interval_us; /* least-loaded; 0: the default above */
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
 * Key of mn_flows and input of the flow hash.  Ports are 0 for protocols
 * other than TCP and UDP and for every fragment of a fragmented datagram
 * (the first one too), so that all fragments of a datagram take one NIC.
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

/*
 * Least-loaded placement
 * ======================
 *
 * A NIC's load is the flows booked on it, per weight.  A flow is booked
 * from its first packet, so that a burst of new flows opened within a
 * millisecond spreads by count, and leaves the books when the task sends
 * its FIN or RST, when the peer sends a RST, or after an idle time
 * (MN_FLOW_IDLE_MIN_NS, or the flowlet timeout if longer).  A booked flow
 * weighs MN_UNITS_HEAVY while it carries bulk data and MN_UNITS_LIGHT
 * otherwise (a connection that only exchanges small messages, an ACK
 * stream, a slow trickle): a new bulk flow shares a NIC's capacity with
 * the bulk flows already there, so it goes where there are fewest of them
 * per weight, and mice do not push elephants around.  A byte rate alone
 * cannot do that: on saturated NICs one elephant and thirty-two show the
 * same rate.  Heavy means: a flow too young to have a rate (younger than
 * half a re-balance interval) that has sent a segment of at least
 * MN_BULK_PAYLOAD bytes; a rated flow whose rate is at least
 * MN_HEAVY_MIN_BPS and 1/MN_HEAVY_SHARE of its NIC's fastest flow (it
 * stays heavy down to half of both); a flow that sends a bulk segment at
 * a flowlet boundary (below): it was rated light during its pause.  Rates are used as a tie-break
 * between NICs of equal load, and shown.
 *
 * Where it runs: all in BPF.  Packets book, promote and retire flows with
 * atomic adds to mn_nic_load[slot].units_delta; a bpf_timer (mn_sweep)
 * runs every re-balance interval in the kernel: it measures every flow's
 * rate, classifies it, deletes idle entries and recomputes each NIC's
 * units from the table (which also heals what a racing CPU or the LRU's
 * own evictions left wrong).  Userspace only arms the timer
 * (program mn_sweep_arm) and reads.  So the per-packet cost is one flow
 * lookup and a few stores or atomic adds, nothing is copied to userspace,
 * and the sweep goes on, in the pinned maps, while multinicd restarts.
 *
 * Moves: a flow stays on its NIC, except (a) when the NIC becomes
 * unusable: re-placed at its next packet (only that NIC's flows move);
 * (b) at a flowlet boundary, when another NIC is clearly less loaded
 * (cautious, as in Hermes: the flow has company on its NIC, at least one
 * heavy flow's worth, and the busier of the two NICs, per weight, is
 * less loaded after the move than the flow's NIC is now by at least half
 * of what the flow weighs on its new NIC), at most once per re-balance
 * interval.  A flowlet boundary is a
 * packet of a heavy flow after an idle gap longer than the flowlet
 * timeout, or a TCP segment carrying data sent when everything the flow
 * sent before has been acknowledged: the ingress program follows each
 * booked TCP flow's acknowledgements (snd_una), the egress program what
 * it sent (snd_nxt).  Either way nothing of the flow is left in a queue
 * of its old NIC, so no segment can be overtaken: no reordering.
 */
#define MN_UNITS_HEAVY 16
#define MN_UNITS_LIGHT 1
/* A segment with this much payload (or a GSO packet) is bulk data. */
#define MN_BULK_PAYLOAD 1024
/* Rated flows below this never count as heavy (1 Mbit/s). */
#define MN_HEAVY_MIN_BPS 125000ULL
#define MN_HEAVY_SHARE 16
/* Booked flows idle this long (or the flowlet timeout, if longer) retire. */
#define MN_FLOW_IDLE_MIN_NS 1000000000ULL

enum mn_flow_state {
	MN_FLOW_S_HEAVY = 1 << 0,  /* counts MN_UNITS_HEAVY, else LIGHT */
	MN_FLOW_S_RATED = 1 << 1,  /* rate is measured (not young) */
	MN_FLOW_S_CLOSED = 1 << 2, /* FIN or RST: off the books, keeps its NIC */
	MN_FLOW_S_TCP_SEQ = 1 << 3, /* snd_nxt/snd_una are followed */
};

/*
 * mn_flows[flow] (LRU hash, MN_MAX_FLOWS, shared by all CPUs and by both
 * programs: a flow's packets are sent from any CPU and must see one
 * placement; its acknowledgements arrive through any NIC).  Written by the
 * programs only; multinicd reads it for "show multinic flows".
 */
struct mn_flow {
	__u32 slot;
	__u32 state;	    /* enum mn_flow_state */
	__u64 first_ns;	    /* bpf_ktime_get_ns() (CLOCK_MONOTONIC) */
	__u64 last_ns;	    /* the latest packet */
	__u64 bytes;	    /* sent, packets carrying payload only */
	__u64 swept_bytes;  /* bytes when the sweep last measured the rate */
	__u64 swept_ns;	    /* when that was (0: never) */
	__u64 rate;	    /* bytes/s over the last sweep interval */
	__u64 moved_ns;	    /* the last move (0: never moved) */
	__u32 moves;	    /* re-balancing moves */
	__u32 snd_nxt;	    /* TCP: after the last byte sent (host order) */
	__u32 snd_una;	    /* TCP: the peer's highest acknowledgement */
	__u32 pad;
};

/*
 * mn_nic_load[slot] (array, MN_MAX_NICS, shared by all CPUs and both
 * programs).  The NIC's load in units is units + units_delta: units is
 * what the last sweep counted in mn_flows, units_delta what packets
 * booked (+), promoted (+), retired (-) or moved since (atomic adds); the
 * sweep subtracts what it folded into units.  The rest is the last
 * sweep's view, for placement's tie-break and for show commands.
 */
struct mn_nic_load {
	__s64 units_delta;
	__u64 units;
	__u64 rate;	 /* bytes/s of its booked flows */
	__u64 max_rate;	 /* its fastest booked flow, bytes/s */
	__u64 swept_ns;	 /* when the sweep last ran (0: never) */
	__u32 flows;	 /* booked flows */
	__u32 heavy;	 /* of which heavy */
};

/*
 * mn_nic_stats[slot] (per-CPU array, MN_MAX_NICS) and
 * mn_task_stats[task_ifindex] (per-CPU hash, MN_MAX_TASKS).  multinicd
 * creates a task's entry when it attaches the egress program and deletes
 * it after detaching it; the programs only update existing entries, so a
 * packet still in flight on another CPU cannot bring a detached task's
 * entry back (it would stay forever, and a later task given the same
 * ifindex would inherit its counts).  Userspace sums the per-CPU values.
 *
 * What the programs refuse
 * ========================
 *
 * Egress (a hostile task): a packet whose source is none of the task's
 * addresses (VIPs and per-NIC addresses of that device) is dropped and
 * counted (spoofed), IPv4 and IPv6; so is every VLAN-tagged frame
 * (tagged): it would leave a NIC tagged, into a VLAN the task has no
 * business in.  Only neighbour discovery needs another source: IPv6
 * link-local or unspecified (DAD, MLD) to a link-local or multicast
 * destination; those stay on the task's link (the kernel never routes a
 * link-local source) and are left to the kernel.  ARP is not IP and goes
 * to the kernel.  DHCP (from 0.0.0.0) is not needed: a task's addresses
 * come from multinicd, nobody serves DHCP on the task's link.
 *
 * Both programs forward (the host is a router hop): the TTL or hop limit
 * is decremented; a packet that would expire, or is larger than the MTU
 * of the device it would leave by (egress: its NIC; ingress: the task's
 * device), is left to the kernel, which sends the ICMP error
 * (ttl_expired, too_big).  Ingress leaves to the kernel what is not
 * plainly for this host: VLAN-tagged frames, frames whose destination MAC
 * is not the NIC's (pkt_type other than PACKET_HOST: promiscuous mode,
 * broadcast, multicast).
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
	/* least-loaded, per NIC only: */
	__u64 flows_placed; /* flows placed on it (new, or off an unusable NIC) */
	__u64 moved_in;	    /* flows re-balanced onto it at a flowlet boundary */
	__u64 moved_out;    /* flows re-balanced away from it */
	/* egress, per task (see "What the programs refuse" below): */
	__u64 spoofed; /* dropped: the source is not one of the task's */
	__u64 tagged;  /* dropped: a VLAN-tagged frame from the task */
	/* egress and ingress: left to the kernel for its ICMP error */
	__u64 ttl_expired; /* the TTL or hop limit would reach 0 */
	__u64 too_big;	   /* larger than the NIC's (egress) or task's (ingress) MTU */
};

#ifndef __cplusplus
_Static_assert(sizeof(struct mn_bpf_nic) == 32, "struct mn_bpf_nic layout");
_Static_assert(sizeof(struct mn_config) == 16, "struct mn_config layout");
_Static_assert(sizeof(struct mn_addr_key) == 20, "struct mn_addr_key layout");
_Static_assert(sizeof(struct mn_flow_key) == 44, "struct mn_flow_key layout");
_Static_assert(sizeof(struct mn_flow) == 80, "struct mn_flow layout");
_Static_assert(sizeof(struct mn_nic_load) == 48, "struct mn_nic_load layout");
_Static_assert(sizeof(struct mn_stats) % 8 == 0,
	       "per-CPU values are 8-byte units");
#endif

#endif /* MULTINIC_MAPS_H */
