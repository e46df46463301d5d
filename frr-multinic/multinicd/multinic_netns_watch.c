// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * multinicd: watching /run/netns (see multinic_netns_watch.h).
 */
#include <zebra.h>

#include <dirent.h>
#include <sys/inotify.h>
#include <sys/stat.h>

#include "lib/frrevent.h"
#include "lib/log.h"

#include "multinicd.h"
#include "multinic_debug.h"
#include "multinic_netns_watch.h"
#include "multinic_task.h"

#define NETNS_DIR "/run/netns"
/*
 * "ip netns add" creates the file, then bind-mounts the namespace on it:
 * a name is looked at again this long after its event, when the mount is
 * there (the task layer's poll is the safety net).
 */
#define NETNS_SETTLE_MS 50

static int inotify_fd = -1;
static int dir_wd = -1; /* on NETNS_DIR, or on /run until it exists */
static bool dir_watched;
static struct event *t_read, *t_again;

static void watch_dir(void)
{
	uint32_t mask = IN_CREATE | IN_DELETE | IN_MOVED_FROM | IN_MOVED_TO | IN_DELETE_SELF;

	if (dir_wd >= 0)
		inotify_rm_watch(inotify_fd, dir_wd);
	dir_wd = inotify_add_watch(inotify_fd, NETNS_DIR, mask);
	dir_watched = dir_wd >= 0;
	if (!dir_watched) /* not there yet: wait for its creation in /run */
		dir_wd = inotify_add_watch(inotify_fd, "/run", IN_CREATE | IN_MOVED_TO);
	if (dir_wd < 0)
		zlog_warn("cannot watch %s for network namespaces: %s", NETNS_DIR,
			  safe_strerror(errno));
}

/* Every named netns again: after the directory appeared, or to settle. */
static void names_again(struct event *t)
{
	DIR *dir = opendir(NETNS_DIR);
	struct dirent *de;

	while (dir && (de = readdir(dir)))
		if (de->d_name[0] != '.')
			mn_tasks_netns_changed(de->d_name);
	if (dir)
		closedir(dir);
}

static void name_changed(const char *name)
{
	DEBUGD(&mn_dbg_task, "netns %s appeared or went", name);
	mn_tasks_netns_changed(name);
	event_add_timer_msec(master, names_again, NULL, NETNS_SETTLE_MS, &t_again);
}

static void watch_read(struct event *t)
{
	char buf[4096] __attribute__((aligned(__alignof__(struct inotify_event))));
	const struct inotify_event *ev;
	ssize_t n;
	char *p;

	event_add_read(master, watch_read, NULL, inotify_fd, &t_read);
	while ((n = read(inotify_fd, buf, sizeof(buf))) > 0) {
		for (p = buf; p < buf + n; p += sizeof(*ev) + ev->len) {
			ev = (const struct inotify_event *)p;
			/*
			 * A watch watch_dir() removed: its IN_IGNORED.  Re-arming
			 * on it would remove the current watch and so on, for
			 * ever (each removal queues another IN_IGNORED).
			 */
			if (ev->wd != dir_wd)
				continue;
			/* watching /run: only /run/netns appearing matters */
			if (!dir_watched && !(ev->len && strmatch(ev->name, "netns")))
				continue;
			if (!dir_watched || (ev->mask & (IN_DELETE_SELF | IN_IGNORED))) {
				/* /run/netns created, or removed: watch it (again) */
				watch_dir();
				event_add_timer_msec(master, names_again, NULL, NETNS_SETTLE_MS,
						     &t_again);
				continue;
			}
			if (ev->len && ev->name[0] != '.')
				name_changed(ev->name);
		}
	}
}

void multinic_netns_watch_init(void)
{
	inotify_fd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
	if (inotify_fd < 0) {
		zlog_warn("cannot watch network namespaces (inotify): %s; polling only",
			  safe_strerror(errno));
		return;
	}
	watch_dir();
	event_add_read(master, watch_read, NULL, inotify_fd, &t_read);
}

void multinic_netns_watch_terminate(void)
{
	event_cancel(&t_read);
	event_cancel(&t_again);
	if (inotify_fd >= 0)
		close(inotify_fd);
	inotify_fd = -1;
	dir_wd = -1;
}
