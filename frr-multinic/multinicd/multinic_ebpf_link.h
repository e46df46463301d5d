// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * multinicd: where the eBPF datapath's programs run (tcx, the netkit peer
 * hook, clsact) and how they stay there while multinicd is down.
 *
 * mn_egress goes on each task's host-side device: the peer hook of a
 * netkit primary, else tcx ingress of the veth, else a clsact filter;
 * mn_ingress on each NIC: tcx ingress, else clsact.  tcx and netkit
 * attachments are links pinned under MN_PIN_LINKS; a clsact filter holds
 * its program itself.  Either way forwarding goes on while multinicd is
 * down, and a restarted multinicd swaps its new program in atomically.
 *
 * Mechanism only: callers pass program fds and devices; nothing here
 * knows tasks or NICs.
 */
#ifndef _MULTINIC_EBPF_LINK_H
#define _MULTINIC_EBPF_LINK_H

#include <stdbool.h>
#include <stddef.h>

struct bpf_link;

/* Where a program runs on a device. */
enum mn_ebpf_hook {
	MN_HOOK_TCX,	/* tcx ingress: a pinned link */
	MN_HOOK_NETKIT, /* BPF_NETKIT_PEER of a netkit primary: a pinned link */
	MN_HOOK_CLSACT, /* a cls_bpf filter on clsact ingress: nothing to pin */
};

/* Our clsact filter: this handle and priority on clsact ingress. */
#define MN_TC_HANDLE   0x6d6e /* "mn" */
#define MN_TC_PRIORITY 1

/* "tcx ingress", "netkit peer", "clsact ingress". */
extern const char *mn_ebpf_hook_name(enum mn_ebpf_hook hook);

/* Pin paths of the links: a task's mn_egress, a NIC's mn_ingress. */
extern void mn_ebpf_task_pin_path(const char *task, char *buf, size_t len);
extern void mn_ebpf_nic_pin_path(const char *ifname, char *buf, size_t len);

/*
 * Put the program (prog_fd, its name for messages) on the device's hook.
 * *link gets the pinned link (NULL on clsact).  A pinned link on the same
 * device and hook is reused, its program swapped atomically; with
 * inherited (a device an earlier multinicd may have held), what a
 * multinicd running on the other hook left there goes once the new
 * attachment is in place.  Returns 0 or a negative errno with err set.
 */
extern int mn_ebpf_hook_attach(const char *pin, int prog_fd, const char *prog_name, int ifindex,
			       enum mn_ebpf_hook hook, bool inherited, struct bpf_link **link,
			       char *err, size_t len);
/* Take the program off again (unpins the link). */
extern void mn_ebpf_hook_detach(int ifindex, enum mn_ebpf_hook hook, struct bpf_link **link);

/* Our clsact filter off a device, if it is there. */
extern void mn_ebpf_tc_detach(int ifindex);
/* A link is pinned under MN_PIN_LINKS (what an earlier multinicd left). */
extern bool mn_ebpf_pins_exist(void);
/* Unpin every link under MN_PIN_LINKS: their programs come off. */
extern void mn_ebpf_pins_remove(void);
/* Unpin the links keep() does not claim (by file name); how many went. */
extern unsigned int mn_ebpf_pins_reconcile(bool (*keep)(const char *pin, void *arg), void *arg);

#endif /* _MULTINIC_EBPF_LINK_H */
