// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * multinicd: a task's device pair and netns contents (see
 * multinic_task_netns.h).
 */
#include <zebra.h>

#include <fcntl.h>
#include <linux/magic.h>
#include <malloc.h>
#include <linux/nsfs.h>
#include <sched.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/vfs.h>

#include "lib/frrevent.h"
#include "lib/hash.h"
#include "lib/log.h"
#include "lib/memory.h"
#include "lib/typesafe.h"
#include "lib/prefix.h"

#include "multinicd.h"
#include "multinic_caps.h"
#include "multinic_debug.h"
#include "multinic_errors.h"
#include "multinic_netlink.h"
#include "multinic_task_netns.h"

DEFINE_MTYPE_STATIC(MULTINICD, MN_TASK_DEVICE, "multinic task device name");

/*
 * Which host device each task's alias marks: read from the kernel once
 * (the first wiring after multinicd started), then kept up to date as
 * pairs are made and removed.
 */
PREDECL_HASH(task_devices);
struct task_device {
	struct task_devices_item item;
	char task[MN_TASK_NAME_MAX + 1];
	char ifname[IFNAMSIZ];
};

static int task_device_cmp(const struct task_device *a, const struct task_device *b)
{
	return strcmp(a->task, b->task);
}

static uint32_t task_device_hash(const struct task_device *d)
{
	return string_hash_make(d->task);
}

DECLARE_HASH(task_devices, struct task_device, item, task_device_cmp, task_device_hash);

static struct task_devices_head task_devices;
static bool task_devices_read;

static struct task_device *task_device_lookup(const char *task)
{
	struct task_device key = {};

	strlcpy(key.task, task, sizeof(key.task));
	return task_devices_find(&task_devices, &key);
}

static void task_device_set(const char *task, const char *ifname)
{
	struct task_device *d = task_device_lookup(task);

	if (!d) {
		d = XCALLOC(MTYPE_MN_TASK_DEVICE, sizeof(*d));
		strlcpy(d->task, task, sizeof(d->task));
		task_devices_add(&task_devices, d);
	}
	strlcpy(d->ifname, ifname, sizeof(d->ifname));
}

/* ifname NULL: whatever device it was */
static void task_device_forget(const char *task, const char *ifname)
{
	struct task_device *d = task_device_lookup(task);

	if (!d || (ifname && strcmp(d->ifname, ifname)))
		return;
	task_devices_del(&task_devices, d);
	XFREE(MTYPE_MN_TASK_DEVICE, d);
}

static const char *const task_gw_str[AFI_MAX] = {
	[AFI_IP] = "169.254.1.1",
	[AFI_IP6] = "fe80::1",
};

const char *mn_task_gateway(afi_t afi)
{
	return task_gw_str[afi];
}

const char *mn_task_device_name(enum mn_dp_device device)
{
	return device == MN_DP_DEV_NETKIT ? "netkit" : "veth";
}

#ifndef NSFS_MAGIC
#define NSFS_MAGIC 0x6e736673
#endif

/* path names the same namespace as ours (the file at other). */
static bool same_netns(const struct stat *st, const char *other)
{
	struct stat o;

	return stat(other, &o) == 0 && o.st_dev == st->st_dev && o.st_ino == st->st_ino;
}

/*
 * Looked at without opening anything but a namespace file: opening a
 * FIFO would block the daemon, opening a device node can have effects
 * (a watchdog starts ticking).  nsfs files are regular files on nsfs.
 */
int mn_task_netns_probe(const char *path, struct stat *id, char *err, size_t len)
{
	struct statfs sfs;
	struct stat st;
	int fd, type;

	if (stat(path, &st) < 0) {
		if (errno == ENOENT)
			snprintf(err, len, "network namespace %s does not exist", path);
		else
			snprintf(err, len, "cannot look at network namespace %s: %s", path,
				 safe_strerror(errno));
		return -errno;
	}
	if (!S_ISREG(st.st_mode) || statfs(path, &sfs) < 0 || sfs.f_type != NSFS_MAGIC) {
		snprintf(err, len, "%s is not a network namespace", path);
		return -EINVAL;
	}
	/* the host's namespace: tasks would get the host's own routes */
	if (same_netns(&st, "/proc/self/ns/net") || same_netns(&st, "/proc/1/ns/net")) {
		snprintf(err, len,
			 "%s is the host's own network namespace (multinicd's); a task needs a namespace of its own",
			 path);
		return -EINVAL;
	}
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
	if (fd < 0) {
		snprintf(err, len, "cannot open network namespace %s: %s", path,
			 safe_strerror(errno));
		return -errno;
	}
	type = ioctl(fd, NS_GET_NSTYPE);
	close(fd);
	if (type != CLONE_NEWNET) {
		snprintf(err, len, "%s is not a network namespace", path);
		return -EINVAL;
	}
	if (id)
		*id = st;
	return 0;
}

/*
 * The host end's link-local address is usable at once: duplicate address
 * detection on a link whose only other end is the task's own device finds
 * nothing, and while it runs (a second or more) the host cannot resolve
 * the task's IPv6 addresses (a neighbour solicitation needs a usable
 * link-local source), so IPv6 to a freshly wired task stalled on the
 * kernel path.  Set while the device is still down, before DAD starts.
 * Called with privileges raised (sysctl checks CAP_NET_ADMIN on write).
 */
static void host_end_no_dad(const char *ifname)
{
	char path[64 + IFNAMSIZ];
	bool ok = false;
	int fd;

	snprintf(path, sizeof(path), "/proc/sys/net/ipv6/conf/%s/accept_dad", ifname);
	fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd >= 0) {
		ok = write(fd, "0\n", 2) == 2;
		close(fd);
	}
	if (!ok)
		flog_warn(EC_MULTINIC_SYSFS, "cannot set %s: %s", path, safe_strerror(errno));
}

/* The device pair: netkit when the kernel has it, else veth. */
static int pair_create(const struct mn_task_wiring *w, const struct mn_nl_ns *ns, uint32_t mtu,
		       struct mn_task_pair *pair, char *err, size_t len)
{
	int peer_ifindex, ret;

	if (multinic_caps.has.netkit) {
		ret = mn_nl_netkit_create(w->host_ifname, w->peer_ifname, ns, mtu,
					  &pair->host_ifindex, &peer_ifindex, err, len);
		if (ret == 0) {
			pair->device = MN_DP_DEV_NETKIT;
			return 0;
		}
	}
	ret = mn_nl_veth_create(w->host_ifname, w->peer_ifname, ns, mtu, &pair->host_ifindex,
				&peer_ifindex, err, len);
	if (ret == 0)
		pair->device = MN_DP_DEV_VETH;
	return ret;
}

/* What a host link of the task's device name is, before wiring. */
enum pair_state {
	PAIR_ABSENT,	  /* no such link: create the pair */
	PAIR_ADOPTABLE,	  /* our pair, its peer in the task's netns: keep it */
	PAIR_OURS_BROKEN, /* marked as this task's, but its peer is not there */
	PAIR_FOREIGN,	  /* another task's, or not ours at all: leave it */
};

/*
 * A restarted multinicd keeps the device pair an earlier instance left:
 * forwarding goes on through it meanwhile (the pinned eBPF programs, or
 * the kernel routes and rules, which zebra keeps for us thanks to
 * graceful restart, multinic_zapi.c), and recreating it would cut the
 * task off and make bgpd withdraw its VIPs.  The pair is this task's when
 * its alias says so (or it has none: multinicd 0.1 set none) and the
 * host end's peer is the task's device (w->peer_ifname) in its netns; what
 * belongs inside is then re-added where missing.  A link marked for
 * another task, or whose peer lives elsewhere, is never touched: the
 * task takes another name (multinic_names.h).
 */
static enum pair_state pair_inspect(const struct mn_task_wiring *w, const struct mn_nl_ns *host,
				    const struct mn_nl_ns *ns, struct mn_task_pair *pair)
{
	struct mn_nl_link_attrs at;
	const char *owner;

	if (mn_nl_link_attrs(host, w->host_ifname, &at, NULL, 0) < 0)
		return PAIR_ABSENT;
	owner = mn_task_of_alias(at.alias);
	if (owner && strcmp(owner, w->name))
		return PAIR_FOREIGN;
	if (at.iflink <= 0 || mn_nl_link_index(ns, w->peer_ifname) != at.iflink)
		return owner ? PAIR_OURS_BROKEN : PAIR_FOREIGN;
	pair->host_ifindex = at.ifindex;
	/* the kind decides the hook its pinned program sits on */
	pair->device = strmatch(at.kind, "netkit") ? MN_DP_DEV_NETKIT : MN_DP_DEV_VETH;
	return PAIR_ADOPTABLE;
}

/* Mark the host end as this task's: found again after a restart. */
static int pair_mark(const struct mn_task_wiring *w, const struct mn_nl_ns *host, char *err,
		     size_t len)
{
	char alias[64];

	mn_task_alias(w->name, alias, sizeof(alias));
	task_device_set(w->name, w->host_ifname);
	return mn_nl_link_set_alias(host, w->host_ifname, alias, err, len);
}

/* An address that is already there is fine on an adopted pair. */
static int addr_add(const struct mn_nl_ns *ns, const char *dev, const struct prefix *p,
		    bool adopted, char *err, size_t len)
{
	int ret = mn_nl_addr_add(ns, dev, p, err, len);

	return ret == -EEXIST && adopted ? 0 : ret;
}

/* Inside the netns: one family's VIP, gateway neighbour, default route. */
static int family_setup(const struct prefix *vip, const struct mn_nl_ns *ns, const char *dev,
			const uint8_t *host_mac, bool adopted, char *err, size_t len)
{
	afi_t afi = family2afi(vip->family);
	struct mn_nl_route route = {};
	struct prefix gw;
	int ret;

	str2prefix(task_gw_str[afi], &gw);
	ret = addr_add(ns, dev, vip, adopted, err, len);
	/* netkit is L3: no neighbours, the route is on the link */
	if (ret == 0 && host_mac)
		ret = mn_nl_neigh_add(ns, dev, &gw, host_mac, err, len);
	if (ret)
		return ret;
	route.dst.family = vip->family;
	route.gw = host_mac ? &gw : NULL;
	route.src = vip;
	route.ifname = dev;
	return mn_nl_route_add(ns, &route, err, len);
}

/*
 * The VIPs with their default routes, then the per-NIC addresses beside
 * them (the application binds to one; the datapath's per-NIC steering
 * does the rest).
 */
static int netns_setup(const struct mn_task_wiring *w, const struct mn_nl_ns *ns, uint32_t mtu,
		       const uint8_t *host_mac, bool adopted, char *err, size_t len)
{
	unsigned int i;
	afi_t afi;
	int ret;

	ret = mn_nl_link_up(ns, w->peer_ifname, mtu, err, len);
	for (afi = AFI_IP; afi <= AFI_IP6 && ret == 0; afi++)
		if (w->has_vip[afi])
			ret = family_setup(&w->vip[afi], ns, w->peer_ifname, host_mac, adopted, err,
					   len);
	for (i = 0; i < w->naddrs && ret == 0; i++)
		ret = addr_add(ns, w->peer_ifname, &w->addrs[i].addr, adopted, err, len);
	return ret;
}

/* Adopt the pair that is there, or make one. */
static int pair_ensure(const struct mn_task_wiring *w, const struct mn_nl_ns *host,
		       const struct mn_nl_ns *ns, uint32_t mtu, struct mn_task_pair *pair,
		       char *err, size_t len)
{
	int ret;

	switch (pair_inspect(w, host, ns, pair)) {
	case PAIR_ADOPTABLE:
		pair->adopted = true;
		zlog_info("task %s: adopting %s <-> %s left by an earlier multinicd", w->name,
			  w->host_ifname, w->peer_ifname);
		break;
	case PAIR_FOREIGN:
		snprintf(err, len, "device name %s is held by another device", w->host_ifname);
		return -EADDRINUSE;
	case PAIR_OURS_BROKEN:
		/* ours, but its peer is gone (the netns was replaced): recreate */
		mn_nl_link_delete(host, w->host_ifname, NULL, 0);
		/* fallthrough */
	case PAIR_ABSENT:
		ret = pair_create(w, ns, mtu, pair, err, len);
		if (ret)
			return ret;
		host_end_no_dad(w->host_ifname);
		break;
	}
	return pair_mark(w, host, err, len);
}

/* A task's named or path-given netns, opened for the netlink calls; its fd. */
static int task_ns_open(const char *netns, struct mn_nl_ns *ns, char *err, size_t len)
{
	char path[PATH_MAX];
	int fd;

	mn_netns_path(netns, path, sizeof(path));
	fd = mn_nl_netns_open(path, err, len);
	if (fd >= 0)
		*ns = (struct mn_nl_ns){ .fd = fd, .name = netns };
	return fd;
}

int mn_task_netns_wire(const struct mn_task_wiring *w, const char *netns, uint32_t mtu,
		       struct mn_task_pair *pair, char *err, size_t len)
{
	struct mn_nl_ns host = MN_NL_NS_HOST, ns;
	struct stat st;
	uint8_t mac[6];
	bool has_mac;
	int fd, ret;

	memset(pair, 0, sizeof(*pair));
	mn_task_netns_retired_flush(); /* a retired pair may still hold the names */
	fd = task_ns_open(netns, &ns, err, len);
	if (fd < 0)
		return fd;
	/* the namespace's identity: a netns re-created at the same path differs */
	if (fstat(fd, &st) == 0) {
		pair->netns_dev = st.st_dev;
		pair->netns_ino = st.st_ino;
	}
	/* one socket each for the dozen requests below (called with privileges) */
	mn_nl_ns_hold(&host);
	mn_nl_ns_hold(&ns);
	ret = pair_ensure(w, &host, &ns, mtu, pair, err, len);
	if (ret == 0)
		ret = mn_nl_link_up(&host, w->host_ifname, 0, err, len);
	if (ret == 0) {
		has_mac = mn_nl_link_mac(&host, w->host_ifname, mac, NULL, 0) == 0;
		ret = netns_setup(w, &ns, mtu, has_mac ? mac : NULL, pair->adopted, err, len);
	}
	mn_nl_ns_release(&ns);
	mn_nl_ns_release(&host);
	close(fd);
	if (ret == 0)
		DEBUGD(&mn_dbg_task, "task %s: %s %s <-> %s in netns %s %s", w->name,
		       mn_task_device_name(pair->device), w->host_ifname, w->peer_ifname,
		       netns, pair->adopted ? "adopted" : "created");
	return ret;
}

/*
 * A netkit peer is born blackholed: the task sends nothing until its
 * datapath is in place.  Once it is (the kernel rules, and in eBPF mode
 * mn_egress on the peer hook), the policy becomes forward: it only
 * applies while no program is attached, and then the kernel path must
 * carry the task (kernel mode, or eBPF detached: auto falling back).
 */
int mn_task_netns_open(const char *host_ifname, enum mn_dp_device device, char *err, size_t len)
{
	if (device != MN_DP_DEV_NETKIT)
		return 0;
	return mn_nl_netkit_set_peer_policy(host_ifname, true, err, len);
}

int mn_task_netns_unwire(const char *task, const char *host_ifname, char *err, size_t len)
{
	struct mn_nl_ns host = MN_NL_NS_HOST;
	int ret;

	task_device_forget(task, host_ifname);
	/* Deleting our end deletes the peer and all that lives on it. */
	frr_with_privs (&multinic_privs)
		ret = mn_nl_link_delete(&host, host_ifname, err, len);
	return ret;
}

/*
 * Retired pairs.  A link deletion waits out an RCU grace period (20-30 ms
 * measured here) before the next request is served: a thousand tasks
 * removed in one commit kept multinicd blocked for 39 s.  A pair whose
 * task is gone is set down at once (nothing passes it any more) and into
 * MN_TASK_RETIRED_GROUP; once the event loop is through with the current
 * work, the whole group goes in one request, one grace period for all.
 * A device left in the group by a multinicd that stopped meanwhile is an
 * unclaimed task device at the next start's reconcile.
 */
#define MN_TASK_RETIRED_GROUP 0x6d6e7274 /* "mnrt" */

static struct event *t_retired;
static unsigned int retired_pending;

/*
 * Giving memory back after many tasks went.  glibc keeps what a burst of
 * tasks freed (their interfaces, connected addresses, northbound and
 * libnl objects) in its heap, spread over pages that hold a few live
 * objects, so a host that ran a thousand tasks and now runs ten would
 * keep the thousand's RSS.  malloc_trim() hands every wholly free page
 * back (MADV_DONTNEED inside the heap, not only its top).  It walks the
 * free lists, about a millisecond per 10 MB: only after a bulk deletion,
 * and only once zebra has told us the devices are gone (their
 * interfaces are freed on those messages), hence the delay.
 */
#define MN_TASK_TRIM_MIN_RETIRED 16
#define MN_TASK_TRIM_DELAY_MS	 2000

static struct event *t_trim;

static void memory_trim(struct event *t)
{
#ifdef __GLIBC__
	malloc_trim(0);
#endif
}

void mn_task_netns_retired_flush(void)
{
	struct mn_nl_ns host = MN_NL_NS_HOST;
	char err[256];
	int ret;

	event_cancel(&t_retired);
	if (!retired_pending)
		return;
	frr_with_privs (&multinic_privs)
		ret = mn_nl_link_group_delete(&host, MN_TASK_RETIRED_GROUP, err, sizeof(err));
	if (ret < 0 && ret != -ENODEV)
		zlog_warn("cannot delete %u retired task device(s): %s", retired_pending, err);
	else
		DEBUGD(&mn_dbg_task, "%u retired task device(s) deleted", retired_pending);
	if (retired_pending >= MN_TASK_TRIM_MIN_RETIRED) {
		event_cancel(&t_trim);
		event_add_timer_msec(master, memory_trim, NULL, MN_TASK_TRIM_DELAY_MS, &t_trim);
	}
	retired_pending = 0;
}

static void retired_delete(struct event *t)
{
	mn_task_netns_retired_flush();
}

static int device_retire(const char *ifname, char *err, size_t len)
{
	struct mn_nl_ns host = MN_NL_NS_HOST;
	int ret;

	frr_with_privs (&multinic_privs)
		ret = mn_nl_link_retire(&host, ifname, MN_TASK_RETIRED_GROUP, err, len);
	if (ret < 0)
		return ret;
	retired_pending++;
	event_add_event(master, retired_delete, NULL, 0, &t_retired);
	return 0;
}

int mn_task_netns_retire(const char *task, const char *host_ifname, char *err, size_t len)
{
	task_device_forget(task, host_ifname);
	return device_retire(host_ifname, err, len);
}

/*
 * The task devices on the host
 */

struct devices_walk {
	bool index; /* reading the marks into task_devices, not reconciling */
	bool (*keep)(const char *task, const char *ifname, void *arg);
	void *arg;
	unsigned int removed;
};

/*
 * multinicd 0.1 marked nothing: its devices are known by their names
 * ("mn-" + a task name, "mn" + 8 hex digits) and their kind.
 */
static bool legacy_task_device(const struct mn_nl_link_info *link)
{
	const char *n = link->ifname;
	size_t i;

	if (link->alias[0] || (strcmp(link->kind, "veth") && strcmp(link->kind, "netkit")))
		return false;
	if (!strncmp(n, "mn-", 3) && n[3])
		return true;
	if (strncmp(n, "mn", 2) || strlen(n) != 10)
		return false;
	for (i = 2; i < 10; i++)
		if (!isxdigit((unsigned char)n[i]) || isupper((unsigned char)n[i]))
			return false;
	return true;
}

static void device_seen(const struct mn_nl_link_info *link, void *arg)
{
	struct devices_walk *walk = arg;
	struct mn_nl_ns host = MN_NL_NS_HOST;
	const char *task = mn_task_of_alias(link->alias);
	char err[256];

	if (walk->index) {
		if (task)
			task_device_set(task, link->ifname);
		return;
	}
	if (!task && !legacy_task_device(link))
		return;
	if (walk->keep(task, link->ifname, walk->arg))
		return;
	if (device_retire(link->ifname, err, sizeof(err)) < 0) {
		zlog_warn("cannot remove %s, left by an earlier multinicd: %s", link->ifname, err);
		return;
	}
	if (task)
		task_device_forget(task, link->ifname);
	zlog_info("removed %s (%s), left by an earlier multinicd for %s%s", link->ifname,
		  link->kind, task ? "task " : "a task no longer configured",
		  task ? task : "");
	walk->removed++;
}

bool mn_task_device_find(const char *task, char *ifname, size_t len)
{
	struct mn_nl_ns host = MN_NL_NS_HOST;
	struct devices_walk walk = { .index = true };
	const struct task_device *d;
	char err[256];

	if (!task_devices_read) {
		frr_with_privs (&multinic_privs)
			if (mn_nl_links_dump(&host, device_seen, &walk, err, sizeof(err)) < 0)
				zlog_warn("cannot read the task devices on the host: %s", err);
		task_devices_read = true;
	}
	d = task_device_lookup(task);
	if (d)
		strlcpy(ifname, d->ifname, len);
	return d != NULL;
}

unsigned int mn_task_devices_reconcile(bool (*keep)(const char *task, const char *ifname,
						    void *arg),
				       void *arg)
{
	struct mn_nl_ns host = MN_NL_NS_HOST;
	struct devices_walk walk = { .keep = keep, .arg = arg };
	char err[256];
	int ret;

	frr_with_privs (&multinic_privs)
		ret = mn_nl_links_dump(&host, device_seen, &walk, err, sizeof(err));
	if (ret < 0)
		zlog_warn("cannot look for devices an earlier multinicd left: %s", err);
	return walk.removed;
}

void mn_task_devices_init(void)
{
	task_devices_init(&task_devices);
}

void mn_task_devices_fini(void)
{
	struct task_device *d;

	mn_task_netns_retired_flush();
	event_cancel(&t_trim);
	while ((d = task_devices_pop(&task_devices)))
		XFREE(MTYPE_MN_TASK_DEVICE, d);
	task_devices_fini(&task_devices);
}

int mn_task_netns_set_mtu(const char *netns, const char *host_ifname, const char *peer_ifname,
			  uint32_t mtu, char *err, size_t len)
{
	struct mn_nl_ns host = MN_NL_NS_HOST, ns;
	int fd, ret;

	fd = task_ns_open(netns, &ns, err, len);
	if (fd < 0)
		return fd;
	/* the peer first: the host end must never take more than the task sends */
	ret = mn_nl_link_up(&ns, peer_ifname, mtu, err, len);
	if (ret == 0)
		ret = mn_nl_link_up(&host, host_ifname, mtu, err, len);
	close(fd);
	return ret;
}
