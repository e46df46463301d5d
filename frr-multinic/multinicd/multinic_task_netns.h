// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * multinicd: a task's device pair and what lives inside its network
 * namespace (the task layer's own kernel objects; the datapaths steer
 * its traffic on the host).
 *
 * The pair is netkit where the kernel has it, else veth; the peer
 * (w->peer_ifname, by default MN_TASK_PEER_IFNAME) sits in the task's netns with the VIPs and per-NIC
 * addresses, a default route per family from the VIP through the task
 * gateway (a link-local address answered by a permanent neighbour entry
 * for the host end's MAC: the Calico pattern, so the task needs no address
 * of the host and the host neither proxy ARP nor an address on the link).
 */
#ifndef _MULTINIC_TASK_NETNS_H
#define _MULTINIC_TASK_NETNS_H

#include <sys/stat.h>
#include <sys/types.h>

#include "lib/prefix.h"

#include "multinic_datapath.h"

/* Default name of the task's device inside its netns (leaf "ifname"). */
#define MN_TASK_PEER_IFNAME "mn0"

/* The task gateway of a family: "169.254.1.1", "fe80::1". */
extern const char *mn_task_gateway(afi_t afi);

/* "veth", "netkit". */
extern const char *mn_task_device_name(enum mn_dp_device device);

/*
 * path is a network namespace a task may use: an nsfs file of type net,
 * not the host's own (multinicd's, init's).  Opens nothing else (no FIFO,
 * no device node).  0 with *id its stat (may be NULL), or a negative
 * errno with err set ("... does not exist" for -ENOENT).
 */
extern int mn_task_netns_probe(const char *path, struct stat *id, char *err, size_t len);

/* What wiring made of the device pair. */
struct mn_task_pair {
	ifindex_t host_ifindex;
	enum mn_dp_device device;
	bool adopted; /* left by an earlier multinicd, not created */
	/* the netns's identity (its nsfs inode) */
	dev_t netns_dev;
	ino_t netns_ino;
};

/*
 * Create (or adopt, after a restart) the task's device pair w->host_ifname
 * <-> w->peer_ifname in netns, with the given MTU, and set up the
 * netns: w's VIPs and per-NIC addresses, gateway neighbours, default
 * routes.  Returns 0 with *pair filled in, or a negative errno with err
 * set: -EADDRINUSE when the name is held by a device that is not this
 * task's (the caller tries another name).  Called with privileges.
 */
extern int mn_task_netns_wire(const struct mn_task_wiring *w, const char *netns, uint32_t mtu,
			      struct mn_task_pair *pair, char *err, size_t len);

/*
 * The netkit peer leaves its initial blackhole once the datapath is in
 * place (no-op on veth).  Called with privileges.
 */
extern int mn_task_netns_open(const char *host_ifname, enum mn_dp_device device, char *err,
			      size_t len);

/* A wired pair's MTU, on both ends, in place.  Called with privileges. */
extern int mn_task_netns_set_mtu(const char *netns, const char *host_ifname,
				 const char *peer_ifname, uint32_t mtu, char *err, size_t len);

/* Delete the task's pair (the peer and everything on it go with it). */
extern int mn_task_netns_unwire(const char *task, const char *host_ifname, char *err, size_t len);
/*
 * The same for a task that is gone: the pair is set down now and deleted
 * with all others retired meanwhile, at the next pass of the event loop
 * (link deletions are slow one by one, fast together).
 */
extern int mn_task_netns_retire(const char *task, const char *host_ifname, char *err, size_t len);
/* Delete the retired pairs now (done before wiring and when stopping). */
extern void mn_task_netns_retired_flush(void);

/*
 * The host device an alias marks as the task's (made by an earlier
 * multinicd, whatever its name).
 */
extern bool mn_task_device_find(const char *task, char *ifname, size_t len);

/*
 * Remove the task devices (marked by an alias, or named as multinicd 0.1
 * named them) that keep() does not claim: task is the alias's task, NULL
 * for an unmarked one.  Returns how many went.
 */
extern unsigned int mn_task_devices_reconcile(bool (*keep)(const char *task, const char *ifname,
							   void *arg),
					      void *arg);

extern void mn_task_devices_init(void);
extern void mn_task_devices_fini(void);

#endif /* _MULTINIC_TASK_NETNS_H */
