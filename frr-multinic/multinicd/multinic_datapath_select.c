// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * multinicd: which egress datapath the kernel's capabilities allow (pure
 * helpers, no FRR, no syscalls; see multinic_datapath_select.h),
 * unit-tested in tests/unit/test_multinic_datapath_select.c.
 */
#include <limits.h>
#include <stdbool.h>
#include <string.h>

#include "multinic_datapath_select.h"
#include "multinic_msg.h"

static bool mn_is_digit(char c)
{
	return c >= '0' && c <= '9';
}
/*
 * Parse one decimal number of at least one digit at s.  strtol() is not
 * used because it accepts leading white space and signs, which uname -r
 * never has, and because it does not stop at int's range.  Returns the
 * first character after the digits, or NULL.
 */
static const char *mn_parse_number(const char *s, int *out)
{
	int v = 0;

	if (!mn_is_digit(*s))
		return NULL;
	for (; mn_is_digit(*s); s++) {
		int d = *s - '0';

		if (v > (INT_MAX - d) / 10)
			return NULL;
		v = v * 10 + d;
	}
	*out = v;
	return s;
}

int mn_kernel_release_parse(const char *release, int *major, int *minor, int *patch)
{
	int maj, min, pat = 0;
	const char *p;

	if (!release)
		return -1;
	p = mn_parse_number(release, &maj);
	if (!p || *p != '.')
		return -1;
	p = mn_parse_number(p + 1, &min);
	if (!p)
		return -1;
	/*
	 * PATCH is optional ("6.6", "6.6-rc1"); a '.' not followed by a
	 * number belongs to the suffix, not to the version.
	 */
	if (*p == '.' && !mn_parse_number(p + 1, &pat))
		pat = 0;
	/* Outputs are written only on success: callers keep their defaults. */
	if (major)
		*major = maj;
	if (minor)
		*minor = min;
	if (patch)
		*patch = pat;
	return 0;
}

bool mn_kernel_at_least(const char *release, int major, int minor)
{
	int maj, min;

	if (mn_kernel_release_parse(release, &maj, &min, NULL) < 0)
		return false;
	return maj > major || (maj == major && min >= minor);
}

/*
 * Capabilities
 */

static bool *mn_caps_field(struct mn_caps *caps, const char *name, size_t len)
{
	static const struct {
		const char *name;
		size_t offset;
	} fields[] = {
		{ "netkit", offsetof(struct mn_caps, netkit) },
		{ "veth", offsetof(struct mn_caps, veth) },
		{ "tcx", offsetof(struct mn_caps, tcx) },
		{ "clsact", offsetof(struct mn_caps, clsact) },
		{ "btf", offsetof(struct mn_caps, btf) },
		{ "sched-cls", offsetof(struct mn_caps, bpf_sched_cls) },
	};
	size_t i;

	for (i = 0; i < sizeof(fields) / sizeof(fields[0]); i++)
		if (strlen(fields[i].name) == len && !strncmp(fields[i].name, name, len))
			return (bool *)((char *)caps + fields[i].offset);
	return NULL;
}

int mn_caps_disable(struct mn_caps *caps, const char *list, char *err, size_t errlen)
{
	static const char sep[] = ", \t";
	struct mn_caps out = *caps;
	const char *p = list;
	bool *field;
	size_t len;

	while (p && *p) {
		p += strspn(p, sep);
		len = strcspn(p, sep);
		if (!len)
			break;
		field = mn_caps_field(&out, p, len);
		if (!field) {
			mn_set_msg(err, errlen,
				   "unknown capability \"%.*s\" (known: netkit, veth, tcx, clsact, btf, sched-cls)",
				   (int)len, p);
			return -1;
		}
		*field = false;
		p += len;
	}
	*caps = out;
	return 0;
}

/*
 * Datapath selection
 */

const char *mn_datapath_name(enum mn_datapath dp)
{
	switch (dp) {
	case MN_DP_NONE:
		return "none";
	case MN_DP_NETKIT:
		return "netkit";
	case MN_DP_VETH_TCX:
		return "veth-tcx";
	case MN_DP_VETH_CLSACT:
		return "veth-clsact";
	case MN_DP_KERNEL:
		return "kernel";
	}
	/* Never NULL: the result goes straight into messages and JSON. */
	return "unknown";
}

const char *mn_placement_name(enum mn_placement_mode placement)
{
	switch (placement) {
	case MN_PLACEMENT_HASH:
		return "hash";
	case MN_PLACEMENT_LEAST_LOADED:
		return "least-loaded";
	}
	return "unknown";
}

const char *mn_egress_mode_name(enum mn_egress_mode mode)
{
	switch (mode) {
	case MN_EGRESS_AUTO:
		return "auto";
	case MN_EGRESS_EBPF:
		return "ebpf";
	case MN_EGRESS_KERNEL:
		return "kernel";
	}
	return "unknown";
}

/*
 * The best eBPF datapath the capabilities allow, in the order of
 * DESIGN.md §3, with the reason it was picked, prefixed with the
 * datapath's name so that "show multinic" reads "veth-tcx: ...".  When
 * none is possible: MN_DP_NONE and what is missing, without a prefix, for
 * the caller to put into its own sentence.
 */
static enum mn_datapath mn_ebpf_select(const struct mn_caps *caps, const char **why)
{
	if (!caps->bpf_sched_cls) {
		*why = "the kernel cannot load SCHED_CLS BPF programs";
		return MN_DP_NONE;
	}
	if (caps->netkit) {
		*why = "netkit: netkit is available in this kernel";
		return MN_DP_NETKIT;
	}
	if (!caps->veth) {
		*why = "netkit and veth are not available in this kernel";
		return MN_DP_NONE;
	}
	if (caps->tcx) {
		*why = "veth-tcx: netkit is not available in this kernel; tcx is";
		return MN_DP_VETH_TCX;
	}
	if (caps->clsact) {
		*why = "veth-clsact: netkit and tcx are not available in this kernel; clsact is";
		return MN_DP_VETH_CLSACT;
	}
	*why = "netkit, tcx and clsact are not available in this kernel";
	return MN_DP_NONE;
}

enum mn_datapath mn_datapath_select(enum mn_egress_mode mode, const struct mn_caps *caps,
				    char *reason, size_t reasonlen)
{
	/* Nothing probed means nothing available, never "assume it works". */
	static const struct mn_caps none;
	enum mn_datapath dp;
	const char *why;

	if (!caps)
		caps = &none;
	switch (mode) {
	case MN_EGRESS_KERNEL:
		mn_set_msg(reason, reasonlen, "kernel: egress-mode kernel is configured");
		return MN_DP_KERNEL;
	case MN_EGRESS_AUTO:
		dp = mn_ebpf_select(caps, &why);
		if (dp != MN_DP_NONE) {
			mn_set_msg(reason, reasonlen, "%s", why);
			return dp;
		}
		mn_set_msg(reason, reasonlen, "kernel: no eBPF datapath is possible because %s",
			   why);
		return MN_DP_KERNEL;
	case MN_EGRESS_EBPF:
		dp = mn_ebpf_select(caps, &why);
		if (dp != MN_DP_NONE)
			mn_set_msg(reason, reasonlen, "%s", why);
		else
			mn_set_msg(reason, reasonlen,
				   "none: egress-mode ebpf is configured, but no eBPF datapath is possible because %s",
				   why);
		return dp;
	}
	mn_set_msg(reason, reasonlen,
		   "none: egress mode %d is unknown; expected auto, ebpf or kernel", (int)mode);
	return MN_DP_NONE;
}
