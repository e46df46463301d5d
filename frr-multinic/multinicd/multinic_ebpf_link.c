// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * multinicd: where the eBPF datapath's programs run (see
 * multinic_ebpf_link.h).
 */
#include <zebra.h>

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "lib/log.h"

#include "multinicd.h"
#include "multinic_ebpf_link.h"
#include "multinic_libbpf.h"
#include "multinicd/bpf/multinic_maps.h"

const char *mn_ebpf_hook_name(enum mn_ebpf_hook hook)
{
	switch (hook) {
	case MN_HOOK_TCX:
		return "tcx ingress";
	case MN_HOOK_NETKIT:
		return "netkit peer";
	case MN_HOOK_CLSACT:
		return "clsact ingress";
	}
	return "?";
}

void mn_ebpf_task_pin_path(const char *task, char *buf, size_t len)
{
	snprintf(buf, len, "%s/task-%s", MN_PIN_LINKS, task);
}

void mn_ebpf_nic_pin_path(const char *ifname, char *buf, size_t len)
{
	snprintf(buf, len, "%s/nic-%s", MN_PIN_LINKS, ifname);
}

static enum bpf_attach_type hook_attach_type(enum mn_ebpf_hook hook)
{
	return hook == MN_HOOK_NETKIT ? BPF_NETKIT_PEER : BPF_TCX_INGRESS;
}

/*
 * Links: tcx and netkit
 */

/* The device a pinned link is attached to, if it is on that hook. */
static int link_ifindex(const struct bpf_link *link, enum bpf_attach_type type)
{
	struct bpf_link_info info = {};
	uint32_t len = sizeof(info);

	if (bpf_link_get_info_by_fd(bpf_link__fd(link), &info, &len) < 0)
		return -1;
	if (info.type == BPF_LINK_TYPE_TCX && info.tcx.attach_type == type)
		return info.tcx.ifindex;
	if (info.type == BPF_LINK_TYPE_NETKIT && info.netkit.attach_type == type)
		return info.netkit.ifindex;
	return -1;
}

/*
 * The device a link on this hook holds: for the netkit peer hook the
 * kernel keeps the peer (netkit_dev_fetch()), and reports the peer's
 * ifindex, in the task's netns: the primary's iflink.
 */
static int link_dev_ifindex(int ifindex, enum mn_ebpf_hook hook)
{
	char name[IFNAMSIZ], path[64], buf[16] = "";
	ssize_t n;
	int fd;

	if (hook != MN_HOOK_NETKIT)
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

static void link_drop(struct bpf_link *link)
{
	bpf_link__unpin(link);
	/* the last reference: the kernel detaches the program */
	bpf_link__destroy(link);
}

/*
 * A pinned link on the same device and hook is reused with the new
 * program: the swap is atomic, no packet misses a program.  libbpf's
 * attach_tcx()/attach_netkit() refuse SEC("tc") programs (their expected
 * attach type differs), hence bpf_link_create(), which the kernel accepts
 * for any SCHED_CLS program on both hooks.  Called with privileges.
 */
static int link_ensure(const char *path, int prog_fd, int ifindex, enum mn_ebpf_hook hook,
		       struct bpf_link **result)
{
	enum bpf_attach_type type = hook_attach_type(hook);
	struct bpf_link *link = pinned_link(path);
	int fd, ret = 0;

	if (link && link_ifindex(link, type) == link_dev_ifindex(ifindex, hook) &&
	    bpf_link_update(bpf_link__fd(link), prog_fd, NULL) == 0) {
		*result = link;
		return 0;
	}
	if (link) /* its device was deleted and recreated: stale */
		link_drop(link);
	unlink(path);
	fd = bpf_link_create(prog_fd, ifindex, type, NULL);
	if (fd < 0)
		return -errno;
	if (bpf_obj_pin(fd, path) < 0)
		ret = -errno;
	else if (!(link = bpf_link__open(path)))
		ret = -errno;
	close(fd);
	*result = ret ? NULL : link;
	return ret;
}

/* A link a multinicd running on another hook pinned there: drop it. */
static void link_unpin_stale(const char *path)
{
	struct bpf_link *link = pinned_link(path);

	if (link)
		link_drop(link);
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
static int tc_attach(int prog_fd, int ifindex)
{
	LIBBPF_OPTS(bpf_tc_hook, hook, .ifindex = ifindex, .attach_point = BPF_TC_INGRESS);
	LIBBPF_OPTS(bpf_tc_opts, opts, .handle = MN_TC_HANDLE, .priority = MN_TC_PRIORITY,
		    .prog_fd = prog_fd, .flags = BPF_TC_F_REPLACE);
	int ret;

	/* the qdisc may be there already (ours from before, or another user's) */
	ret = bpf_tc_hook_create(&hook);
	if (ret && ret != -EEXIST)
		return ret;
	return bpf_tc_attach(&hook, &opts);
}

/*
 * Our filter only: the qdisc stays, other filters may hang on it.  Mostly
 * there is none (cleaning up after the other hook): libbpf would print
 * the kernel's complaint.
 */
void mn_ebpf_tc_detach(int ifindex)
{
	LIBBPF_OPTS(bpf_tc_hook, hook, .ifindex = ifindex, .attach_point = BPF_TC_INGRESS);
	LIBBPF_OPTS(bpf_tc_opts, opts, .handle = MN_TC_HANDLE, .priority = MN_TC_PRIORITY);
	libbpf_print_fn_t print = libbpf_set_print(mn_libbpf_quiet);

	frr_with_privs (&multinic_privs)
		bpf_tc_detach(&hook, &opts);
	libbpf_set_print(print);
}

/*
 * The hook
 */

int mn_ebpf_hook_attach(const char *pin, int prog_fd, const char *prog_name, int ifindex,
			enum mn_ebpf_hook hook, bool inherited, struct bpf_link **link, char *err,
			size_t len)
{
	int ret;

	*link = NULL;
	if (hook != MN_HOOK_CLSACT) {
		frr_with_privs (&multinic_privs)
			ret = link_ensure(pin, prog_fd, ifindex, hook, link);
		if (ret < 0) {
			snprintf(err, len, "cannot attach %s to ifindex %d (%s, %s): %s", prog_name,
				 ifindex, mn_ebpf_hook_name(hook), pin, safe_strerror(-ret));
			return ret;
		}
		/* a tcx link runs before clsact: an old filter would stay in the path */
		if (inherited)
			mn_ebpf_tc_detach(ifindex);
		return 0;
	}
	frr_with_privs (&multinic_privs) {
		ret = tc_attach(prog_fd, ifindex);
		if (ret == 0)
			link_unpin_stale(pin);
	}
	if (ret < 0)
		snprintf(err, len,
			 "cannot attach %s to ifindex %d (clsact ingress, handle 0x%x priority %u): %s",
			 prog_name, ifindex, MN_TC_HANDLE, MN_TC_PRIORITY, safe_strerror(-ret));
	return ret;
}

void mn_ebpf_hook_detach(int ifindex, enum mn_ebpf_hook hook, struct bpf_link **link)
{
	if (*link)
		frr_with_privs (&multinic_privs)
			link_drop(*link);
	*link = NULL;
	if (hook == MN_HOOK_CLSACT)
		mn_ebpf_tc_detach(ifindex);
}

/*
 * Pins an earlier multinicd left
 */

bool mn_ebpf_pins_exist(void)
{
	struct dirent *de;
	bool found = false;
	DIR *dir;

	frr_with_privs (&multinic_privs) {
		dir = opendir(MN_PIN_LINKS);
		while (dir && !found && (de = readdir(dir)))
			found = de->d_name[0] != '.';
		if (dir)
			closedir(dir);
	}
	return found;
}

void mn_ebpf_pins_remove(void)
{
	char path[PATH_MAX];
	struct dirent *de;
	DIR *dir;

	frr_with_privs (&multinic_privs) {
		dir = opendir(MN_PIN_LINKS);
		while (dir && (de = readdir(dir))) {
			if (de->d_name[0] == '.' || de->d_type == DT_DIR)
				continue;
			snprintf(path, sizeof(path), "%s/%s", MN_PIN_LINKS, de->d_name);
			/* unlinking the pin drops the link's last reference */
			if (unlink(path) < 0)
				zlog_warn("eBPF datapath: cannot unpin %s: %s", path,
					  safe_strerror(errno));
		}
		if (dir)
			closedir(dir);
	}
}

unsigned int mn_ebpf_pins_reconcile(bool (*keep)(const char *pin, void *arg), void *arg)
{
	char path[PATH_MAX];
	unsigned int removed = 0;
	struct dirent *de;
	DIR *dir;

	frr_with_privs (&multinic_privs) {
		dir = opendir(MN_PIN_LINKS);
		while (dir && (de = readdir(dir))) {
			if (de->d_name[0] == '.' || de->d_type == DT_DIR || keep(de->d_name, arg))
				continue;
			snprintf(path, sizeof(path), "%s/%s", MN_PIN_LINKS, de->d_name);
			if (unlink(path) < 0) {
				zlog_warn("eBPF datapath: cannot unpin %s: %s", path,
					  safe_strerror(errno));
				continue;
			}
			zlog_info("eBPF datapath: unpinned %s, left by an earlier multinicd", path);
			removed++;
		}
		if (dir)
			closedir(dir);
	}
	return removed;
}
