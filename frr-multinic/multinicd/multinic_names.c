// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * multinicd: names and references multinicd accepts from the operator or
 * gives to the kernel (pure helpers, no FRR, no syscalls; see
 * multinic_names.h), unit-tested in tests/unit/test_multinic_names.c.
 */
#include <limits.h>
#include <stdint.h>
#include <string.h>

#include "multinic_msg.h"
#include "multinic_names.h"

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
 * Task device names
 */

/* FNV-1a, 64 bits: tiny, and stable across releases (names must not change). */
static uint64_t fnv1a64(const char *s, uint64_t h)
{
	for (; *s; s++) {
		h ^= (unsigned char)*s;
		h *= 1099511628211ULL;
	}
	return h;
}

#define FNV64_OFFSET 14695981039346656037ULL

/* 13 base32 digits (a-z, 2-7): 65 bits, the 64 of the hash. */
static void base32_13(uint64_t h, char *out)
{
	static const char digits[] = "abcdefghijklmnopqrstuvwxyz234567";
	int i;

	for (i = 12; i >= 0; i--) {
		out[i] = digits[h & 31];
		h >>= 5;
	}
	out[13] = '\0';
}

void mn_task_ifname_variant(const char *task, unsigned int variant, char *buf, size_t buflen)
{
	char digits[14], salt[16];
	uint64_t h;

	if (variant == 0 && strlen(task) + 3 <= MN_IFNAME_MAX) {
		snprintf(buf, buflen, "mn-%s", task);
		return;
	}
	h = fnv1a64(task, FNV64_OFFSET);
	if (variant) {
		snprintf(salt, sizeof(salt), "#%u", variant);
		h = fnv1a64(salt, h);
	}
	base32_13(h, digits);
	snprintf(buf, buflen, "mn%s", digits);
}

void mn_task_ifname(const char *task, char *buf, size_t buflen)
{
	mn_task_ifname_variant(task, 0, buf, buflen);
}

/* FNV-1a, 32 bits: the hash of multinicd 0.1. */
static uint32_t fnv1a32(const char *s)
{
	uint32_t h = 2166136261u;

	for (; *s; s++) {
		h ^= (unsigned char)*s;
		h *= 16777619u;
	}
	return h;
}

bool mn_task_ifname_legacy(const char *task, char *buf, size_t buflen)
{
	if (strlen(task) + 3 <= MN_IFNAME_MAX)
		return false;
	snprintf(buf, buflen, "mn%08x", fnv1a32(task));
	return true;
}

void mn_task_alias(const char *task, char *buf, size_t buflen)
{
	snprintf(buf, buflen, "%s%s", MN_TASK_ALIAS_PREFIX, task);
}

const char *mn_task_of_alias(const char *alias)
{
	size_t n = strlen(MN_TASK_ALIAS_PREFIX);

	if (strncmp(alias, MN_TASK_ALIAS_PREFIX, n) != 0 || !alias[n])
		return NULL;
	return alias + n;
}

bool mn_ifname_is_task_device(const char *name)
{
	size_t len = strlen(name), i;

	if (!strncmp(name, "mn-", 3) && len > 3)
		return true;
	if (strncmp(name, "mn", 2))
		return false;
	if (len == 15) { /* "mn" + 13 base32 digits */
		for (i = 2; i < len; i++)
			if (!((name[i] >= 'a' && name[i] <= 'z') || (name[i] >= '2' && name[i] <= '7')))
				return false;
		return true;
	}
	if (len == 10) { /* multinicd 0.1: "mn" + 8 hex digits */
		for (i = 2; i < len; i++)
			if (!((name[i] >= '0' && name[i] <= '9') || (name[i] >= 'a' && name[i] <= 'f')))
				return false;
		return true;
	}
	return false;
}
