// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * multinicd: the contract between the datapath switch (multinic_datapath.c)
 * and the datapaths behind it (multinic_kernel.c, multinic_ebpf.c): what
 * is handed down (NICs, task wirings, the configuration), the operations
 * a datapath offers, and what it reports for show commands.
 *
 * A datapath includes this header only: it knows neither the switch nor
 * the NIC and task layers above it.
 */
#ifndef _MULTINIC_DATAPATH_OPS_H
#define _MULTINIC_DATAPATH_OPS_H

#include <limits.h>
#include <net/if.h>

#include "lib/ipaddr.h"
#include "lib/nexthop.h"
#include "lib/prefix.h"

#include "multinic_datapath_select.h"
#include "multinic_names.h"
#include "multinic_numa_policy.h"

/* A selected NIC, as the datapaths see it. */
struct mn_dp_nic {
	char name[IFNAMSIZ];
	ifindex_t ifindex;
	bool up;	 /* operative: may carry flows */
	uint16_t weight; /* 1..MN_WEIGHT_MAX (multinic_nic_policy.h) */
	bool has_gw[AFI_MAX];
	union g_addr gw[AFI_MAX]; /* configured, else the default route's */
	int numa_node; /* MN_NUMA_NODE_NONE when unknown */
	bool loaded;   /* past the spill threshold (mn_numa_nic_loaded()) */
};

/* The task's device pair. */
enum mn_dp_device {
	MN_DP_DEV_VETH,
	MN_DP_DEV_NETKIT,
};

/* A per-NIC task address: its traffic always leaves through that NIC. */
struct mn_dp_task_addr {
	char nic[IFNAMSIZ];
	ifindex_t nic_ifindex; /* the NIC's interface */
	struct prefix addr;
};

/*
 * What the task layer hands down for a wired task: everything a datapath
 * needs to steer its traffic.  Valid during the call only: a datapath
 * copies what it keeps.
 */
struct mn_task_wiring {
	const char *name;
	const char *host_ifname; /* the host end of the device pair */
	const char *peer_ifname; /* its peer, in the task's netns */
	ifindex_t host_ifindex;
	enum mn_dp_device device;
	bool adopted; /* the pair was left by an earlier multinicd, not created now */
	bool has_vip[AFI_MAX];
	struct prefix vip[AFI_MAX];
	unsigned int naddrs;
	const struct mn_dp_task_addr *addrs;
	int numa_node; /* MN_NUMA_NODE_NONE when unknown */
};

/* The configuration the datapaths follow. */
struct mn_dp_config {
	bool configured; /* the "multinic" container exists */
	enum mn_egress_mode egress_mode;
	enum mn_placement_mode placement;
	/* placement least-loaded (0: the datapath's default) */
	uint32_t flowlet_timeout_ms;
	uint32_t rebalance_interval_ms;
	/* which NICs a task's new flows use (mn_numa_members()) */
	enum mn_numa_policy numa_policy;
	enum mn_steering_mode steering;
	const struct mn_numa_topology *topology; /* the host's nodes and CPUs */
};

/*
 * One object a datapath made for a task, for "show multinic task": kind
 * ("rule", "bpf-link", "nexthop-group"), where it lives ("host"), whether
 * it is in place now, and what it is.
 */
typedef void (*mn_dp_object_fn)(void *arg, const char *kind, const char *where, bool present,
				const char *what);

/* Packet counters of a datapath, summed over the CPUs. */
struct mn_dp_counters {
	uint64_t tx_packets, tx_bytes;
	uint64_t rx_packets, rx_bytes;
	uint64_t fallback, local, redirect_errors;
	/* placement least-loaded, per NIC */
	uint64_t flows_placed;	      /* new flows, and flows off an unusable NIC */
	uint64_t moved_in, moved_out; /* re-balanced at flowlet boundaries */
	/* a hostile task: dropped (bpf/multinic_maps.h, nftables in kernel mode) */
	uint64_t spoofed; /* its source is not one of the task's addresses */
	uint64_t tagged;  /* a VLAN-tagged frame */
	/* left to the kernel, which sends the ICMP error */
	uint64_t ttl_expired, too_big;
};

/* A NIC's load under placement least-loaded (bpf/multinic_maps.h). */
struct mn_dp_nic_load {
	bool valid;
	double load;	  /* booked flows in heavy-flow equivalents */
	uint32_t flows;	  /* booked flows at the last sweep */
	uint32_t heavy;	  /* of which heavy (carrying bulk data) */
	uint64_t rate;	  /* bytes/s of its flows at the last sweep */
	int64_t swept_ms; /* since the last sweep, -1: never swept */
};

/* A task's egress packets by the node of the NIC they left through. */
struct mn_dp_numa_counters {
	uint64_t local_packets, local_bytes;   /* through a NIC of the task's node */
	uint64_t remote_packets, remote_bytes; /* through another node's NIC */
	/* received: by the node of the CPU that handed them to the task */
	uint64_t rx_local_packets, rx_remote_packets;
};

/* How a NIC steers what it receives (receive-steering), for show commands. */
struct mn_dp_steer_view {
	enum mn_steer_method method;
	char why[160];	   /* the probe's finding, or why not steered */
	char detail[160];  /* e.g. "XDP native, pinned /sys/fs/bpf/..."; "" */
	char found[192];   /* what the probe saw on the NIC */
	struct mn_steer_caps caps;
	uint64_t steered;  /* packets sent to another node's CPU */
	uint64_t on_node;  /* packets already on a CPU of their task's node */
	uint64_t no_cpu;   /* their task's node has no CPU in the map */
	uint64_t errors;   /* the redirect failed: left where they were */
};

/* How the eBPF datapath holds a NIC, for show commands. */
struct mn_dp_nic_view {
	uint32_t slot;	  /* of the maps */
	const char *hook; /* "tcx ingress", "clsact ingress"; "" when not attached */
	char link[PATH_MAX]; /* pin path of its link; "" when none (clsact) */
	struct mn_dp_counters counters;
	struct mn_dp_nic_load load;
};

/* A flow booked by placement least-loaded, for "show multinic flows". */
struct mn_dp_flow {
	struct ipaddr src, dst;
	uint16_t sport, dport; /* host order */
	uint8_t proto;
	char nic[IFNAMSIZ]; /* its NIC, "" when its slot is free */
	uint64_t rate;	    /* bytes/s over the last sweep interval */
	uint64_t bytes;	    /* sent, payload-carrying packets */
	uint64_t age_ms;    /* since its first packet */
	uint64_t idle_ms;   /* since its latest packet */
	uint32_t moves;	    /* re-balanced at flowlet boundaries */
	int64_t moved_ms;   /* since its last move, -1: never moved */
	bool heavy;	    /* counts as a bulk flow on its NIC */
	bool rated;	    /* has a measured rate (else too young) */
};

typedef void (*mn_dp_flow_fn)(void *arg, const struct mn_dp_flow *f);

/*
 * A datapath.  Every callback is optional.  Those returning int return 0
 * or a negative errno and then write one sentence into err saying what
 * failed and why.
 */
struct mn_datapath_ops {
	const char *name;
	/*
	 * active: this datapath is to carry tasks from now on (false: take
	 * off what it put up, once the configuration is known).
	 */
	int (*config_changed)(const struct mn_dp_config *cfg, bool active, char *err, size_t len);
	/* The selected NICs or any of their attributes changed. */
	int (*nics_changed)(const struct mn_dp_nic *nics, unsigned int n, char *err, size_t len);
	int (*task_attach)(const struct mn_task_wiring *w, char *err, size_t len);
	void (*task_detach)(const char *name);
	/* An attached task's node changed (its cpuset, or "numa-node"). */
	int (*task_numa_changed)(const char *name, int node, char *err, size_t len);
	/*
	 * The configuration has been loaded and every task is wired again
	 * (or failed): what an earlier multinicd left and nobody claimed may
	 * go now.
	 */
	void (*tasks_settled)(void);
	/* egress-mode auto fell back: take everything off. */
	void (*stop)(void);
	/* multinicd stops: release memory, leave the kernel state in place. */
	void (*terminate)(void);

	/* Show: the datapath carrying an attached task, MN_DP_NONE if not attached. */
	enum mn_datapath (*task_datapath)(const char *name);
	void (*task_objects)(const char *name, mn_dp_object_fn fn, void *arg);
	bool (*task_counters)(const char *name, struct mn_dp_counters *c);
	bool (*nic_view)(ifindex_t ifindex, struct mn_dp_nic_view *v);
	/*
	 * Placement least-loaded's booked flows, NIC by NIC (in slot order),
	 * fastest first; returns how many, -1 when there is no flow table.
	 */
	int (*flows)(mn_dp_flow_fn fn, void *arg);
	bool (*task_numa_counters)(const char *name, struct mn_dp_numa_counters *c);
	bool (*nic_steering)(ifindex_t ifindex, struct mn_dp_steer_view *v);
};

#endif /* _MULTINIC_DATAPATH_OPS_H */
