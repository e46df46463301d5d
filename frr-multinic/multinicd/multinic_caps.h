// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * multinicd: datapath capabilities, probed once at start.
 */
#ifndef _MULTINIC_CAPS_H
#define _MULTINIC_CAPS_H

#include <sys/utsname.h>

#include "multinic_datapath_select.h"

struct multinic_caps {
	struct mn_caps has;
	char kernel_release[sizeof(((struct utsname *)0)->release)];
	char libbpf_version[32];
	/* MULTINICD_DISABLE_CAPS (tests): capabilities reported missing */
	char disabled[64];
};

#define MN_CAPS_DISABLE_ENV "MULTINICD_DISABLE_CAPS"

extern struct multinic_caps multinic_caps;

/* Probe the running kernel; needs CAP_NET_ADMIN and CAP_SYS_ADMIN. */
extern void multinic_caps_probe(void);

#endif /* _MULTINIC_CAPS_H */
