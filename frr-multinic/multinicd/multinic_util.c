// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * multinicd: pure helpers (no FRR, no syscalls).  See multinic_util.h.
 *
 * Everything here decides from plain values so that tests/unit can check
 * it without root, a kernel with particular features, or a running FRR.
 * Messages written into err/reason are shown to the operator as they are
 * (vtysh, northbound errors, "show multinic"), so they are full sentences
 * that say what was refused and why.
 */
#include <fnmatch.h>
#include <limits.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "multinic_util.h"

/* What the kernel allows for a file name, and for a path handed to open(). */
#define MN_NETNS_NAME_MAX 255
#define MN_NETNS_PATH_MAX 4095
#define MN_NETNS_DIR	  "/run/netns/"

/* Room for a quoted value in a message: enough for any interface name. */
#define MN_QUOTE_SIZE 72

/*
 * Local, locale-independent character classes: the rules we check are the
 * kernel's and iproute2's, which do not depend on the agent's locale.
 */
static bool mn_is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\v' || c == '\f' || c == '\r';
}

/*
 * The kernel's isspace() also counts 0xa0 (Latin-1 no-break space), so
 * dev_valid_name() refuses that byte too; mirror it so that a name we
 * accept is never refused by the kernel later.
 */
static bool mn_is_kernel_space(char c)
{
	return mn_is_space(c) || (unsigned char)c == 0xa0;
}

static bool mn_is_control(char c)
{
	return (unsigned char)c < 0x20 || (unsigned char)c == 0x7f;
}

static bool mn_is_digit(char c)
{
	return c >= '0' && c <= '9';
}

static bool mn_is_alnum(char c)
{
	return mn_is_digit(c) || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static bool mn_is_print(char c)
{
	return (unsigned char)c >= 0x20 && (unsigned char)c < 0x7f;
}

static void mn_set_msg(char *buf, size_t buflen, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* err/reason are optional: callers that only want the verdict pass NULL. */
static void mn_set_msg(char *buf, size_t buflen, const char *fmt, ...)
{
	va_list ap;

	if (!buf || buflen == 0)
		return;
	va_start(ap, fmt);
	vsnprintf(buf, buflen, fmt, ap);
	va_end(ap);
}

/*
 * Write c as the user should see it in a message into out (at least 5
 * bytes), without the NUL; returns the length.  Control characters would
 * be invisible or break the line, so they are escaped C-style.
 */
static size_t mn_escape_char(char c, char *out)
{
	static const char hex[] = "0123456789abcdef";
	unsigned char u = (unsigned char)c;

	switch (c) {
	case '"':
	case '\\':
		out[0] = '\\';
		out[1] = c;
		return 2;
	case '\t':
		memcpy(out, "\\t", 2);
		return 2;
	case '\n':
		memcpy(out, "\\n", 2);
		return 2;
	case '\r':
		memcpy(out, "\\r", 2);
		return 2;
	}
	if (mn_is_print(c)) {
		out[0] = c;
		return 1;
	}
	out[0] = '\\';
	out[1] = 'x';
	out[2] = hex[u >> 4];
	out[3] = hex[u & 0xf];
	return 4;
}

/*
 * Quote s for a message.  Values longer than the buffer are cut and
 * followed by "..." so that one bad value cannot push the explanation out
 * of a fixed-size message.
 */
static const char *mn_quote(const char *s, char *buf, size_t buflen)
{
	/* closing quote, "..." and the NUL */
	const size_t reserve = 5;
	size_t n = 0;
	bool cut = false;

	buf[n++] = '"';
	for (; *s; s++) {
		char esc[5];
		size_t len = mn_escape_char(*s, esc);

		if (n + len + reserve > buflen) {
			cut = true;
			break;
		}
		memcpy(buf + n, esc, len);
		n += len;
	}
	buf[n++] = '"';
	if (cut) {
		memcpy(buf + n, "...", 3);
		n += 3;
	}
	buf[n] = '\0';
	return buf;
}

/* A single character, quoted the way C writes it: 'a', '\t', '\x01'. */
static const char *mn_quote_char(char c, char *buf)
{
	size_t len;

	buf[0] = '\'';
	len = mn_escape_char(c, buf + 1);
	buf[len + 1] = '\'';
	buf[len + 2] = '\0';
	return buf;
}

static bool mn_is_dot_or_dotdot(const char *s)
{
	return strcmp(s, ".") == 0 || strcmp(s, "..") == 0;
}

/*
 * Interface names
 */

/* The characters dev_valid_name() refuses; NULL when there is none. */
static const char *mn_ifname_bad_char(const char *name)
{
	for (; *name; name++)
		if (*name == '/' || *name == ':' || mn_is_kernel_space(*name))
			return name;
	return NULL;
}

bool mn_ifname_valid(const char *name, char *err, size_t errlen)
{
	char q[MN_QUOTE_SIZE];
	const char *bad;
	size_t len;

	if (!name || !*name) {
		mn_set_msg(err, errlen, "interface name is empty");
		return false;
	}
	len = strlen(name);
	if (len > MN_IFNAME_MAX) {
		mn_set_msg(err, errlen,
			   "interface name %s is %zu characters long; the kernel allows at most %d",
			   mn_quote(name, q, sizeof(q)), len, MN_IFNAME_MAX);
		return false;
	}
	/* They would clash with the entries of /sys/class/net itself. */
	if (mn_is_dot_or_dotdot(name)) {
		mn_set_msg(err, errlen,
			   "interface name %s is not allowed: the kernel refuses \".\" and \"..\"",
			   mn_quote(name, q, sizeof(q)));
		return false;
	}
	bad = mn_ifname_bad_char(name);
	if (bad && mn_is_kernel_space(*bad)) {
		mn_set_msg(err, errlen, "interface name %s contains white space",
			   mn_quote(name, q, sizeof(q)));
		return false;
	}
	if (bad) {
		mn_set_msg(err, errlen, "interface name %s contains '%c'",
			   mn_quote(name, q, sizeof(q)), *bad);
		return false;
	}
	return true;
}

/*
 * Network namespace references
 */

/* A name as "ip netns" creates them; NULL when every character is fine. */
static const char *mn_netns_name_bad_char(const char *name)
{
	for (; *name; name++)
		if (!mn_is_alnum(*name) && *name != '_' && *name != '.' && *name != '-')
			return name;
	return NULL;
}

static bool mn_netns_name_valid(const char *name, char *err, size_t errlen)
{
	char q[MN_QUOTE_SIZE], c[8];
	const char *bad;
	size_t len = strlen(name);

	if (len > MN_NETNS_NAME_MAX) {
		mn_set_msg(err, errlen,
			   "netns name %s is %zu characters long; at most %d are allowed",
			   mn_quote(name, q, sizeof(q)), len, MN_NETNS_NAME_MAX);
		return false;
	}
	/* "/run/netns/." and "/run/netns/.." are directories, not netns. */
	if (mn_is_dot_or_dotdot(name)) {
		mn_set_msg(err, errlen,
			   "netns name %s is not allowed: it would refer to a directory, not to a namespace in %s",
			   mn_quote(name, q, sizeof(q)), MN_NETNS_DIR);
		return false;
	}
	bad = mn_netns_name_bad_char(name);
	if (bad) {
		mn_set_msg(err, errlen,
			   "netns name %s contains %s; a name may contain only letters, digits, '_', '.' and '-'",
			   mn_quote(name, q, sizeof(q)), mn_quote_char(*bad, c));
		return false;
	}
	return true;
}

/*
 * The first "." or ".." component of an absolute path, or NULL.  Such
 * paths would let a reference escape the directory it seems to name, and
 * two spellings of one namespace would look like two tasks.
 */
static const char *mn_path_dot_component(const char *path)
{
	const char *p = path;

	while (*p) {
		const char *start = ++p; /* skip the '/' */
		size_t len = strcspn(start, "/");

		if ((len == 1 && start[0] == '.') ||
		    (len == 2 && start[0] == '.' && start[1] == '.'))
			return len == 1 ? "." : "..";
		p = start + len;
	}
	return NULL;
}

/*
 * White space and control characters are legal in file names, but the
 * configuration language (one token per argument, one line per command)
 * cannot carry them, and no container runtime creates such paths.
 */
static const char *mn_path_bad_char(const char *path)
{
	for (; *path; path++)
		if (mn_is_space(*path) || mn_is_control(*path))
			return path;
	return NULL;
}

static bool mn_netns_abspath_valid(const char *path, char *err, size_t errlen)
{
	char q[MN_QUOTE_SIZE], c[8];
	size_t len = strlen(path);
	const char *s;

	if (len > MN_NETNS_PATH_MAX) {
		mn_set_msg(err, errlen,
			   "netns path %s is %zu characters long; at most %d are allowed",
			   mn_quote(path, q, sizeof(q)), len, MN_NETNS_PATH_MAX);
		return false;
	}
	s = mn_path_bad_char(path);
	if (s) {
		mn_set_msg(err, errlen,
			   "netns path %s contains %s, which a configuration command cannot carry",
			   mn_quote(path, q, sizeof(q)), mn_quote_char(*s, c));
		return false;
	}
	s = mn_path_dot_component(path);
	if (s) {
		mn_set_msg(err, errlen,
			   "netns path %s contains a \"%s\" component; give the path without \".\" or \"..\" components",
			   mn_quote(path, q, sizeof(q)), s);
		return false;
	}
	if (path[len - 1] == '/') {
		mn_set_msg(err, errlen,
			   "netns path %s ends with '/'; it must name a namespace file, not a directory",
			   mn_quote(path, q, sizeof(q)));
		return false;
	}
	return true;
}

bool mn_netns_ref_valid(const char *ref, char *err, size_t errlen)
{
	char q[MN_QUOTE_SIZE];

	if (!ref || !*ref) {
		mn_set_msg(err, errlen,
			   "netns reference is empty; give a name in %s or an absolute path",
			   MN_NETNS_DIR);
		return false;
	}
	if (ref[0] == '/')
		return mn_netns_abspath_valid(ref, err, errlen);
	/*
	 * A relative path would depend on the daemon's working directory;
	 * say so rather than complain about '/' as a name character.
	 */
	if (strchr(ref, '/')) {
		mn_set_msg(err, errlen,
			   "netns reference %s is a relative path; give a name in %s (without '/') or an absolute path",
			   mn_quote(ref, q, sizeof(q)), MN_NETNS_DIR);
		return false;
	}
	return mn_netns_name_valid(ref, err, errlen);
}

int mn_netns_path(const char *ref, char *buf, size_t buflen)
{
	int n;

	if (!buf || buflen == 0)
		return -1;
	/* Never leave a stale or partial path behind on failure. */
	buf[0] = '\0';
	if (!mn_netns_ref_valid(ref, NULL, 0))
		return -1;
	if (ref[0] == '/')
		n = snprintf(buf, buflen, "%s", ref);
	else
		n = snprintf(buf, buflen, "%s%s", MN_NETNS_DIR, ref);
	if (n < 0 || (size_t)n >= buflen) {
		buf[0] = '\0';
		return -1;
	}
	return 0;
}

/*
 * Kernel release
 */

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
 * NIC weight
 */

uint16_t mn_weight_from_speed(uint32_t speed_mbps)
{
	uint64_t w;

	/*
	 * Unknown speed: weigh like a typical NIC of these hosts rather than
	 * starve or flood it.  Callers map ethtool's SPEED_UNKNOWN
	 * ((u32)-1) to 0 before calling.
	 */
	if (speed_mbps == 0)
		return MN_WEIGHT_DEFAULT;
	/* 64 bits: rounding must not overflow near UINT32_MAX. */
	w = ((uint64_t)speed_mbps + 500) / 1000;
	if (w < 1)
		return 1; /* a slow NIC still carries some flows */
	if (w > MN_WEIGHT_MAX)
		return MN_WEIGHT_MAX;
	return (uint16_t)w;
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

/*
 * NIC selection rules
 */

bool mn_nic_rule_matches(const struct mn_nic_rule *rule, const struct mn_nic_facts *nic)
{
	if (!rule || !nic)
		return false;
	/* An empty rule must not silently grab every NIC of the host. */
	if (!rule->name_pattern && !rule->driver && !rule->match_default_gw)
		return false;
	if (rule->name_pattern && (!nic->name || fnmatch(rule->name_pattern, nic->name, 0) != 0))
		return false;
	/* A NIC whose driver is unknown cannot satisfy a driver condition. */
	if (rule->driver && (!nic->driver || strcmp(rule->driver, nic->driver) != 0))
		return false;
	if (rule->match_default_gw && !nic->has_default_gw)
		return false;
	return true;
}

/* FNV-1a: tiny, and stable across releases (names must not change). */
static uint32_t fnv1a32(const char *s)
{
	uint32_t h = 2166136261u;

	for (; *s; s++) {
		h ^= (unsigned char)*s;
		h *= 16777619u;
	}
	return h;
}

void mn_task_ifname(const char *task, char *buf, size_t buflen)
{
	if (strlen(task) + 3 <= MN_IFNAME_MAX)
		snprintf(buf, buflen, "mn-%s", task);
	else
		snprintf(buf, buflen, "mn%08x", fnv1a32(task));
}
