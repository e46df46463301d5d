// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * multinicd: eBPF egress datapath (netkit, veth + tcx, veth + clsact).
 */
#include <zebra.h>

#include <dirent.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <linux/magic.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "lib/frrevent.h"
#include "lib/hook.h"
#include "lib/if.h"
#include "lib/log.h"
#include "lib/memory.h"
#include "lib/vrf.h"

#include "multinicd.h"
#include "multinic_caps.h"
#include "multinic_ebpf.h"
#include "multinic_errors.h"
#include "multinic_kernel.h"
#include "multinic_maglev.h"
#include "multinic_nic.h"
#include "multinic_task.h"

/*
 * The map contract names its NIC entry struct mn_nic, as multinic_nic.h
 * names the NIC state: here the map's is struct mn_bpf_nic.
 */
#define mn_nic mn_bpf_nic
#include "multinicd/bpf/multinic_maps.h"
#undef mn_nic
#include "multinicd/bpf/egress.skel.h"
#include "multinicd/bpf/ingress.skel.h"

DEFINE_MTYPE_STATIC(MULTINICD, MN_EBPF_ADDRS, "multinic eBPF address set");

#define BPFFS "/sys/fs/bpf"

/* A NIC slot of the maps, and mn_ingress on that NIC. */
struct ebpf_slot {
	ifindex_t ifindex; /* 0: free */
	char name[IFNAMSIZ];
	bool attached;	       /* mn_ingress is on the NIC */
	struct bpf_link *link; /* its pinned link (tcx), NULL on clsact */
};

/* Where a program runs on a device. */
enum ebpf_hook {
	HOOK_TCX,    /* tcx ingress: a pinned link */
	HOOK_NETKIT, /* BPF_NETKIT_PEER of a netkit primary: a pinned link */
	HOOK_CLSACT, /* a cls_bpf filter on clsact ingress: nothing to pin */
};

static struct {
	bool loaded;
	bool failed; /* loading failed: do not retry on every event */
	/*
	 * Until settled, maps are only added to: a restarted multinicd does
	 * not yet know every NIC the pinned maps use.
	 */
	bool settled;
	/*
	 * A restarted multinicd gets its configuration after it starts
	 * (vtysh -b): until then its tasks are unknown, and dropping their
	 * pinned addresses would cut them off.
	 */
	bool config_done;
	/* everything is off the hooks (ebpf_stop()): nothing to do again */
	bool stopped;
	struct event *t_settle;
	struct egress_bpf *egress;
	struct ingress_bpf *ingress;
	struct ebpf_slot slots[MN_MAX_NICS];
	/* what the pinned mn_nics held at load (adopted from a restart) */
	ifindex_t adopted[MN_MAX_NICS];
} eb;

struct addr_entry {
	struct mn_addr_key key;
	struct mn_addr val;
};

static void ebpf_sync(void);
static void ebpf_stop(void);
static void addrs_write(void);

bool mn_ebpf_supported(char *why, size_t len)
{
	char reason[256];
	enum mn_datapath dp;

	dp = mn_datapath_select(MN_EGRESS_EBPF, &multinic_caps.has, reason, sizeof(reason));
	if (dp == MN_DP_NONE) {
		snprintf(why, len, "%s", reason + strlen("none: "));
		return false;
	}
	return true;
}

bool mn_ebpf_active(void)
{
	char reason[256];
	enum mn_datapath dp;

	if (!multinic_cfg.configured)
		return false;
	dp = mn_datapath_in_use(reason, sizeof(reason));
	return dp == MN_DP_NETKIT || dp == MN_DP_VETH_TCX || dp == MN_DP_VETH_CLSACT;
}

/*
 * Loading
 */

static int bpffs_ready(void)
{
	struct statfs st;

	if (statfs(BPFFS, &st) < 0 || st.f_type != BPF_FS_MAGIC) {
		/* Not mounted (e.g. a fresh mount namespace): mount it. */
		if (mount("bpf", BPFFS, "bpf", 0, "mode=0700") < 0) {
			flog_err(EC_MULTINIC_BPF, "cannot mount bpffs on %s: %s", BPFFS,
				 safe_strerror(errno));
			return -errno;
		}
	}
	/* libbpf creates only the last directory of a pin path. */
	if ((mkdir(MN_PIN_ROOT, 0700) < 0 && errno != EEXIST) ||
	    (mkdir(MN_PIN_LINKS, 0700) < 0 && errno != EEXIST)) {
		flog_err(EC_MULTINIC_BPF, "cannot create %s: %s", MN_PIN_LINKS,
			 safe_strerror(errno));
		return -errno;
	}
	return 0;
}

static int map_fd(const struct bpf_map *map)
{
	return bpf_map__fd(map);
}

/* The slots a previous multinicd left in the pinned mn_nics. */
static void slots_adopt(void)
{
	struct mn_bpf_nic val;
	uint32_t slot;

	for (slot = 0; slot < MN_MAX_NICS; slot++) {
		if (bpf_map_lookup_elem(map_fd(eb.egress->maps.mn_nics), &slot, &val) < 0 ||
		    !val.ifindex)
			continue;
		eb.adopted[slot] = val.ifindex;
		eb.slots[slot].ifindex = val.ifindex;
		if (!if_indextoname(val.ifindex, eb.slots[slot].name))
			eb.slots[slot].name[0] = '\0';
	}
}

static void settle_timer(struct event *t)
{
	zlog_info("eBPF datapath: settled after %u s, syncing the maps", MN_EBPF_SETTLE_SECS);
	eb.settled = true;
	ebpf_sync();
}

static bool ebpf_load(void)
{
	LIBBPF_OPTS(bpf_object_open_opts, opts, .pin_root_path = MN_PIN_MAPS);
	int err = 0, i;

	if (eb.loaded)
		return true;
	if (eb.failed)
		return false;
	frr_with_privs (&multinic_privs) {
		if (bpffs_ready() < 0) {
			err = -1;
			break;
		}
		eb.egress = egress_bpf__open_opts(&opts);
		eb.ingress = ingress_bpf__open_opts(&opts);
		if (!eb.egress || !eb.ingress) {
			err = -errno;
			break;
		}
		err = egress_bpf__load(eb.egress);
		if (!err)
			err = ingress_bpf__load(eb.ingress);
	}
	if (err) {
		flog_err(EC_MULTINIC_BPF, "eBPF datapath: cannot load the programs: %s",
			 safe_strerror(-err));
		egress_bpf__destroy(eb.egress);
		ingress_bpf__destroy(eb.ingress);
		eb.egress = NULL;
		eb.ingress = NULL;
		eb.failed = true;
		return false;
	}
	eb.loaded = true;
	slots_adopt();
	for (i = 0; i < MN_MAX_NICS && !eb.adopted[i]; i++)
		;
	eb.settled = i == MN_MAX_NICS;
	if (!eb.settled)
		event_add_timer(master, settle_timer, NULL, MN_EBPF_SETTLE_SECS, &eb.t_settle);
	zlog_info("eBPF datapath: programs loaded, maps pinned under %s%s", MN_PIN_MAPS,
		  eb.settled ? "" : " (adopted from a previous multinicd)");
	return true;
}

/*
 * Links: mn_egress on a task's host device (tcx ingress of a veth, or the
 * peer hook of a netkit primary), mn_ingress on a NIC (tcx ingress), all
 * pinned so that they outlive multinicd.  Without tcx, both go into
 * clsact filters instead (see tc_attach()).
 */

static const char *hook_name(enum ebpf_hook hook)
{
	switch (hook) {
	case HOOK_TCX:
		return "tcx ingress";
	case HOOK_NETKIT:
		return "netkit peer";
	case HOOK_CLSACT:
		return "clsact ingress";
	}
	return "?";
}

static enum bpf_attach_type hook_attach_type(enum ebpf_hook hook)
{
	return hook == HOOK_NETKIT ? BPF_NETKIT_PEER : BPF_TCX_INGRESS;
}

/* The device a pinned link is attached to, if it is on that hook. */
static int link_ifindex(const struct bpf_link *link, enum bpf_attach_type hook)
{
	struct bpf_link_info info = {};
	uint32_t len = sizeof(info);

	if (bpf_link_get_info_by_fd(bpf_link__fd(link), &info, &len) < 0)
		return -1;
	if (info.type == BPF_LINK_TYPE_TCX && info.tcx.attach_type == hook)
		return info.tcx.ifindex;
	if (info.type == BPF_LINK_TYPE_NETKIT && info.netkit.attach_type == hook)
		return info.netkit.ifindex;
	return -1;
}

/*
 * The device a link on this hook holds: for the netkit peer hook the
 * kernel keeps the peer (netkit_dev_fetch()), and reports the peer's
 * ifindex, in the task's netns: the primary's iflink.
 */
static int link_dev_ifindex(int ifindex, enum ebpf_hook hook)
{
	char name[IFNAMSIZ], path[64], buf[16] = "";
	ssize_t n;
	int fd;

	if (hook != HOOK_NETKIT)
		return ifindex;
	if (!if_indextoname(ifindex, name))
		return -1;
	snprintf(path, sizeof(path), "/sys/class/net/%s/iflink", name);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	return n > 0 ? atoi(buf) : -1;
}

/*
 * The link pinned at path, if any (libbpf would complain of a missing
 * one).  stat(), not access(): the latter checks with the real uid (frr),
 * which cannot search the root-only pin directories.
 */
static struct bpf_link *pinned_link(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0 ? bpf_link__open(path) : NULL;
}

/*
 * A pinned link on the same device and hook is reused with the new
 * program: the swap is atomic, no packet misses a program.  libbpf's
 * attach_tcx()/attach_netkit() refuse SEC("tc") programs (their expected
 * attach type differs), hence bpf_link_create(), which the kernel accepts
 * for any SCHED_CLS program on both hooks.
 */
static struct bpf_link *link_ensure(const char *path, struct bpf_program *prog, int ifindex,
				    enum ebpf_hook hook, char *err, size_t len)
{
	enum bpf_attach_type type = hook_attach_type(hook);
	struct bpf_link *link = NULL;
	int fd, ret = 0;

	frr_with_privs (&multinic_privs) {
		link = pinned_link(path);
		if (link && link_ifindex(link, type) == link_dev_ifindex(ifindex, hook) &&
		    bpf_link__update_program(link, prog) == 0)
			break;
		if (link) {
			/* its device was deleted and recreated: stale */
			bpf_link__unpin(link);
			bpf_link__destroy(link);
			link = NULL;
		}
		unlink(path);
		fd = bpf_link_create(bpf_program__fd(prog), ifindex, type, NULL);
		if (fd < 0) {
			ret = -errno;
			break;
		}
		if (bpf_obj_pin(fd, path) < 0)
			ret = -errno;
		else
			link = bpf_link__open(path);
		close(fd);
		if (!link && !ret)
			ret = -errno;
	}
	if (ret < 0) {
		snprintf(err, len, "cannot attach %s to ifindex %d (%s, %s): %s",
			 bpf_program__name(prog), ifindex, hook_name(hook), path,
			 safe_strerror(-ret));
		return NULL;
	}
	return link;
}

static void link_remove(struct bpf_link **link)
{
	if (!*link)
		return;
	frr_with_privs (&multinic_privs) {
		bpf_link__unpin(*link);
		/* the last reference: the kernel detaches the program */
		bpf_link__destroy(*link);
	}
	*link = NULL;
}

/* A link a multinicd running on another hook pinned there: drop it. */
static void link_unpin_stale(const char *path)
{
	struct bpf_link *link = pinned_link(path);

	if (!link)
		return;
	bpf_link__unpin(link);
	bpf_link__destroy(link);
}

/*
 * clsact, where the kernel has no tcx: a cls_bpf filter in direct-action
 * mode, at our own handle and priority on clsact ingress.  A filter is
 * not a link and cannot be pinned, but it holds its program itself, so it
 * outlives multinicd all the same.  Adoption after a restart is therefore
 * just attaching again: BPF_TC_F_REPLACE at the same handle and priority
 * makes cls_bpf swap the program in place (under RCU, no packet misses
 * it), whether or not an earlier multinicd left a filter there.
 */
#define MN_TC_HANDLE   0x6d6e /* "mn" */
#define MN_TC_PRIORITY 1

static int tc_attach(struct bpf_program *prog, int ifindex)
{
	LIBBPF_OPTS(bpf_tc_hook, hook, .ifindex = ifindex, .attach_point = BPF_TC_INGRESS);
	LIBBPF_OPTS(bpf_tc_opts, opts, .handle = MN_TC_HANDLE, .priority = MN_TC_PRIORITY,
		    .prog_fd = bpf_program__fd(prog), .flags = BPF_TC_F_REPLACE);
	int ret;

	/* the qdisc may be there already (ours from before, or another user's) */
	ret = bpf_tc_hook_create(&hook);
	if (ret && ret != -EEXIST)
		return ret;
	return bpf_tc_attach(&hook, &opts);
}

static int libbpf_quiet(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	return 0;
}

/*
 * Our filter only: the qdisc stays, other filters may hang on it.  Mostly
 * there is none (cleaning up after the other hook): libbpf would print
 * the kernel's complaint.
 */
static void tc_detach(int ifindex)
{
	LIBBPF_OPTS(bpf_tc_hook, hook, .ifindex = ifindex, .attach_point = BPF_TC_INGRESS);
	LIBBPF_OPTS(bpf_tc_opts, opts, .handle = MN_TC_HANDLE, .priority = MN_TC_PRIORITY);
	libbpf_print_fn_t print = libbpf_set_print(libbpf_quiet);

	bpf_tc_detach(&hook, &opts);
	libbpf_set_print(print);
}

/*
 * Put prog on the device's hook; *link gets the pinned link (NULL on
 * clsact).  What a multinicd running on the other hook left there goes,
 * after the new attachment is in place: a tcx link runs before clsact and
 * would keep its old program in the path.
 */
static int hook_attach(const char *path, struct bpf_program *prog, int ifindex, enum ebpf_hook hook,
		       struct bpf_link **link, char *err, size_t len)
{
	int ret;

	if (hook != HOOK_CLSACT) {
		*link = link_ensure(path, prog, ifindex, hook, err, len);
		if (!*link)
			return -EIO;
		frr_with_privs (&multinic_privs)
			tc_detach(ifindex);
		return 0;
	}
	*link = NULL;
	frr_with_privs (&multinic_privs) {
		ret = tc_attach(prog, ifindex);
		if (ret == 0)
			link_unpin_stale(path);
	}
	if (ret < 0)
		snprintf(err, len,
			 "cannot attach %s to ifindex %d (clsact ingress, handle 0x%x priority %u): %s",
			 bpf_program__name(prog), ifindex, MN_TC_HANDLE, MN_TC_PRIORITY,
			 safe_strerror(-ret));
	return ret;
}

static void hook_detach(int ifindex, enum ebpf_hook hook, struct bpf_link **link)
{
	link_remove(link);
	if (hook == HOOK_CLSACT)
		frr_with_privs (&multinic_privs)
			tc_detach(ifindex);
}

/* NICs and veth: tcx where the kernel has it, else clsact. */
static enum ebpf_hook veth_hook(void)
{
	return multinic_caps.has.tcx ? HOOK_TCX : HOOK_CLSACT;
}

static void task_link_path(const struct mn_task *task, char *buf, size_t len)
{
	snprintf(buf, len, "%s/task-%s", MN_PIN_LINKS, task->name);
}

static void nic_link_path(const char *ifname, char *buf, size_t len)
{
	snprintf(buf, len, "%s/nic-%s", MN_PIN_LINKS, ifname);
}

/*
 * egress-mode auto uses eBPF only while it works: when loading or an
 * attach fails, everything this multinicd attached comes off and the
 * kernel datapath, always in place underneath, carries the tasks.  True
 * when that happened (auto); false under egress-mode ebpf, where the
 * failure is the caller's to report.
 */
static bool ebpf_auto_fall_back(const char *why)
{
	if (multinic_cfg.egress_mode != MN_EGRESS_AUTO)
		return false;
	flog_err(EC_MULTINIC_BPF, "eBPF datapath: %s; egress-mode auto falls back to kernel", why);
	mn_datapath_auto_fall_back(why);
	ebpf_stop();
	return true;
}

#define LOAD_FAILED "the eBPF programs could not be loaded (see the log)"

/*
 * Tasks
 */

static bool task_is_netkit(const struct mn_task *task)
{
	return task->device && strmatch(task->device, "netkit");
}

/*
 * The netkit path: mn_egress on BPF_NETKIT_PEER of the primary (the host
 * end), where it runs in the peer's xmit, i.e. on every packet the task
 * sends, with skb->dev already the primary.  A veth gets it on its tcx
 * (or clsact) ingress, the same place seen from the host.
 */
static enum ebpf_hook task_hook(const struct mn_task *task)
{
	return task_is_netkit(task) ? HOOK_NETKIT : veth_hook();
}

static int task_hook_attach(struct mn_task *task, char *err, size_t len)
{
	char path[PATH_MAX];
	int ret;

	task_link_path(task, path, sizeof(path));
	ret = hook_attach(path, eb.egress->progs.mn_egress, task->host_ifindex, task_hook(task),
			  &task->ebpf_link, err, len);
	task->ebpf_attached = ret == 0;
	return ret;
}

const char *mn_ebpf_task_hook(const struct mn_task *task)
{
	return hook_name(task_hook(task));
}

bool mn_ebpf_task_attached(const struct mn_task *task)
{
	return task->ebpf_attached;
}

enum mn_datapath mn_ebpf_task_datapath(const struct mn_task *task)
{
	if (!task->ebpf_attached)
		return MN_DP_KERNEL;
	if (task_is_netkit(task))
		return MN_DP_NETKIT;
	return veth_hook() == HOOK_TCX ? MN_DP_VETH_TCX : MN_DP_VETH_CLSACT;
}

int mn_ebpf_task_attach(struct mn_task *task, char *err, size_t len)
{
	int ret;

	if (task->ebpf_attached || !mn_ebpf_active())
		return 0;
	if (!ebpf_load()) {
		if (ebpf_auto_fall_back(LOAD_FAILED))
			return 0;
		snprintf(err, len, "%s", LOAD_FAILED);
		return -ENOTSUP;
	}
	ret = task_hook_attach(task, err, len);
	if (ret < 0) {
		char why[320];

		snprintf(why, sizeof(why), "task %s: %s", task->name, err);
		return ebpf_auto_fall_back(why) ? 0 : ret;
	}
	ebpf_sync(); /* its addresses into mn_addrs */
	return 0;
}

static void task_detach(struct mn_task *task)
{
	uint32_t ifindex = task->host_ifindex;

	hook_detach(task->host_ifindex, task_hook(task), &task->ebpf_link);
	task->ebpf_attached = false;
	frr_with_privs (&multinic_privs)
		bpf_map_delete_elem(map_fd(eb.egress->maps.mn_task_stats), &ifindex);
}

/*
 * Only its addresses go from mn_addrs: a whole ebpf_sync() would attach
 * the task again (it is still wired, its device not yet deleted).
 */
void mn_ebpf_task_detach(struct mn_task *task)
{
	if (!task->ebpf_attached)
		return;
	task_detach(task);
	frr_with_privs (&multinic_privs)
		addrs_write();
}

/*
 * Maps
 */

static void slot_detach(struct ebpf_slot *s)
{
	if (s->attached)
		hook_detach(s->ifindex, veth_hook(), &s->link);
	s->attached = false;
}

static uint32_t slot_of(ifindex_t ifindex)
{
	uint32_t slot;

	for (slot = 0; slot < MN_MAX_NICS; slot++)
		if (eb.slots[slot].ifindex == ifindex)
			return slot;
	return MN_NIC_NONE;
}

/* Every adopted NIC is known again (zebra reported them all). */
static bool adopted_all_known(void)
{
	const struct mn_nic *nic;
	int i;

	for (i = 0; i < MN_MAX_NICS; i++) {
		if (!eb.adopted[i])
			continue;
		frr_each (mn_nics, &mn_nics, nic)
			if (nic->ifindex == eb.adopted[i])
				break;
		if (!nic)
			return false;
	}
	return true;
}

/*
 * Every task of the loaded configuration has been wired again (or has
 * failed): the configuration's end only schedules their rewiring, and
 * until a task's mn_egress is attached its addresses are not in the set
 * that mn_addrs is trimmed to.  Settling before would drop a VIP from
 * mn_addrs for a moment: its packets would go to the kernel path, whose
 * routes zebra may have flushed with the old multinicd.
 */
static bool tasks_rewired(void)
{
	const struct mn_task *task;

	frr_each (mn_tasks, &mn_tasks, task)
		if (task->rewire_pending)
			return false;
	return true;
}

/*
 * Slots follow the NICs' ifindexes: a NIC keeps its slot while selected;
 * the slots of NICs no longer selected are freed (once settled).
 */
static void slots_assign(void)
{
	const struct mn_nic *nic;
	uint32_t slot;

	for (slot = 0; slot < MN_MAX_NICS && eb.settled; slot++) {
		if (!eb.slots[slot].ifindex)
			continue;
		frr_each (mn_nics, &mn_nics, nic)
			if (nic->ifindex == eb.slots[slot].ifindex)
				break;
		if (!nic) {
			slot_detach(&eb.slots[slot]);
			memset(&eb.slots[slot], 0, sizeof(eb.slots[slot]));
		}
	}
	frr_each (mn_nics, &mn_nics, nic) {
		if (nic->ifindex == IFINDEX_INTERNAL || slot_of(nic->ifindex) != MN_NIC_NONE)
			continue;
		slot = slot_of(0);
		if (slot == MN_NIC_NONE) {
			flog_err(EC_MULTINIC_BPF, "eBPF datapath: more than %u NICs, %s left out",
				 MN_MAX_NICS, nic->name);
			continue;
		}
		eb.slots[slot].ifindex = nic->ifindex;
	}
	frr_each (mn_nics, &mn_nics, nic) {
		slot = slot_of(nic->ifindex);
		if (slot != MN_NIC_NONE)
			strlcpy(eb.slots[slot].name, nic->name, sizeof(eb.slots[slot].name));
	}
}

static const struct mn_nic *slot_nic(uint32_t slot)
{
	const struct mn_nic *nic;

	frr_each (mn_nics, &mn_nics, nic)
		if (eb.slots[slot].ifindex && nic->ifindex == eb.slots[slot].ifindex)
			return nic;
	return NULL;
}

static void nic_entry(const struct mn_nic *nic, struct mn_bpf_nic *e)
{
	union g_addr gw;

	memset(e, 0, sizeof(*e));
	if (!nic)
		return;
	e->ifindex = nic->ifindex;
	e->weight = mn_nic_weight(nic);
	if (nic->oper_up)
		e->flags |= MN_NIC_F_UP;
	if (mn_nic_gateway(nic, AFI_IP, &gw)) {
		e->flags |= MN_NIC_F_GW4;
		e->gw4 = gw.ipv4.s_addr;
	}
	if (mn_nic_gateway(nic, AFI_IP6, &gw)) {
		e->flags |= MN_NIC_F_GW6;
		memcpy(e->gw6, &gw.ipv6, sizeof(e->gw6));
	}
}

/*
 * Readers see an element being rewritten torn: another NIC goes into a
 * slot as flags 0, contents, then flags (multinic_maps.h).
 */
static void nics_write(void)
{
	int fd = map_fd(eb.egress->maps.mn_nics);
	struct mn_bpf_nic want, have;
	uint32_t slot;

	for (slot = 0; slot < MN_MAX_NICS; slot++) {
		nic_entry(slot_nic(slot), &want);
		if (bpf_map_lookup_elem(fd, &slot, &have) < 0)
			memset(&have, 0, sizeof(have));
		if (!memcmp(&want, &have, sizeof(want)))
			continue;
		if (have.ifindex != want.ifindex) {
			uint32_t flags = want.flags;

			have.flags = 0;
			bpf_map_update_elem(fd, &slot, &have, BPF_ANY);
			want.flags = 0;
			bpf_map_update_elem(fd, &slot, &want, BPF_ANY);
			want.flags = flags;
		}
		if (bpf_map_update_elem(fd, &slot, &want, BPF_ANY) < 0)
			flog_err(EC_MULTINIC_BPF, "eBPF datapath: mn_nics[%u]: %s", slot,
				 safe_strerror(errno));
	}
}

static void maglev_write(void)
{
	struct mn_maglev_nic nics[MN_MAX_NICS];
	static uint32_t table[MN_MAGLEV_SIZE], keys[MN_MAGLEV_SIZE];
	uint32_t slots[MN_MAX_NICS], slot, i, count = MN_MAGLEV_SIZE;
	const struct mn_nic *nic;
	unsigned int n = 0;

	/*
	 * Down NICs stay in with up = false: then only their own entries move
	 * (and return), whereas leaving them out would reshuffle a few more.
	 */
	for (slot = 0; slot < MN_MAX_NICS; slot++) {
		nic = slot_nic(slot);
		if (!nic)
			continue;
		nics[n].name = eb.slots[slot].name;
		nics[n].weight = mn_nic_weight(nic);
		nics[n].up = nic->oper_up;
		slots[n++] = slot;
	}
	if (mn_maglev_build(nics, n, table, MN_MAGLEV_SIZE) < 0) {
		flog_err(EC_MULTINIC_BPF, "eBPF datapath: cannot build the Maglev table");
		return;
	}
	for (i = 0; i < MN_MAGLEV_SIZE; i++) {
		keys[i] = i;
		if (table[i] != MN_NIC_NONE)
			table[i] = slots[table[i]];
	}
	if (bpf_map_update_batch(map_fd(eb.egress->maps.mn_maglev), keys, table, &count, NULL) < 0)
		flog_err(EC_MULTINIC_BPF, "eBPF datapath: mn_maglev: %s", safe_strerror(errno));
}

static void config_write(void)
{
	struct mn_config cfg = {
		.placement = multinic_cfg.placement == MN_PLACEMENT_LEAST_LOADED
				     ? MN_PLACE_LEAST_LOADED
				     : MN_PLACE_HASH,
	};
	uint32_t zero = 0;

	if (bpf_map_update_elem(map_fd(eb.egress->maps.mn_config), &zero, &cfg, BPF_ANY) < 0)
		flog_err(EC_MULTINIC_BPF, "eBPF datapath: mn_config: %s", safe_strerror(errno));
}

static void addr_add(struct addr_entry *set, unsigned int *n, const struct prefix *p,
		     uint32_t task_ifindex, uint32_t pin_slot)
{
	struct addr_entry *e;

	if (*n >= MN_MAX_ADDRS || (p->family != AF_INET && p->family != AF_INET6))
		return;
	e = &set[(*n)++];
	memset(e, 0, sizeof(*e));
	if (p->family == AF_INET) {
		e->key.family = MN_AF_INET;
		memcpy(e->key.addr, &p->u.prefix4, 4);
	} else {
		e->key.family = MN_AF_INET6;
		memcpy(e->key.addr, &p->u.prefix6, 16);
	}
	e->val.task_ifindex = task_ifindex;
	e->val.pin_slot = pin_slot;
}

static bool is_task_device(const struct interface *ifp)
{
	const struct mn_task *task;

	frr_each (mn_tasks, &mn_tasks, task)
		if (strmatch(task->host_ifname, ifp->name))
			return true;
	return false;
}

/* The host's own addresses (not link-local: the programs skip those). */
static void host_addrs(struct addr_entry *set, unsigned int *n)
{
	struct vrf *vrf = vrf_lookup_by_id(VRF_DEFAULT);
	struct interface *ifp;
	struct connected *ifc;

	if (!vrf)
		return;
	FOR_ALL_INTERFACES (vrf, ifp) {
		if (is_task_device(ifp))
			continue;
		frr_each (if_connected, ifp->connected, ifc) {
			const struct prefix *p = ifc->address;

			if (p->family == AF_INET6 && IN6_IS_ADDR_LINKLOCAL(&p->u.prefix6))
				continue;
			addr_add(set, n, p, 0, MN_NIC_NONE);
		}
	}
}

/* Task addresses come last: an entry enables steering for its address. */
static void task_addrs(struct addr_entry *set, unsigned int *n)
{
	const struct mn_task_addr *ta;
	const struct mn_task *task;
	struct interface *ifp;
	afi_t afi;

	frr_each (mn_tasks, &mn_tasks, task) {
		if (!task->ebpf_attached)
			continue;
		for (afi = AFI_IP; afi <= AFI_IP6; afi++) {
			if (task->has_vip[afi])
				addr_add(set, n, &task->vip[afi], task->host_ifindex, MN_NIC_NONE);
			frr_each (mn_task_addrs, &task->addrs, ta) {
				if (!ta->has[afi])
					continue;
				ifp = if_lookup_by_name(ta->nic, VRF_DEFAULT);
				addr_add(set, n, &ta->addr[afi], task->host_ifindex,
					 ifp ? slot_of(ifp->ifindex) : MN_NIC_NONE);
			}
		}
	}
}

static bool addr_in(const struct addr_entry *set, unsigned int n, const struct mn_addr_key *key)
{
	unsigned int i;

	for (i = 0; i < n; i++)
		if (!memcmp(&set[i].key, key, sizeof(*key)))
			return true;
	return false;
}

static void addrs_write(void)
{
	struct addr_entry *set = XCALLOC(MTYPE_MN_EBPF_ADDRS, MN_MAX_ADDRS * sizeof(*set));
	int fd = map_fd(eb.egress->maps.mn_addrs);
	struct mn_addr_key key, next;
	unsigned int i, n = 0;
	bool more;

	host_addrs(set, &n);
	task_addrs(set, &n);
	for (i = 0; i < n; i++)
		if (bpf_map_update_elem(fd, &set[i].key, &set[i].val, BPF_ANY) < 0)
			flog_err(EC_MULTINIC_BPF, "eBPF datapath: mn_addrs: %s",
				 safe_strerror(errno));
	/* The next key is read before the current one is deleted. */
	for (more = bpf_map_get_next_key(fd, NULL, &key) == 0; more && eb.settled; key = next) {
		more = bpf_map_get_next_key(fd, &key, &next) == 0;
		if (!addr_in(set, n, &key))
			bpf_map_delete_elem(fd, &key);
	}
	XFREE(MTYPE_MN_EBPF_ADDRS, set);
}

/* False when egress-mode auto fell back to kernel meanwhile. */
static bool nic_links_update(void)
{
	char path[PATH_MAX], err[256], why[320];
	uint32_t slot;

	for (slot = 0; slot < MN_MAX_NICS; slot++) {
		struct ebpf_slot *s = &eb.slots[slot];

		if (!slot_nic(slot) || s->attached)
			continue;
		nic_link_path(s->name, path, sizeof(path));
		s->attached = hook_attach(path, eb.ingress->progs.mn_ingress, s->ifindex,
					  veth_hook(), &s->link, err, sizeof(err)) == 0;
		if (s->attached)
			continue;
		snprintf(why, sizeof(why), "NIC %s: %s", s->name, err);
		if (ebpf_auto_fall_back(why))
			return false;
		flog_err(EC_MULTINIC_BPF, "eBPF datapath: %s", why);
	}
	return true;
}

/*
 * Wired tasks attached before egress-mode ebpf was configured.  False when
 * egress-mode auto fell back to kernel meanwhile.
 */
static bool task_links_update(void)
{
	struct mn_task *task;
	char err[256], why[320];

	frr_each (mn_tasks, &mn_tasks, task) {
		if (task->ebpf_attached || task->status != MN_TASK_WIRED || task->host_ifindex <= 0)
			continue;
		if (task_hook_attach(task, err, sizeof(err)) == 0)
			continue;
		snprintf(why, sizeof(why), "task %s: %s", task->name, err);
		if (ebpf_auto_fall_back(why))
			return false;
		flog_err(EC_MULTINIC_BPF, "eBPF datapath: %s", why);
	}
	return true;
}

/* Not active (any more): take everything down that this multinicd put up. */
/* Unpin every link under MN_PIN_LINKS (with privileges). */
static void pins_remove(void)
{
	char path[PATH_MAX];
	struct dirent *de;
	DIR *dir;

	dir = opendir(MN_PIN_LINKS);
	if (!dir)
		return;
	while ((de = readdir(dir))) {
		if (de->d_name[0] == '.' || de->d_type == DT_DIR)
			continue;
		snprintf(path, sizeof(path), "%s/%s", MN_PIN_LINKS, de->d_name);
		if (unlink(path) < 0)
			zlog_warn("eBPF datapath: cannot unpin %s: %s", path, safe_strerror(errno));
	}
	closedir(dir);
}

static void ebpf_stop(void)
{
	const struct mn_nic *nic;
	struct mn_task *task;
	uint32_t slot;

	frr_each (mn_tasks, &mn_tasks, task)
		if (task->ebpf_attached)
			task_detach(task);
	for (slot = 0; slot < MN_MAX_NICS; slot++)
		slot_detach(&eb.slots[slot]);

	/*
	 * And what an earlier multinicd left and this one did not take over
	 * (it may not even have loaded): its programs would go on steering
	 * with its maps.  Every pin goes, tasks this one does not know
	 * included (unlinking the pin drops the link's last reference); our
	 * filters go from the devices it knows.
	 */
	frr_with_privs (&multinic_privs) {
		pins_remove();
		frr_each (mn_tasks, &mn_tasks, task)
			if (task->host_ifindex > 0)
				tc_detach(task->host_ifindex);
		frr_each (mn_nics, &mn_nics, nic)
			if (nic->ifindex != IFINDEX_INTERNAL)
				tc_detach(nic->ifindex);
	}
	eb.stopped = true;
}

/*
 * A multinicd that does not use eBPF (egress-mode kernel) must still take
 * off what an eBPF predecessor left: its pinned links (or, without tcx,
 * its clsact filters) would go on steering the tasks with its maps.
 * Looked at once the configuration, hence the tasks, is known, and again
 * as zebra reports NICs.
 */
static bool predecessor_left_pins(void)
{
	struct dirent *de;
	bool found = false;
	DIR *dir;

	if (eb.loaded || !eb.config_done)
		return false;
	if (!multinic_caps.has.tcx)
		return true;
	frr_with_privs (&multinic_privs) {
		dir = opendir(MN_PIN_LINKS);
		while (dir && !found && (de = readdir(dir)))
			found = de->d_name[0] != '.';
		if (dir)
			closedir(dir);
	}
	return found;
}

static void ebpf_sync(void)
{
	if (!mn_ebpf_active()) {
		if ((eb.loaded && eb.settled && !eb.stopped) || predecessor_left_pins())
			ebpf_stop();
		return;
	}
	eb.stopped = false;
	if (!ebpf_load()) {
		ebpf_auto_fall_back(LOAD_FAILED);
		return;
	}
	if (!eb.settled && eb.config_done && adopted_all_known() && tasks_rewired()) {
		zlog_info(
			"eBPF datapath: configuration loaded, tasks rewired and every NIC of the pinned maps known again");
		event_cancel(&eb.t_settle);
		eb.settled = true;
	}
	if (!task_links_update())
		return;
	frr_with_privs (&multinic_privs) {
		slots_assign();
		if (eb.settled) {
			config_write();
			nics_write();
			maglev_write();
		}
		addrs_write();
	}
	nic_links_update();
}

void mn_ebpf_config_end(void)
{
	eb.config_done = true;
	ebpf_sync();
}

static int ebpf_nics_changed(void)
{
	ebpf_sync();
	return 0;
}

/*
 * Show
 */

static bool counters_read(int fd, const void *key, struct mn_ebpf_counters *c)
{
	int ncpu = libbpf_num_possible_cpus(), i;
	struct mn_stats *v;
	bool ok;

	memset(c, 0, sizeof(*c));
	if (ncpu <= 0)
		return false;
	v = XCALLOC(MTYPE_MN_EBPF_ADDRS, ncpu * sizeof(*v));
	frr_with_privs (&multinic_privs)
		ok = bpf_map_lookup_elem(fd, key, v) == 0;
	for (i = 0; ok && i < ncpu; i++) {
		c->tx_packets += v[i].tx_packets;
		c->tx_bytes += v[i].tx_bytes;
		c->rx_packets += v[i].rx_packets;
		c->rx_bytes += v[i].rx_bytes;
		c->fallback += v[i].fallback;
		c->local += v[i].local;
		c->redirect_errors += v[i].redirect_errors;
	}
	XFREE(MTYPE_MN_EBPF_ADDRS, v);
	return ok;
}

bool mn_ebpf_nic_counters(const struct mn_nic *nic, uint32_t *slot, struct mn_ebpf_counters *c)
{
	if (!eb.loaded)
		return false;
	*slot = slot_of(nic->ifindex);
	if (*slot == MN_NIC_NONE)
		return false;
	return counters_read(map_fd(eb.egress->maps.mn_nic_stats), slot, c);
}

bool mn_ebpf_task_counters(const struct mn_task *task, struct mn_ebpf_counters *c)
{
	uint32_t ifindex = task->host_ifindex;

	if (!eb.loaded || !task->ebpf_attached) {
		memset(c, 0, sizeof(*c));
		return false;
	}
	/* no entry until the programs saw a packet: all zero */
	counters_read(map_fd(eb.egress->maps.mn_task_stats), &ifindex, c);
	return true;
}

const char *mn_ebpf_nic_link(const struct mn_nic *nic)
{
	static char path[PATH_MAX];
	uint32_t slot = slot_of(nic->ifindex);

	if (!eb.loaded || slot == MN_NIC_NONE || !eb.slots[slot].link)
		return "";
	nic_link_path(eb.slots[slot].name, path, sizeof(path));
	return path;
}

const char *mn_ebpf_nic_hook(const struct mn_nic *nic)
{
	uint32_t slot = slot_of(nic->ifindex);

	if (!eb.loaded || slot == MN_NIC_NONE || !eb.slots[slot].attached)
		return "";
	return hook_name(veth_hook());
}

const char *mn_ebpf_task_where(const struct mn_task *task)
{
	static char buf[PATH_MAX + 16];
	char path[PATH_MAX];

	if (!task->ebpf_attached)
		return "";
	if (!task->ebpf_link) {
		snprintf(buf, sizeof(buf), "filter handle 0x%x priority %u (not pinnable)",
			 MN_TC_HANDLE, MN_TC_PRIORITY);
		return buf;
	}
	task_link_path(task, path, sizeof(path));
	snprintf(buf, sizeof(buf), "pinned %s", path);
	return buf;
}

uint32_t mn_ebpf_prog_id(bool egress)
{
	struct bpf_prog_info info = {};
	uint32_t len = sizeof(info);
	int fd;

	if (!eb.loaded)
		return 0;
	fd = bpf_program__fd(egress ? eb.egress->progs.mn_egress : eb.ingress->progs.mn_ingress);
	if (bpf_prog_get_info_by_fd(fd, &info, &len) < 0)
		return 0;
	return info.id;
}

void mn_ebpf_init(void)
{
	hook_register(mn_nics_changed, ebpf_nics_changed);
}

/*
 * Links and maps stay pinned: the programs keep forwarding until the next
 * multinicd adopts them (tasks deleted at shutdown took their own links).
 */
void mn_ebpf_terminate(void)
{
	uint32_t slot;

	event_cancel(&eb.t_settle);
	for (slot = 0; slot < MN_MAX_NICS; slot++)
		if (eb.slots[slot].link)
			bpf_link__destroy(eb.slots[slot].link);
	egress_bpf__destroy(eb.egress);
	ingress_bpf__destroy(eb.ingress);
	memset(&eb, 0, sizeof(eb));
}
