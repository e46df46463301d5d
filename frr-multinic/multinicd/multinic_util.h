// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * multinicd: pure helpers (no FRR, no syscalls), unit-tested with cmocka
 * in tests/unit.  Everything that decides something from plain values
 * lives here so that it can be tested without root or a running FRR.
 */
#ifndef _MULTINIC_UTIL_H
#define _MULTINIC_UTIL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Linux IFNAMSIZ is 16 including the terminating NUL. */
#define MN_IFNAME_MAX 15
/* Weight of a NIC whose speed is unknown: that of a 100 Gbit/s NIC. */
#define MN_WEIGHT_DEFAULT 100
#define MN_WEIGHT_MAX	  1000

/*
 * Validate an interface name the way the kernel's dev_valid_name() does:
 * 1..15 characters, not "." or "..", no '/', ':' or white space.
 * On failure writes a sentence saying why into err (if not NULL).
 */
bool mn_ifname_valid(const char *name, char *err, size_t errlen);

/*
 * Validate a network namespace reference: either a name under /run/netns
 * (letters, digits, '_', '.', '-'; not "." or "..") or an absolute path
 * without "/../" or "/./" components.
 */
bool mn_netns_ref_valid(const char *ref, char *err, size_t errlen);

/*
 * Resolve a valid netns reference to a path: names become
 * /run/netns/NAME, absolute paths are copied.  Returns 0, or -1 when buf
 * is too small or ref is invalid.
 */
int mn_netns_path(const char *ref, char *buf, size_t buflen);

/*
 * Parse the leading "MAJOR.MINOR[.PATCH]" of a kernel release string
 * (uname -r, e.g. "6.18.44-fc-v669").  Missing PATCH is 0.  Returns 0 or
 * -1 when the string does not start with a version.
 */
int mn_kernel_release_parse(const char *release, int *major, int *minor, int *patch);

/* True when release parses and is >= major.minor. */
bool mn_kernel_at_least(const char *release, int major, int minor);

/*
 * Weight of a NIC from its speed in Mbit/s: one unit per Gbit/s, rounded
 * to nearest, clamped to 1..MN_WEIGHT_MAX; MN_WEIGHT_DEFAULT when the
 * speed is unknown (0).
 */
uint16_t mn_weight_from_speed(uint32_t speed_mbps);

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

/* What a NIC selection rule looks at. NULL/unset fields are ignored. */
struct mn_nic_rule {
	const char *name_pattern; /* fnmatch(3) glob, or NULL */
	const char *driver;	  /* exact driver name, or NULL */
	bool match_default_gw;	  /* require has_default_gw */
};

struct mn_nic_facts {
	const char *name;
	const char *driver; /* NULL when unknown (virtual devices) */
	bool has_default_gw;
};

/*
 * A rule matches when every condition it sets holds.  A rule that sets no
 * condition matches nothing (the YANG model refuses such rules anyway).
 */
bool mn_nic_rule_matches(const struct mn_nic_rule *rule, const struct mn_nic_facts *nic);

/*
 * Name of a task's host-side device: "mn-" + the task name when that fits
 * in an interface name (task names of up to 12 characters), otherwise
 * "mn" + 8 hex digits of a hash of the name.  Deterministic, so that a
 * restarted multinicd finds the devices it made; the two forms cannot
 * collide (the hashed one has no '-' after "mn").  buflen >= 16.
 */
void mn_task_ifname(const char *task, char *buf, size_t buflen);

#ifdef __cplusplus
}
#endif

#endif /* _MULTINIC_UTIL_H */
