// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Tests for frr-multinic/multinicd/multinic_netlink.c (cmocka), against
 * the real kernel.
 *
 * Every test gets two fresh network namespaces, "mnltest-PID-a" and
 * "mnltest-PID-b" (ip netns add), and works in them and on host links
 * named "mntPIDh0"... (the PID keeps parallel runs apart).  The teardown
 * removes them whether the test passed or not, and checks that the test
 * left this thread in its own namespace and leaked no file descriptor;
 * the last test checks that nothing at all is left behind.  What the
 * code under test did is checked from the outside with iproute2 (ip -N
 * prints protocol and scope numbers, independent of /etc/iproute2).
 *
 * On this project's test kernel netkit creation must fail cleanly with
 * -EOPNOTSUPP; on a kernel with netkit the pair is checked for real
 * (tests/netlink/run-in-vm.sh boots Debian's 6.12 under qemu for that).
 *
 * Needs root (CAP_NET_ADMIN and CAP_SYS_ADMIN) and iproute2; otherwise the
 * program exits 77, automake's "skipped".  Run with "make check" at the
 * top of the tree; the output is in tests/netlink/test_multinic_netlink.log.
 */
#define _GNU_SOURCE

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <net/if.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include "multinic_netlink.h"

#define UNUSED	      __attribute__((unused))
#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

#define ERRLEN 512
#define OUTLEN 16384

/* automake: the test was skipped */
#define EXIT_SKIP 77

#define assert_contains(haystack, needle)                                                          \
	do {                                                                                       \
		const char *h_ = (haystack), *n_ = (needle);                                       \
		if (!strstr(h_, n_))                                                               \
			fail_msg("\"%s\" does not contain \"%s\"", h_, n_);                        \
	} while (0)

#define assert_not_contains(haystack, needle)                                                      \
	do {                                                                                       \
		const char *h_ = (haystack), *n_ = (needle);                                       \
		if (strstr(h_, n_))                                                                \
			fail_msg("\"%s\" contains \"%s\"", h_, n_);                                \
	} while (0)

#define assert_starts_with(s, prefix)                                                              \
	do {                                                                                       \
		const char *s_ = (s), *p_ = (prefix);                                              \
		if (strncmp(s_, p_, strlen(p_)) != 0)                                              \
			fail_msg("\"%s\" does not start with \"%s\"", s_, p_);                     \
	} while (0)

/* Assert that a call returned 0, showing its message otherwise. */
#define assert_ok(call, err)                                                                       \
	do {                                                                                       \
		int rc_;                                                                           \
		(err)[0] = '\0';                                                                   \
		rc_ = (call);                                                                      \
		if (rc_ != 0)                                                                      \
			fail_msg("%s = %d (%s): %s", #call, rc_, strerror(rc_ < 0 ? -rc_ : rc_),   \
				 (err));                                                           \
	} while (0)

/*
 * Names, all derived from our PID.
 */
static char ns_a[32], ns_b[32];		/* namespace names */
static char h0[IFNAMSIZ], h1[IFNAMSIZ]; /* host ends */
static char p0[IFNAMSIZ], p1[IFNAMSIZ]; /* peers (unique: found if leaked) */
static char link_prefix[IFNAMSIZ];	/* "mntPID" */

/* What a test's setup hands to it. */
struct fixture {
	struct mn_nl_ns a, b; /* the two namespaces, opened */
	ino_t netns_ino;      /* this thread's namespace at setup */
	int nfds;	      /* open descriptors at setup */
};

/*
 * Shell helpers (iproute2 is the independent witness)
 */

/* Run a command, output discarded; its exit status. */
static int run(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static int run(const char *fmt, ...)
{
	char cmd[1024];
	va_list ap;
	int rc;

	va_start(ap, fmt);
	vsnprintf(cmd, sizeof(cmd), fmt, ap);
	va_end(ap);
	strncat(cmd, " >/dev/null 2>&1", sizeof(cmd) - strlen(cmd) - 1);
	rc = system(cmd);
	return rc == -1 || !WIFEXITED(rc) ? -1 : WEXITSTATUS(rc);
}

/* Drop the blanks at the ends of lines, in place. */
static char *trim_lines(char *s)
{
	char *r = s, *w = s, *blank = NULL;

	for (; *r; r++) {
		if (*r == ' ' || *r == '\t') {
			if (!blank)
				blank = w;
		} else if (*r == '\n' && blank) {
			w = blank;
			blank = NULL;
		} else {
			blank = NULL;
		}
		*w++ = *r;
	}
	*(blank ? blank : w) = '\0';
	return s;
}

/*
 * Run a command and return its stdout (a static buffer), without blanks
 * at the ends of lines: iproute2 versions differ there.
 */
static const char *out(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static const char *out(const char *fmt, ...)
{
	static char buf[OUTLEN];
	char cmd[1024];
	size_t n = 0, r;
	va_list ap;
	FILE *f;

	va_start(ap, fmt);
	vsnprintf(cmd, sizeof(cmd), fmt, ap);
	va_end(ap);
	buf[0] = '\0';
	f = popen(cmd, "r");
	if (!f)
		fail_msg("cannot run %s", cmd);
	while ((r = fread(buf + n, 1, sizeof(buf) - 1 - n, f)) > 0)
		n += r;
	buf[n] = '\0';
	pclose(f);
	return trim_lines(buf);
}

/* The ifindex that "ip -o link show" prints first; -1 if none. */
static int ip_ifindex(const char *ns, const char *ifname)
{
	int idx = -1;

	if (ns)
		sscanf(out("ip -n %s -o link show dev %s 2>/dev/null", ns, ifname), "%d:", &idx);
	else
		sscanf(out("ip -o link show dev %s 2>/dev/null", ifname), "%d:", &idx);
	return idx;
}

/* The one-line "ip -o link show" of a link ("" when it does not exist). */
static const char *ip_link(const char *ns, const char *ifname)
{
	if (ns)
		return out("ip -n %s -o -d link show dev %s 2>/dev/null", ns, ifname);
	return out("ip -o -d link show dev %s 2>/dev/null", ifname);
}

/* Whether the <FLAGS> of an "ip -o link" line include UP. */
static bool link_flag_up(const char *line)
{
	const char *lt = strchr(line, '<'), *gt = strchr(line, '>');
	char flags[256], *tok, *save;

	if (!lt || !gt || gt < lt || (size_t)(gt - lt) >= sizeof(flags))
		fail_msg("no flags in \"%s\"", line);
	memcpy(flags, lt + 1, (size_t)(gt - lt - 1));
	flags[gt - lt - 1] = '\0';
	for (tok = strtok_r(flags, ",", &save); tok; tok = strtok_r(NULL, ",", &save))
		if (!strcmp(tok, "UP"))
			return true;
	return false;
}

static struct mn_nl_prefix pfx(const char *s)
{
	struct mn_nl_prefix p;

	if (mn_nl_prefix_parse(s, &p) != 0)
		fail_msg("bad test prefix %s", s);
	return p;
}

/*
 * Environment checks: this thread's namespace, open descriptors
 */

static ino_t thread_netns(void)
{
	struct stat st;

	if (stat("/proc/thread-self/ns/net", &st) < 0)
		fail_msg("stat /proc/thread-self/ns/net: %s", strerror(errno));
	return st.st_ino;
}

static int count_fds(void)
{
	struct dirent *de;
	DIR *d;
	int n = 0;

	d = opendir("/proc/self/fd");
	if (!d)
		return -1;
	while ((de = readdir(d)))
		if (de->d_name[0] != '.')
			n++;
	closedir(d);
	return n - 1; /* the directory's own descriptor */
}

/*
 * Setup and teardown
 */

/* Remove everything a test may have created; errors ignored. */
static void cleanup(void)
{
	const char *links[] = { h0, h1, p0, p1 };

	for (size_t i = 0; i < ARRAY_SIZE(links); i++)
		run("ip link del %s", links[i]);
	run("ip netns del %s", ns_a);
	run("ip netns del %s", ns_b);
}

static void on_signal(int sig)
{
	cleanup();
	signal(sig, SIG_DFL);
	raise(sig);
}

static int open_ns(const char *name, struct mn_nl_ns *ns)
{
	char path[64], err[ERRLEN];

	snprintf(path, sizeof(path), "/run/netns/%s", name);
	ns->fd = mn_nl_netns_open(path, err, sizeof(err));
	ns->name = name;
	if (ns->fd < 0) {
		fprintf(stderr, "%s\n", err);
		return -1;
	}
	return 0;
}

static int setup(void **state)
{
	static struct fixture fx;

	cleanup();
	memset(&fx, 0, sizeof(fx));
	fx.a.fd = fx.b.fd = -1;
	if (run("ip netns add %s", ns_a) || run("ip netns add %s", ns_b)) {
		fprintf(stderr, "cannot create test namespaces\n");
		goto fail;
	}
	if (open_ns(ns_a, &fx.a) < 0 || open_ns(ns_b, &fx.b) < 0)
		goto fail;
	fx.netns_ino = thread_netns();
	fx.nfds = count_fds();
	*state = &fx;
	return 0;

fail:
	if (fx.a.fd >= 0)
		close(fx.a.fd);
	if (fx.b.fd >= 0)
		close(fx.b.fd);
	cleanup();
	return -1;
}

static int teardown(void **state)
{
	struct fixture *fx = *state;
	int nfds = count_fds(), rc = 0;

	/* Checked here so that every test, passed or failed, is covered. */
	if (thread_netns() != fx->netns_ino) {
		fprintf(stderr, "the test left this thread in another netns\n");
		rc = -1;
	}
	if (nfds != fx->nfds) {
		fprintf(stderr, "file descriptors: %d at setup, %d now\n", fx->nfds, nfds);
		rc = -1;
	}
	close(fx->a.fd);
	close(fx->b.fd);
	cleanup();
	return rc;
}

/* A veth pair h0 (host) <-> p0 (in a), both up, as most tests need. */
static void make_pair(struct fixture *fx, bool up)
{
	char err[ERRLEN];
	int hidx, pidx;

	assert_ok(mn_nl_veth_create(h0, p0, &fx->a, 0, &hidx, &pidx, err, sizeof(err)), err);
	if (!up)
		return;
	assert_ok(mn_nl_link_up(&MN_NL_NS_HOST, h0, 0, err, sizeof(err)), err);
	assert_ok(mn_nl_link_up(&fx->a, p0, 0, err, sizeof(err)), err);
}

/*
 * Prefixes
 */

static void prefix_parse_valid(void **state UNUSED)
{
	static const struct {
		const char *in;
		int family;
		unsigned int plen;
		const char *back;
	} cases[] = {
		{ "10.0.0.1/32", AF_INET, 32, "10.0.0.1/32" },
		{ "10.1.0.0/16", AF_INET, 16, "10.1.0.0/16" },
		{ "10.0.0.1", AF_INET, 32, "10.0.0.1/32" },
		{ "0.0.0.0/0", AF_INET, 0, "0.0.0.0/0" },
		{ "fd00::1/128", AF_INET6, 128, "fd00::1/128" },
		{ "fd00::1", AF_INET6, 128, "fd00::1/128" },
		{ "FD00:0:0::1/64", AF_INET6, 64, "fd00::1/64" },
		{ "::/0", AF_INET6, 0, "::/0" },
		{ "::ffff:10.0.0.1/128", AF_INET6, 128, "::ffff:10.0.0.1/128" },
		{ "10.0.0.1/008", AF_INET, 8, "10.0.0.1/8" },
	};
	char buf[64];

	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		struct mn_nl_prefix p;

		if (mn_nl_prefix_parse(cases[i].in, &p) != 0)
			fail_msg("\"%s\" refused", cases[i].in);
		assert_int_equal(p.family, cases[i].family);
		assert_int_equal(p.plen, cases[i].plen);
		assert_string_equal(mn_nl_prefix_str(&p, buf, sizeof(buf)), cases[i].back);
	}
}

static void prefix_parse_invalid(void **state UNUSED)
{
	static const char *const bad[] = {
		"",
		"10.0.0.1/33",
		"fd00::1/129",
		"10.0.0.1/",
		"10.0.0.1/-1",
		"10.0.0.1/+8",
		"10.0.0.1/ 8",
		"10.0.0.1/8 ",
		" 10.0.0.1/8",
		"10.0.0.1/0x8",
		"10.0.0.1/0032",
		"10.0.0.1/8/8",
		"10.0.0.256",
		"10.0.0",
		"fd00:::1",
		"host.example",
		"fd00:0000:0000:0000:0000:0000:0000:0001:0001/128",
	};
	struct mn_nl_prefix p, orig;

	memset(&orig, 0xa5, sizeof(orig));
	for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
		p = orig;
		if (mn_nl_prefix_parse(bad[i], &p) != -EINVAL)
			fail_msg("\"%s\" accepted", bad[i]);
		/* a refused string leaves the result alone */
		assert_memory_equal(&p, &orig, sizeof(p));
	}
	assert_int_equal(mn_nl_prefix_parse(NULL, &p), -EINVAL);
	assert_int_equal(mn_nl_prefix_parse("10.0.0.1", NULL), -EINVAL);
}

static void prefix_str_edges(void **state UNUSED)
{
	struct mn_nl_prefix p = pfx("fd00:1234::1/64");
	char buf[64], small[8];

	/* truncated, still terminated, and buf is returned */
	assert_ptr_equal(mn_nl_prefix_str(&p, small, sizeof(small)), small);
	assert_string_equal(small, "fd00:12");

	memset(&p, 0, sizeof(p));
	assert_string_equal(mn_nl_prefix_str(&p, buf, sizeof(buf)), "(invalid)");
	assert_string_equal(mn_nl_prefix_str(NULL, buf, sizeof(buf)), "(invalid)");
}

/*
 * Namespaces
 */

static void netns_open_paths(void **state)
{
	struct fixture *fx = *state;
	char path[64], err[ERRLEN];
	int fd;

	/* a missing namespace */
	err[0] = '\0';
	snprintf(path, sizeof(path), "/run/netns/%s-missing", ns_a);
	fd = mn_nl_netns_open(path, err, sizeof(err));
	assert_int_equal(fd, -ENOENT);
	assert_contains(err, path);
	assert_contains(err, "does not exist");
	assert_int_equal(mn_nl_netns_open(path, NULL, 0), -ENOENT);

	/* files that are not network namespaces */
	fd = mn_nl_netns_open("/proc/self/ns/mnt", err, sizeof(err));
	assert_int_equal(fd, -EINVAL);
	assert_string_equal(err, "/proc/self/ns/mnt is not a network namespace");
	fd = mn_nl_netns_open("/proc/self/status", err, sizeof(err));
	assert_int_equal(fd, -EINVAL);
	assert_contains(err, "is not a network namespace");
	assert_int_equal(mn_nl_netns_open("", err, sizeof(err)), -EINVAL);

	/* a namespace by /proc/PID path, and by name */
	snprintf(path, sizeof(path), "/proc/%d/ns/net", (int)getpid());
	fd = mn_nl_netns_open(path, err, sizeof(err));
	assert_true(fd >= 0);
	assert_true(fcntl(fd, F_GETFD) & FD_CLOEXEC);
	close(fd);
	assert_true(fx->a.fd >= 0 && fx->b.fd >= 0);
	assert_true(fcntl(fx->a.fd, F_GETFD) & FD_CLOEXEC);
}

/* Acting in a namespace that cannot be entered changes nothing. */
static void netns_enter_fails(void **state UNUSED)
{
	struct mn_nl_ns ghost = { .fd = 1000, .name = "ghost" };
	struct mn_nl_ns file = { .fd = -1, .name = "devnull" };
	struct mn_nl_prefix a = pfx("10.9.9.9/32");
	char err[ERRLEN];

	assert_true(fcntl(1000, F_GETFD) < 0);
	assert_int_equal(mn_nl_link_up(&ghost, "lo", 0, err, sizeof(err)), -EBADF);
	assert_string_equal(err, "cannot enter netns ghost: Bad file descriptor");
	assert_int_equal(mn_nl_link_index(&ghost, "lo"), -EBADF);

	file.fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
	assert_true(file.fd >= 0);
	assert_int_equal(mn_nl_addr_add(&file, "lo", &a, err, sizeof(err)), -EINVAL);
	assert_string_equal(err, "cannot enter netns devnull: Invalid argument");
	close(file.fd);

	/* err is optional */
	assert_int_equal(mn_nl_link_up(&ghost, "lo", 0, NULL, 0), -EBADF);
}

/*
 * Links
 */

static void veth_create_pair(void **state)
{
	struct fixture *fx = *state;
	char err[ERRLEN], at[32], line[1024];
	int hidx = 0, pidx = 0;

	assert_ok(mn_nl_veth_create(h0, p0, &fx->a, 1400, &hidx, &pidx, err, sizeof(err)), err);
	assert_true(hidx > 0 && pidx > 0);

	/* the host end, here */
	assert_int_equal(hidx, (int)if_nametoindex(h0));
	assert_int_equal(hidx, ip_ifindex(NULL, h0));
	assert_int_equal(mn_nl_link_index(&MN_NL_NS_HOST, h0), hidx);
	snprintf(line, sizeof(line), "%s", ip_link(NULL, h0));
	assert_contains(line, " mtu 1400 ");
	assert_contains(line, "veth");
	assert_false(link_flag_up(line));
	snprintf(at, sizeof(at), "%s@if%d:", h0, pidx);
	assert_contains(line, at); /* paired with the index we were given */
	assert_int_equal(mn_nl_link_kind(&MN_NL_NS_HOST, h0, line, sizeof(line)), 0);
	assert_string_equal(line, "veth");
	assert_int_equal(mn_nl_link_kind(&MN_NL_NS_HOST, p0, line, sizeof(line)), -ENODEV);

	/* the peer, born in a and nowhere else */
	assert_int_equal(if_nametoindex(p0), 0);
	assert_int_equal(mn_nl_link_index(&MN_NL_NS_HOST, p0), -ENODEV);
	assert_int_equal(mn_nl_link_index(&fx->b, p0), -ENODEV);
	assert_int_equal(mn_nl_link_index(&fx->a, p0), pidx);
	assert_int_equal(ip_ifindex(ns_a, p0), pidx);
	snprintf(line, sizeof(line), "%s", ip_link(ns_a, p0));
	assert_contains(line, " mtu 1400 ");
	assert_contains(line, "veth");
	assert_false(link_flag_up(line));
	snprintf(at, sizeof(at), "%s@if%d:", p0, hidx);
	assert_contains(line, at);

	/* indexes are optional */
	assert_ok(mn_nl_veth_create(h1, p1, &fx->b, 0, NULL, NULL, err, sizeof(err)), err);
	assert_true(ip_ifindex(ns_b, p1) > 0);
}

static void veth_default_mtu_host_peer(void **state UNUSED)
{
	char err[ERRLEN];
	int hidx, pidx;

	/* MTU 0: the kernel's default; peer in the caller's namespace */
	assert_ok(mn_nl_veth_create(h0, p0, &MN_NL_NS_HOST, 0, &hidx, &pidx, err, sizeof(err)), err);
	assert_contains(ip_link(NULL, h0), " mtu 1500 ");
	assert_contains(ip_link(NULL, p0), " mtu 1500 ");
	assert_int_equal(pidx, (int)if_nametoindex(p0));
	assert_int_equal(hidx, (int)if_nametoindex(h0));
}

static void veth_create_errors(void **state)
{
	struct fixture *fx = *state;
	struct mn_nl_ns bad = { .fd = -1, .name = "devnull" };
	char err[ERRLEN], want[256];
	int hidx = -7, pidx = -7;

	make_pair(fx, false);

	/* the host name is taken: nothing is created in b */
	err[0] = '\0';
	assert_int_equal(mn_nl_veth_create(h0, p1, &fx->b, 0, &hidx, &pidx, err, sizeof(err)),
			 -EEXIST);
	snprintf(want, sizeof(want), "cannot create veth %s with peer %s in netns %s: File exists",
		 h0, p1, ns_b);
	assert_starts_with(err, want);
	assert_int_equal(hidx, -7);
	assert_int_equal(pidx, -7);
	assert_int_equal(mn_nl_link_index(&fx->b, p1), -ENODEV);

	/* the peer name is taken in a: the host end is not left over */
	assert_int_equal(mn_nl_veth_create(h1, p0, &fx->a, 0, NULL, NULL, err, sizeof(err)),
			 -EEXIST);
	assert_int_equal(if_nametoindex(h1), 0);

	/* names the kernel would refuse, or libnl silently cut */
	assert_int_equal(mn_nl_veth_create("abcdefghijklmnop", p1, &fx->b, 0, NULL, NULL, err,
					   sizeof(err)),
			 -EINVAL);
	assert_contains(err, "invalid interface name");
	assert_int_equal(mn_nl_veth_create(h1, "", &fx->b, 0, NULL, NULL, err, sizeof(err)),
			 -EINVAL);

	/* a peer "namespace" that is not one */
	bad.fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
	assert_true(bad.fd >= 0);
	assert_true(mn_nl_veth_create(h1, p1, &bad, 0, NULL, NULL, err, sizeof(err)) < 0);
	assert_contains(err, "in netns devnull: ");
	close(bad.fd);
	assert_int_equal(if_nametoindex(h1), 0);
	assert_int_equal(if_nametoindex(p1), 0);

	/* an MTU veth refuses */
	assert_int_equal(mn_nl_veth_create(h1, p1, &fx->b, 10, NULL, NULL, err, sizeof(err)),
			 -EINVAL);
	assert_int_equal(if_nametoindex(h1), 0);
}

static void netkit_create(void **state)
{
	struct fixture *fx = *state;
	char err[ERRLEN], want[256], line[1024], at[32];
	int hidx = 0, pidx = 0, rc;
	uint8_t mac[6];

	err[0] = '\0';
	rc = mn_nl_netkit_create(h0, p0, &fx->a, 1400, &hidx, &pidx, err, sizeof(err));
	if (rc == -EOPNOTSUPP) {
		/* a kernel without CONFIG_NETKIT, like the test kernel */
		snprintf(want, sizeof(want),
			 "cannot create netkit %s with peer %s in netns %s: Operation not supported",
			 h0, p0, ns_a);
		assert_starts_with(err, want);
		print_message("netkit: not in this kernel (%s)\n", err);
		assert_int_equal(if_nametoindex(h0), 0);
		assert_int_equal(mn_nl_link_index(&fx->a, p0), -ENODEV);
		/* no such primary: the policy cannot be set, and says so */
		assert_int_equal(mn_nl_netkit_set_peer_policy(h0, true, err, sizeof(err)), -ENODEV);
		snprintf(want, sizeof(want), "cannot set the peer policy of netkit %s to forward",
			 h0);
		assert_starts_with(err, want);
		return;
	}
	if (rc != 0)
		fail_msg("netkit: %d: %s", rc, err);

	/* primary here: L3, forward; peer in a: blackhole until BPF */
	assert_int_equal(hidx, (int)if_nametoindex(h0));
	snprintf(line, sizeof(line), "%s", ip_link(NULL, h0));
	print_message("netkit: %s", line);
	assert_contains(line, "netkit mode l3 ");
	assert_contains(line, "type primary policy forward peer policy blackhole");
	/* scrub: not sent, the kernel's default (shown since 6.13-ish) */
	if (strstr(line, "scrub"))
		assert_contains(line, "scrub default peer scrub default");
	assert_contains(line, " mtu 1400 ");
	assert_false(link_flag_up(line));
	snprintf(at, sizeof(at), "%s@if%d:", h0, pidx);
	assert_contains(line, at);
	/* L3: no MAC, so multinicd adds no neighbour for it */
	assert_int_equal(mn_nl_link_mac(&MN_NL_NS_HOST, h0, mac, err, sizeof(err)), -EINVAL);

	assert_int_equal(mn_nl_link_index(&MN_NL_NS_HOST, p0), -ENODEV);
	assert_int_equal(mn_nl_link_index(&fx->a, p0), pidx);
	assert_int_equal(ip_ifindex(ns_a, p0), pidx);
	snprintf(line, sizeof(line), "%s", ip_link(ns_a, p0));
	print_message("netkit peer: %s", line);
	assert_contains(line, "netkit mode l3 ");
	assert_contains(line, "type peer policy blackhole peer policy forward");
	assert_contains(line, " mtu 1400 ");
	assert_false(link_flag_up(line));
	snprintf(at, sizeof(at), "%s@if%d:", p0, hidx);
	assert_contains(line, at);

	/* multinicd tells an adopted pair's kind from the kernel */
	assert_int_equal(mn_nl_link_kind(&MN_NL_NS_HOST, h0, line, sizeof(line)), 0);
	assert_string_equal(line, "netkit");

	/* the task's datapath is in place: the peer forwards, and back */
	assert_ok(mn_nl_netkit_set_peer_policy(h0, true, err, sizeof(err)), err);
	snprintf(line, sizeof(line), "%s", ip_link(NULL, h0));
	assert_contains(line, "type primary policy forward peer policy forward");
	assert_ok(mn_nl_netkit_set_peer_policy(h0, false, err, sizeof(err)), err);
	snprintf(line, sizeof(line), "%s", ip_link(NULL, h0));
	assert_contains(line, "type primary policy forward peer policy blackhole");

	/* the same names again: refused, nothing changed */
	assert_int_equal(mn_nl_netkit_create(h0, p1, &fx->b, 0, NULL, NULL, err, sizeof(err)),
			 -EEXIST);
	assert_int_equal(mn_nl_link_index(&fx->b, p1), -ENODEV);

	assert_ok(mn_nl_link_delete(&MN_NL_NS_HOST, h0, err, sizeof(err)), err);
	assert_int_equal(mn_nl_link_index(&fx->a, p0), -ENODEV);
}

static void link_up_and_mtu(void **state)
{
	struct fixture *fx = *state;
	char err[ERRLEN], line[1024], want[256];

	make_pair(fx, false);

	assert_ok(mn_nl_link_up(&MN_NL_NS_HOST, h0, 9000, err, sizeof(err)), err);
	snprintf(line, sizeof(line), "%s", ip_link(NULL, h0));
	assert_true(link_flag_up(line));
	assert_contains(line, " mtu 9000 ");

	/* in a namespace; mtu 0 keeps the MTU */
	assert_ok(mn_nl_link_up(&fx->a, p0, 0, err, sizeof(err)), err);
	snprintf(line, sizeof(line), "%s", ip_link(ns_a, p0));
	assert_true(link_flag_up(line));
	assert_contains(line, " mtu 1500 ");
	assert_ok(mn_nl_link_up(&fx->a, p0, 1280, err, sizeof(err)), err);
	assert_contains(ip_link(ns_a, p0), " mtu 1280 ");
	/* already up: fine */
	assert_ok(mn_nl_link_up(&fx->a, p0, 0, err, sizeof(err)), err);

	/* missing link, bad MTU */
	assert_int_equal(mn_nl_link_up(&fx->b, p0, 0, err, sizeof(err)), -ENODEV);
	snprintf(want, sizeof(want), "cannot set link %s up in netns %s: No such device", p0, ns_b);
	assert_starts_with(err, want);
	assert_int_equal(mn_nl_link_up(&fx->a, p0, 10, err, sizeof(err)), -EINVAL);
	snprintf(want, sizeof(want),
		 "cannot set link %s up with MTU 10 in netns %s: Invalid argument", p0, ns_a);
	assert_starts_with(err, want);
	assert_contains(ip_link(ns_a, p0), " mtu 1280 ");
}

static void link_mac_read(void **state)
{
	struct fixture *fx = *state;
	char err[ERRLEN], want[256];
	uint8_t mac[6], zero[6] = { 0 };

	make_pair(fx, false);

	assert_ok(mn_nl_link_mac(&MN_NL_NS_HOST, h0, mac, err, sizeof(err)), err);
	snprintf(want, sizeof(want), "link/ether %02x:%02x:%02x:%02x:%02x:%02x ", mac[0], mac[1],
		 mac[2], mac[3], mac[4], mac[5]);
	assert_contains(ip_link(NULL, h0), want);
	assert_memory_not_equal(mac, zero, 6);

	assert_ok(mn_nl_link_mac(&fx->a, p0, mac, err, sizeof(err)), err);
	snprintf(want, sizeof(want), "link/ether %02x:%02x:%02x:%02x:%02x:%02x ", mac[0], mac[1],
		 mac[2], mac[3], mac[4], mac[5]);
	assert_contains(ip_link(ns_a, p0), want);

	assert_int_equal(mn_nl_link_mac(&fx->b, p0, mac, err, sizeof(err)), -ENODEV);
	assert_contains(err, "No such device");

	/* all zeros is no MAC either (lo; a netkit in L3 mode) */
	assert_int_equal(mn_nl_link_mac(&fx->a, "lo", mac, err, sizeof(err)), -EINVAL);
	snprintf(want, sizeof(want), "link lo in netns %s has no MAC address", ns_a);
	assert_string_equal(err, want);

	/* an L3 device: a tun device has no link-layer address */
	if (run("ip -n %s tuntap add dev %s mode tun", ns_b, p1) != 0)
		skip(); /* no /dev/net/tun here */
	assert_int_equal(mn_nl_link_mac(&fx->b, p1, mac, err, sizeof(err)), -EINVAL);
	snprintf(want, sizeof(want), "link %s in netns %s has no MAC address", p1, ns_b);
	assert_string_equal(err, want);
}

static void link_delete_pair(void **state)
{
	struct fixture *fx = *state;
	char err[ERRLEN], want[256];
	int hidx, pidx;

	make_pair(fx, false);
	assert_ok(mn_nl_link_delete(&MN_NL_NS_HOST, h0, err, sizeof(err)), err);
	assert_int_equal(mn_nl_link_index(&MN_NL_NS_HOST, h0), -ENODEV);
	assert_int_equal(mn_nl_link_index(&fx->a, p0), -ENODEV);

	err[0] = '\0';
	assert_int_equal(mn_nl_link_delete(&MN_NL_NS_HOST, h0, err, sizeof(err)), -ENODEV);
	snprintf(want, sizeof(want), "cannot delete link %s in netns host: No such device", h0);
	assert_starts_with(err, want);
	assert_int_equal(mn_nl_link_delete(&MN_NL_NS_HOST, h0, NULL, 0), -ENODEV);

	/* from the task's side: the host end goes too */
	assert_ok(mn_nl_veth_create(h1, p1, &fx->b, 0, &hidx, &pidx, err, sizeof(err)), err);
	assert_ok(mn_nl_link_delete(&fx->b, p1, err, sizeof(err)), err);
	assert_int_equal(if_nametoindex(h1), 0);
	assert_int_equal(mn_nl_link_delete(&fx->b, p1, err, sizeof(err)), -ENODEV);
	snprintf(want, sizeof(want), "cannot delete link %s in netns %s: No such device", p1, ns_b);
	assert_starts_with(err, want);
}

static void link_index_lookup(void **state)
{
	struct fixture *fx = *state;

	assert_int_equal(mn_nl_link_index(&fx->a, "lo"), 1);
	assert_int_equal(mn_nl_link_index(&MN_NL_NS_HOST, "lo"), (int)if_nametoindex("lo"));
	assert_int_equal(mn_nl_link_index(&fx->a, p0), -ENODEV);
	assert_int_equal(mn_nl_link_index(&fx->a, ""), -ENODEV);
	assert_int_equal(mn_nl_link_index(&fx->a, "abcdefghijklmnop"), -ENODEV);
}

/*
 * Addresses
 */

static void addr_v4(void **state)
{
	struct fixture *fx = *state;
	struct mn_nl_prefix vip = pfx("10.10.0.1/32"), net = pfx("10.11.0.1/24");
	struct mn_nl_prefix bad = { .family = AF_UNSPEC };
	char err[ERRLEN], want[256];

	make_pair(fx, false);

	assert_ok(mn_nl_addr_add(&fx->a, p0, &vip, err, sizeof(err)), err);
	assert_ok(mn_nl_addr_add(&fx->a, p0, &net, err, sizeof(err)), err);
	assert_contains(out("ip -n %s -4 -o addr show dev %s", ns_a, p0), "inet 10.10.0.1/32 ");
	assert_contains(out("ip -n %s -4 -o addr show dev %s", ns_a, p0), "inet 10.11.0.1/24 ");

	/* duplicate */
	err[0] = '\0';
	assert_int_equal(mn_nl_addr_add(&fx->a, p0, &vip, err, sizeof(err)), -EEXIST);
	snprintf(want, sizeof(want),
		 "cannot add address 10.10.0.1/32 to %s in netns %s: File exists", p0, ns_a);
	assert_starts_with(err, want);

	/* on the host end, in the host namespace */
	assert_ok(mn_nl_addr_add(&MN_NL_NS_HOST, h0, &vip, err, sizeof(err)), err);
	assert_contains(out("ip -4 -o addr show dev %s", h0), "inet 10.10.0.1/32 ");

	/* delete, then delete what is gone */
	assert_ok(mn_nl_addr_del(&fx->a, p0, &vip, err, sizeof(err)), err);
	assert_not_contains(out("ip -n %s -4 -o addr show dev %s", ns_a, p0), "10.10.0.1/32");
	assert_contains(out("ip -n %s -4 -o addr show dev %s", ns_a, p0), "inet 10.11.0.1/24 ");
	assert_int_equal(mn_nl_addr_del(&fx->a, p0, &vip, err, sizeof(err)), -EADDRNOTAVAIL);
	snprintf(want, sizeof(want),
		 "cannot delete address 10.10.0.1/32 from %s in netns %s: Cannot assign requested address",
		 p0, ns_a);
	assert_starts_with(err, want);

	/* no such link, no such address family */
	assert_int_equal(mn_nl_addr_add(&fx->b, p0, &vip, err, sizeof(err)), -ENODEV);
	snprintf(want, sizeof(want),
		 "cannot add address 10.10.0.1/32 to %s in netns %s: No such device", p0, ns_b);
	assert_starts_with(err, want);
	assert_int_equal(mn_nl_addr_add(&fx->a, p0, &bad, err, sizeof(err)), -EINVAL);
	assert_contains(err, "(invalid)");
}

static void addr_v6_nodad(void **state)
{
	struct fixture *fx = *state;
	struct mn_nl_prefix vip = pfx("fd00:10::1/64");
	char err[ERRLEN], want[256], line[2048];

	/* both ends up, so that DAD would really run */
	make_pair(fx, true);

	/* control: an address added without nodad is tentative for ~1 s */
	assert_int_equal(run("ip -n %s addr add fd00:11::1/64 dev %s", ns_a, p0), 0);
	assert_contains(out("ip -n %s -6 -o addr show to fd00:11::1/128", ns_a), "tentative");

	assert_ok(mn_nl_addr_add(&fx->a, p0, &vip, err, sizeof(err)), err);
	snprintf(line, sizeof(line), "%s", out("ip -n %s -6 -o addr show to fd00:10::1/128", ns_a));
	assert_contains(line, "inet6 fd00:10::1/64 ");
	assert_contains(line, "nodad");
	assert_contains(line, "noprefixroute");
	assert_not_contains(line, "tentative");
	/*
	 * Usable at once: IPv6 refuses a tentative address as a route's
	 * preferred source ("Invalid source address"), not ours.
	 */
	assert_int_not_equal(run("ip -n %s route add fd00:40::/64 dev %s src fd00:11::1", ns_a, p0),
			     0);
	assert_int_equal(run("ip -n %s route add fd00:41::/64 dev %s src fd00:10::1", ns_a, p0), 0);
	/* no prefix route for it (there is one for the control address) */
	snprintf(line, sizeof(line), "%s", out("ip -n %s -6 route show", ns_a));
	assert_not_contains(line, "fd00:10::/64");
	assert_contains(line, "fd00:11::/64");

	assert_int_equal(mn_nl_addr_add(&fx->a, p0, &vip, err, sizeof(err)), -EEXIST);
	snprintf(want, sizeof(want),
		 "cannot add address fd00:10::1/64 to %s in netns %s: File exists", p0, ns_a);
	assert_starts_with(err, want);

	assert_ok(mn_nl_addr_del(&fx->a, p0, &vip, err, sizeof(err)), err);
	assert_not_contains(out("ip -n %s -6 -o addr show dev %s", ns_a, p0), "fd00:10::1");
	assert_int_equal(mn_nl_addr_del(&fx->a, p0, &vip, err, sizeof(err)), -EADDRNOTAVAIL);
}

/*
 * Routes
 */

static void route_v4(void **state)
{
	struct fixture *fx = *state;
	struct mn_nl_prefix vip = pfx("10.20.0.1/32"), gw = pfx("169.254.0.1");
	struct mn_nl_route r = {
		.dst = pfx("10.30.0.0/24"),
		.gw = &gw,
		.src = &vip,
		.ifname = p0,
		.table = 100,
	};
	char err[ERRLEN], want[256], line[2048];

	make_pair(fx, true);
	assert_ok(mn_nl_addr_add(&fx->a, p0, &vip, err, sizeof(err)), err);

	/* onlink gateway and source, in table 100; twice is fine */
	assert_ok(mn_nl_route_add(&fx->a, &r, err, sizeof(err)), err);
	assert_ok(mn_nl_route_add(&fx->a, &r, err, sizeof(err)), err);
	snprintf(line, sizeof(line), "%s", out("ip -N -n %s route show table 100", ns_a));
	snprintf(want, sizeof(want),
		 "10.30.0.0/24 via 169.254.0.1 dev %s proto 199 src 10.20.0.1 onlink\n", p0);
	assert_string_equal(line, want); /* exactly one route */
	assert_not_contains(out("ip -n %s route show table main", ns_a), "10.30.0.0");

	/* default route in main (table 0), without source */
	r.dst = pfx("0.0.0.0/0");
	r.src = NULL;
	r.table = 0;
	assert_ok(mn_nl_route_add(&fx->a, &r, err, sizeof(err)), err);
	snprintf(want, sizeof(want), "default via 169.254.0.1 dev %s proto 199 onlink", p0);
	assert_contains(out("ip -N -n %s route show table main", ns_a), want);

	/* on the link, no gateway: scope link (253); table above 255 */
	r.dst = pfx("169.254.0.1/32");
	r.gw = NULL;
	r.table = 1000;
	assert_ok(mn_nl_route_add(&fx->a, &r, err, sizeof(err)), err);
	snprintf(want, sizeof(want), "169.254.0.1 dev %s proto 199 scope 253\n", p0);
	assert_string_equal(out("ip -N -n %s route show table 1000", ns_a), want);

	/* delete, and delete again */
	assert_ok(mn_nl_route_del(&fx->a, &r, err, sizeof(err)), err);
	assert_string_equal(out("ip -N -n %s route show table 1000", ns_a), "");
	err[0] = '\0';
	assert_int_equal(mn_nl_route_del(&fx->a, &r, err, sizeof(err)), -ESRCH);
	snprintf(want, sizeof(want),
		 "cannot delete route 169.254.0.1/32 dev %s table 1000 in netns %s: No such process",
		 p0, ns_a);
	assert_starts_with(err, want);

	r.dst = pfx("10.30.0.0/24");
	r.gw = &gw;
	r.src = &vip;
	r.table = 100;
	assert_ok(mn_nl_route_del(&fx->a, &r, err, sizeof(err)), err);
	assert_string_equal(out("ip -N -n %s route show table 100", ns_a), "");
}

static void route_v4_errors(void **state)
{
	struct fixture *fx = *state;
	struct mn_nl_prefix gw = pfx("169.254.0.1"), gw6 = pfx("fe80::1");
	struct mn_nl_route r = {
		.dst = pfx("10.30.0.0/24"),
		.gw = &gw,
		.ifname = p0,
		.table = 100,
	};
	char err[ERRLEN], want[256];

	make_pair(fx, false);

	/* the link is down: the kernel refuses, and says why */
	err[0] = '\0';
	assert_int_equal(mn_nl_route_add(&fx->a, &r, err, sizeof(err)), -ENETDOWN);
	snprintf(want, sizeof(want),
		 "cannot add route 10.30.0.0/24 via 169.254.0.1 dev %s table 100 in netns %s: Network is down",
		 p0, ns_a);
	assert_starts_with(err, want);

	/* no such link */
	assert_int_equal(mn_nl_route_add(&fx->b, &r, err, sizeof(err)), -ENODEV);
	assert_contains(err, "No such device");

	/* a gateway of the other family */
	r.gw = &gw6;
	assert_int_equal(mn_nl_route_add(&fx->a, &r, err, sizeof(err)), -EINVAL);
	assert_contains(err, "Invalid argument");
	assert_int_equal(mn_nl_route_add(&fx->a, NULL, err, sizeof(err)), -EINVAL);
}

static void route_v6(void **state)
{
	struct fixture *fx = *state;
	struct mn_nl_prefix vip = pfx("fd00:20::1/128"), gw = pfx("fe80::1");
	struct mn_nl_route r = {
		.dst = pfx("fd00:30::/64"),
		.gw = &gw,
		.src = &vip,
		.ifname = p0,
		.table = 1000,
	};
	char err[ERRLEN], want[256];

	make_pair(fx, true);
	/* usable as a source at once only because of NODAD */
	assert_ok(mn_nl_addr_add(&fx->a, p0, &vip, err, sizeof(err)), err);

	assert_ok(mn_nl_route_add(&fx->a, &r, err, sizeof(err)), err);
	assert_ok(mn_nl_route_add(&fx->a, &r, err, sizeof(err)), err);
	snprintf(want, sizeof(want),
		 "fd00:30::/64 via fe80::1 dev %s proto 199 src fd00:20::1 metric 1024 onlink pref medium\n",
		 p0);
	assert_string_equal(out("ip -N -n %s -6 route show table 1000", ns_a), want);

	/* default route in main */
	r.dst = pfx("::/0");
	r.src = NULL;
	r.table = 0;
	assert_ok(mn_nl_route_add(&fx->a, &r, err, sizeof(err)), err);
	snprintf(want, sizeof(want), "default via fe80::1 dev %s proto 199 ", p0);
	assert_contains(out("ip -N -n %s -6 route show table main", ns_a), want);
	assert_ok(mn_nl_route_del(&fx->a, &r, err, sizeof(err)), err);
	assert_not_contains(out("ip -N -n %s -6 route show table main", ns_a), "default");
	assert_int_equal(mn_nl_route_del(&fx->a, &r, err, sizeof(err)), -ESRCH);
	snprintf(want, sizeof(want),
		 "cannot delete route ::/0 via fe80::1 dev %s in netns %s: No such process", p0,
		 ns_a);
	assert_starts_with(err, want);

	r.dst = pfx("fd00:30::/64");
	r.src = &vip;
	r.table = 1000;
	assert_ok(mn_nl_route_del(&fx->a, &r, err, sizeof(err)), err);
	assert_string_equal(out("ip -N -n %s -6 route show table 1000", ns_a), "");
}

/*
 * Neighbours
 */

static void neigh_permanent(void **state)
{
	struct fixture *fx = *state;
	struct mn_nl_prefix ip4 = pfx("10.20.0.2"), ip6 = pfx("fd00:20::2");
	const uint8_t mac[6] = { 0x02, 0, 0, 0, 0, 0x01 };
	const uint8_t mac2[6] = { 0x02, 0, 0, 0, 0, 0x02 };
	char err[ERRLEN], want[256];

	make_pair(fx, true);

	assert_ok(mn_nl_neigh_add(&fx->a, p0, &ip4, mac, err, sizeof(err)), err);
	assert_ok(mn_nl_neigh_add(&fx->a, p0, &ip6, mac, err, sizeof(err)), err);
	assert_string_equal(out("ip -n %s -4 neigh show dev %s", ns_a, p0),
			    "10.20.0.2 lladdr 02:00:00:00:00:01 PERMANENT\n");
	assert_string_equal(out("ip -n %s -6 neigh show dev %s", ns_a, p0),
			    "fd00:20::2 lladdr 02:00:00:00:00:01 PERMANENT\n");

	/* a new MAC replaces the entry */
	assert_ok(mn_nl_neigh_add(&fx->a, p0, &ip4, mac2, err, sizeof(err)), err);
	assert_string_equal(out("ip -n %s -4 neigh show dev %s", ns_a, p0),
			    "10.20.0.2 lladdr 02:00:00:00:00:02 PERMANENT\n");

	assert_ok(mn_nl_neigh_del(&fx->a, p0, &ip4, err, sizeof(err)), err);
	assert_ok(mn_nl_neigh_del(&fx->a, p0, &ip6, err, sizeof(err)), err);
	assert_string_equal(out("ip -n %s neigh show dev %s nud permanent", ns_a, p0), "");
	err[0] = '\0';
	assert_int_equal(mn_nl_neigh_del(&fx->a, p0, &ip4, err, sizeof(err)), -ENOENT);
	snprintf(want, sizeof(want),
		 "cannot delete neighbour 10.20.0.2 on %s in netns %s: No such file or directory",
		 p0, ns_a);
	assert_starts_with(err, want);

	assert_int_equal(mn_nl_neigh_add(&fx->b, p0, &ip4, mac, err, sizeof(err)), -ENODEV);
	snprintf(want, sizeof(want),
		 "cannot add neighbour 10.20.0.2 lladdr 02:00:00:00:00:01 on %s in netns %s: No such device",
		 p0, ns_b);
	assert_starts_with(err, want);
	assert_int_equal(mn_nl_neigh_add(&fx->a, p0, &ip4, NULL, err, sizeof(err)), -EINVAL);
}

/*
 * Rules
 */

static void rule_v4_iif(void **state)
{
	struct fixture *fx = *state;
	struct mn_nl_rule r = {
		.src = pfx("10.20.0.1/32"),
		.iifname = p0,
		.table = 100,
		.priority = 1000,
	};
	char err[ERRLEN], want[256];

	make_pair(fx, false);

	assert_ok(mn_nl_rule_add(&fx->a, &r, err, sizeof(err)), err);
	snprintf(want, sizeof(want), "1000:\tfrom 10.20.0.1 iif %s lookup 100 proto 199\n", p0);
	assert_contains(out("ip -N -n %s -4 rule show", ns_a), want);
	assert_string_equal(out("ip -N -n %s -4 rule show pref 1000", ns_a), want);

	err[0] = '\0';
	assert_int_equal(mn_nl_rule_add(&fx->a, &r, err, sizeof(err)), -EEXIST);
	snprintf(want, sizeof(want),
		 "cannot add rule from 10.20.0.1/32 iif %s lookup 100 priority 1000 in netns %s: File exists",
		 p0, ns_a);
	assert_starts_with(err, want);

	/* iif names need not exist (yet); table 0 is main */
	r.iifname = "nothere0";
	r.table = 0;
	r.priority = 1001;
	assert_ok(mn_nl_rule_add(&fx->a, &r, err, sizeof(err)), err);
	assert_string_equal(out("ip -N -n %s -4 rule show pref 1001", ns_a),
			    "1001:\tfrom 10.20.0.1 iif nothere0 [detached] lookup 254 proto 199\n");
	assert_ok(mn_nl_rule_del(&fx->a, &r, err, sizeof(err)), err);

	r.iifname = p0;
	r.table = 100;
	r.priority = 1000;
	assert_ok(mn_nl_rule_del(&fx->a, &r, err, sizeof(err)), err);
	assert_string_equal(out("ip -N -n %s -4 rule show pref 1000", ns_a), "");
	assert_int_equal(mn_nl_rule_del(&fx->a, &r, err, sizeof(err)), -ENOENT);
	snprintf(want, sizeof(want),
		 "cannot delete rule from 10.20.0.1/32 iif %s lookup 100 priority 1000 in netns %s: No such file or directory",
		 p0, ns_a);
	assert_starts_with(err, want);
}

static void rule_v6(void **state)
{
	struct fixture *fx = *state;
	struct mn_nl_rule r = {
		.src = pfx("fd00:20::/64"),
		.table = 1000,
		.priority = 2000,
	};
	struct mn_nl_rule bad = { .src = { .family = AF_UNSPEC } };
	char err[ERRLEN];

	assert_ok(mn_nl_rule_add(&fx->b, &r, err, sizeof(err)), err);
	assert_string_equal(out("ip -N -n %s -6 rule show pref 2000", ns_b),
			    "2000:\tfrom fd00:20::/64 lookup 1000 proto 199\n");
	/* a v4 rule of the same priority is another rule */
	assert_string_equal(out("ip -N -n %s -4 rule show pref 2000", ns_b), "");
	assert_int_equal(mn_nl_rule_add(&fx->b, &r, err, sizeof(err)), -EEXIST);
	assert_ok(mn_nl_rule_del(&fx->b, &r, err, sizeof(err)), err);
	assert_string_equal(out("ip -N -n %s -6 rule show pref 2000", ns_b), "");
	assert_int_equal(mn_nl_rule_del(&fx->b, &r, err, sizeof(err)), -ENOENT);

	assert_int_equal(mn_nl_rule_add(&fx->b, &bad, err, sizeof(err)), -EINVAL);
	assert_int_equal(mn_nl_rule_add(&fx->b, NULL, err, sizeof(err)), -EINVAL);
}

/*
 * The end: nothing of ours anywhere
 */

static void nothing_left_behind(void **state UNUSED)
{
	char pat[64];

	cleanup(); /* what the last teardown did; must find nothing */
	snprintf(pat, sizeof(pat), "mnltest-%d-", (int)getpid());
	assert_not_contains(out("ip netns list 2>/dev/null"), pat);
	assert_not_contains(out("ip -o link show 2>/dev/null"), link_prefix);
}

int main(void)
{
	const struct CMUnitTest pure[] = {
		cmocka_unit_test(prefix_parse_valid),
		cmocka_unit_test(prefix_parse_invalid),
		cmocka_unit_test(prefix_str_edges),
	};
#define NS_TEST(f) cmocka_unit_test_setup_teardown(f, setup, teardown)
	const struct CMUnitTest kernel[] = {
		NS_TEST(netns_open_paths),
		NS_TEST(netns_enter_fails),
		NS_TEST(veth_create_pair),
		NS_TEST(veth_default_mtu_host_peer),
		NS_TEST(veth_create_errors),
		NS_TEST(netkit_create),
		NS_TEST(link_up_and_mtu),
		NS_TEST(link_mac_read),
		NS_TEST(link_delete_pair),
		NS_TEST(link_index_lookup),
		NS_TEST(addr_v4),
		NS_TEST(addr_v6_nodad),
		NS_TEST(route_v4),
		NS_TEST(route_v4_errors),
		NS_TEST(route_v6),
		NS_TEST(neigh_permanent),
		NS_TEST(rule_v4_iif),
		NS_TEST(rule_v6),
		cmocka_unit_test(nothing_left_behind),
	};
	int pid = (int)getpid(), rc;

	snprintf(ns_a, sizeof(ns_a), "mnltest-%d-a", pid);
	snprintf(ns_b, sizeof(ns_b), "mnltest-%d-b", pid);
	snprintf(link_prefix, sizeof(link_prefix), "mnt%d", pid);
	snprintf(h0, sizeof(h0), "mnt%dh0", pid);
	snprintf(h1, sizeof(h1), "mnt%dh1", pid);
	snprintf(p0, sizeof(p0), "mnt%dp0", pid);
	snprintf(p1, sizeof(p1), "mnt%dp1", pid);

	rc = cmocka_run_group_tests_name("prefixes", pure, NULL, NULL);

	if (geteuid() != 0) {
		printf("SKIP: the kernel tests need root (network namespaces)\n");
		return rc ? rc : EXIT_SKIP;
	}
	if (run("ip -V") != 0) {
		printf("SKIP: iproute2 (ip) is not installed\n");
		return rc ? rc : EXIT_SKIP;
	}
	if (run("ip netns add %s", ns_a) != 0) {
		printf("SKIP: cannot create a network namespace here\n");
		return rc ? rc : EXIT_SKIP;
	}
	run("ip netns del %s", ns_a);

	/* Ctrl-C or a kill during a run leaves nothing behind either. */
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	signal(SIGHUP, on_signal);
	atexit(cleanup);

	rc |= cmocka_run_group_tests_name("kernel", kernel, NULL, NULL);
	return rc;
}
