// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * multinicd: the egress modes, the datapaths and which of them the
 * kernel's capabilities allow (DESIGN.md §3).  Pure helpers (no FRR, no
 * syscalls), unit-tested with cmocka in tests/unit; the datapath switch
 * (multinic_datapath.c) and the capability probe (multinic_caps.c) use
 * them.
 */
#ifndef _MULTINIC_DATAPATH_SELECT_H
#define _MULTINIC_DATAPATH_SELECT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/*
 * Parse the leading "MAJOR.MINOR[.PATCH]" of a kernel release string
 * (uname -r, e.g. "6.18.44-fc-v669").  Missing PATCH is 0.  Returns 0 or
 * -1 when the string does not start with a version.
 */
int mn_kernel_release_parse(const char *release, int *major, int *minor, int *patch);

/* True when release parses and is >= major.minor. */
bool mn_kernel_at_least(const char *release, int major, int minor);

/* Datapath capabilities, as probed at start. */
struct mn_caps {
	bool netkit;
	bool veth;
	bool tcx;
	bool clsact;
	bool btf;
	bool bpf_sched_cls;
};

/*
 * For tests: mark the capabilities named in list as missing ("tcx,netkit":
 * names separated by commas or spaces; netkit, veth, tcx, clsact, btf,
 * sched-cls), so that the fallbacks can run on a kernel that has
 * everything.  Returns 0, or -1 with the unknown name in err and caps
 * unchanged.
 */
int mn_caps_disable(struct mn_caps *caps, const char *list, char *err, size_t errlen);

/* Same values as the YANG enumerations. */
enum mn_egress_mode {
	MN_EGRESS_AUTO = 0,
	MN_EGRESS_EBPF = 1,
	MN_EGRESS_KERNEL = 2,
};

enum mn_datapath {
	MN_DP_NONE = 0,
	MN_DP_NETKIT = 1,
	MN_DP_VETH_TCX = 2,
	MN_DP_VETH_CLSACT = 3,
	MN_DP_KERNEL = 4,
};

/* Flow placement of the eBPF datapath; same values as the YANG enumeration. */
enum mn_placement_mode {
	MN_PLACEMENT_HASH = 0,
	MN_PLACEMENT_LEAST_LOADED = 1,
};

/* "hash", "least-loaded". */
const char *mn_placement_name(enum mn_placement_mode placement);

/* "none", "netkit", "veth-tcx", "veth-clsact", "kernel". */
const char *mn_datapath_name(enum mn_datapath dp);
/* "auto", "ebpf", "kernel". */
const char *mn_egress_mode_name(enum mn_egress_mode mode);

/*
 * Pick the datapath for an egress mode given the capabilities
 * (DESIGN.md §3): netkit (needs netkit and a loadable SCHED_CLS program)
 * > veth + tcx > veth + clsact > kernel.  auto falls back to kernel; ebpf
 * returns MN_DP_NONE when no eBPF datapath is possible; kernel always
 * returns MN_DP_KERNEL.  Writes a one-line human explanation into reason.
 */
enum mn_datapath mn_datapath_select(enum mn_egress_mode mode, const struct mn_caps *caps,
				    char *reason, size_t reasonlen);


#ifdef __cplusplus
}
#endif

#endif /* _MULTINIC_DATAPATH_SELECT_H */
