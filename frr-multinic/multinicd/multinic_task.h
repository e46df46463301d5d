// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * multinicd: tasks (container network namespaces) and their wiring.
 *
 * A task is wired once it has a netns and at least one VIP: a device pair
 * whose peer lives in the task's netns with the VIPs and a default route
 * using the VIP as source (multinic_task_netns.c), on the host a route to
 * each VIP through zebra, and the egress datapath, to which the task is
 * handed down as a wiring description (multinic_datapath.h).  Any change
 * of a task's configuration rewires it from scratch after the commit
 * (simple and always consistent; a task's configuration rarely changes
 * while it runs).
 *
 * Once a configuration has been loaded (vtysh -b after a restart) and
 * every task is wired again, the task layer says so once: the datapaths
 * then drop what an earlier multinicd left and nobody claimed, and zebra
 * what it kept for us (graceful restart).
 */
#ifndef _MULTINIC_TASK_H
#define _MULTINIC_TASK_H

#include <net/if.h>
#include <sys/types.h>

#include "lib/hook.h"
#include "lib/prefix.h"
#include "lib/typesafe.h"

#include "multinic_datapath.h"
#include "multinic_names.h"
#include "multinic_numa.h"

#define MN_NETNS_REF_MAX 255

enum mn_task_status {
	MN_TASK_INCOMPLETE, /* no netns or no VIP yet */
	MN_TASK_WAITING,    /* complete, but no NIC can carry it */
	MN_TASK_WIRED,
	MN_TASK_FAILED,
};

/*
 * A per-NIC task address: for applications that bind to one NIC, traffic
 * from it always leaves through that NIC.
 */
PREDECL_DLIST(mn_task_addrs);
struct mn_task_addr {
	struct mn_task_addrs_item item;
	char nic[IFNAMSIZ];
	bool has[AFI_MAX];
	struct prefix addr[AFI_MAX];
	bool host_route[AFI_MAX]; /* route to it sent to zebra */
};
DECLARE_DLIST(mn_task_addrs, struct mn_task_addr, item);

PREDECL_RBTREE_UNIQ(mn_tasks);
struct mn_task {
	struct mn_tasks_item item;

	/* configuration */
	char name[MN_TASK_NAME_MAX + 1];
	char netns[MN_NETNS_REF_MAX + 1];
	bool has_vip[AFI_MAX];
	struct prefix vip[AFI_MAX];
	uint32_t mtu; /* 0: smallest MTU of the NICs */
	char peer_ifname[IFNAMSIZ]; /* the task's device in its netns */
	struct mn_task_addrs_head addrs;
	bool announce; /* its VIPs and addresses are announced (bgpd_multinic) */
	struct mn_task_numa numa; /* its node: configured, or from its cgroups */

	/* state */
	enum mn_task_status status;
	char error[256];
	char host_ifname[IFNAMSIZ];
	int host_ifindex;
	enum mn_dp_device device;
	bool adopted;	   /* the pair was left by an earlier multinicd */
	bool host_if_seen; /* zebra reported the host end (its loss means the pair went) */
	bool waits_for_netns; /* WAITING because the netns is not there */
	dev_t netns_dev;   /* the wired netns's identity (nsfs inode) */
	ino_t netns_ino;
	uint32_t mtu_in_use;
	bool host_routes[AFI_MAX]; /* route to the VIP sent to zebra */
	struct event *t_rewire;
	bool rewire_pending; /* scheduled, or held back while a config loads */
};

static inline int mn_task_cmp(const struct mn_task *a, const struct mn_task *b)
{
	return strcmp(a->name, b->name);
}
DECLARE_RBTREE_UNIQ(mn_tasks, struct mn_task, item, mn_task_cmp);

extern struct mn_tasks_head mn_tasks;

/* Configuration (northbound apply phase); each schedules a rewire. */
extern struct mn_task *mn_task_add(const char *name);
extern void mn_task_del(struct mn_task *task);
extern void mn_task_set_netns(struct mn_task *task, const char *netns);
extern void mn_task_set_vip(struct mn_task *task, afi_t afi, const struct prefix *vip);
extern void mn_task_set_mtu(struct mn_task *task, uint32_t mtu);
extern void mn_task_set_peer_ifname(struct mn_task *task, const char *ifname);
extern void mn_task_set_announce(struct mn_task *task, bool announce);
extern struct mn_task_addr *mn_task_addr_add(struct mn_task *task, const char *nic);
extern void mn_task_addr_del(struct mn_task *task, struct mn_task_addr *ta);
extern void mn_task_addr_set(struct mn_task *task, struct mn_task_addr *ta, afi_t afi,
			     const struct prefix *addr);

/* Checks used by validation; write a sentence into err on failure. */
extern bool mn_task_netns_usable(const char *netns, char *err, size_t len);
/*
 * An address a task may take as far as the host is concerned: a unicast
 * address of a network, not a host interface's, not a NIC's gateway.
 * (That no two tasks take one address is checked on the candidate
 * configuration as a whole.)
 */
extern bool mn_task_addr_usable(const struct prefix *p, char *err, size_t len);

extern const char *mn_task_status_name(enum mn_task_status status);
extern struct mn_task *mn_task_find(const char *name);
/* Everything made for a task (its own objects, then the datapaths'). */
extern void mn_task_objects(const struct mn_task *task, mn_dp_object_fn fn, void *arg);

/*
 * The netns NAME (or a path under /run/netns) appeared or went: tasks
 * living there are wired again or go waiting (multinic_netns_watch.c).
 */
extern void mn_tasks_netns_changed(const char *name);
/* zebra reported a change of the task device ifname (only its task looks). */
extern void mn_tasks_device_changed(const char *ifname);

/*
 * A task's host route was sent to zebra or withdrawn, or its "announce"
 * changed: what bgpd_multinic is told about its prefixes
 * (multinic_ingress.c, beside this layer) is out of date.
 */
DECLARE_HOOK(mn_task_routes_changed, (const struct mn_task *task), (task));
/* Once after a start: every task is wired again (or failed, or waits). */
DECLARE_HOOK(mn_tasks_settled, (), ());

/* A configuration load (vtysh -b, vtysh -f) starts or ends. */
extern void mn_tasks_config_start(void);
extern void mn_tasks_config_end(void);

extern void mn_task_init(void);
/*
 * multinicd stops: the tasks are forgotten, not unwired.  Stopping is not
 * deconfiguring: every task goes on forwarding and a restarted multinicd
 * adopts it; only "no task" and "no multinic" unwire.
 */
extern void mn_task_terminate(void);

#endif /* _MULTINIC_TASK_H */
