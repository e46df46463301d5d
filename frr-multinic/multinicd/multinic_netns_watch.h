// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * multinicd: watching /run/netns, where "ip netns" and container runtimes
 * keep named network namespaces.  An event source like the zebra client:
 * each name that appears or goes is handed down to the task layer
 * (mn_tasks_netns_changed()), which wires again or lets wait the tasks
 * living there.  Paths elsewhere are polled by the task layer itself.
 */
#ifndef _MULTINIC_NETNS_WATCH_H
#define _MULTINIC_NETNS_WATCH_H

extern void multinic_netns_watch_init(void);
extern void multinic_netns_watch_terminate(void);

#endif /* _MULTINIC_NETNS_WATCH_H */
