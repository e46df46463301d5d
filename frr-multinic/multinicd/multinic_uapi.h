// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * multinicd: kernel UAPI constants that Debian 12's linux-libc-dev (6.1)
 * lacks.  Values are ABI and never change; each block is guarded so that
 * newer headers win.
 */
#ifndef _MULTINIC_UAPI_H
#define _MULTINIC_UAPI_H

#include <linux/if_link.h>

/* netkit (Linux 6.7), include/uapi/linux/if_link.h */
#ifndef IFLA_NETKIT_MAX
enum {
	IFLA_NETKIT_UNSPEC,
	IFLA_NETKIT_PEER_INFO,
	IFLA_NETKIT_PRIMARY,
	IFLA_NETKIT_POLICY,
	IFLA_NETKIT_PEER_POLICY,
	IFLA_NETKIT_MODE,
	IFLA_NETKIT_SCRUB,
	IFLA_NETKIT_PEER_SCRUB,
	IFLA_NETKIT_HEADROOM,
	IFLA_NETKIT_TAILROOM,
	__IFLA_NETKIT_MAX,
};
#define IFLA_NETKIT_MAX (__IFLA_NETKIT_MAX - 1)

enum netkit_action {
	NETKIT_NEXT = -1,
	NETKIT_PASS = 0,
	NETKIT_DROP = 2,
	NETKIT_REDIRECT = 7,
};

enum netkit_mode {
	NETKIT_L2,
	NETKIT_L3,
};

enum netkit_scrub {
	NETKIT_SCRUB_NONE,
	NETKIT_SCRUB_DEFAULT,
};
#endif /* IFLA_NETKIT_MAX */

#endif /* _MULTINIC_UAPI_H */
