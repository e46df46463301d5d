// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The netlink tests' names, iproute2 witness and fixture (netlink_test.h).
 */
#include "netlink_test.h"

#include <dirent.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>

/*
 * Names, all derived from our PID.
 */
char ns_a[32], ns_b[32];	 /* namespace names */
char h0[IFNAMSIZ], h1[IFNAMSIZ]; /* host ends */
char p0[IFNAMSIZ], p1[IFNAMSIZ]; /* peers (unique: found if leaked) */
char link_prefix[IFNAMSIZ];	 /* "mntPID" */

void names_init(void)
{
	int pid = (int)getpid();

	snprintf(ns_a, sizeof(ns_a), "mnltest-%d-a", pid);
	snprintf(ns_b, sizeof(ns_b), "mnltest-%d-b", pid);
	snprintf(link_prefix, sizeof(link_prefix), "mnt%d", pid);
	snprintf(h0, sizeof(h0), "mnt%dh0", pid);
	snprintf(h1, sizeof(h1), "mnt%dh1", pid);
	snprintf(p0, sizeof(p0), "mnt%dp0", pid);
	snprintf(p1, sizeof(p1), "mnt%dp1", pid);
}

/*
 * Shell helpers (iproute2 is the independent witness)
 */

/* Run a command, output discarded; its exit status. */
int run(const char *fmt, ...)
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
const char *out(const char *fmt, ...)
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
int ip_ifindex(const char *ns, const char *ifname)
{
	int idx = -1;

	if (ns)
		sscanf(out("ip -n %s -o link show dev %s 2>/dev/null", ns, ifname), "%d:", &idx);
	else
		sscanf(out("ip -o link show dev %s 2>/dev/null", ifname), "%d:", &idx);
	return idx;
}

/* The one-line "ip -o link show" of a link ("" when it does not exist). */
const char *ip_link(const char *ns, const char *ifname)
{
	if (ns)
		return out("ip -n %s -o -d link show dev %s 2>/dev/null", ns, ifname);
	return out("ip -o -d link show dev %s 2>/dev/null", ifname);
}

/* Whether the <FLAGS> of an "ip -o link" line include UP. */
bool link_flag_up(const char *line)
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

/* A prefix from a string, by FRR's own parser ("10.0.0.1" is a /32). */
struct prefix pfx(const char *s)
{
	struct prefix p;

	memset(&p, 0, sizeof(p));
	if (str2prefix(s, &p) <= 0)
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
void cleanup(void)
{
	const char *links[] = { h0, h1, p0, p1 };

	for (size_t i = 0; i < array_size(links); i++)
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

void cleanup_at_exit(void)
{
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	signal(SIGHUP, on_signal);
	atexit(cleanup);
}

static int open_ns(const char *name, struct mn_nl_ns *ns)
{
	char path[64], err[ERRLEN];

	snprintf(path, sizeof(path), "/run/netns/%s", name);
	*ns = (struct mn_nl_ns){ .name = name };
	ns->fd = mn_nl_netns_open(path, err, sizeof(err));
	if (ns->fd < 0) {
		fprintf(stderr, "%s\n", err);
		return -1;
	}
	return 0;
}

int setup(void **state)
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

int teardown(void **state)
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
void make_pair(struct fixture *fx, bool up)
{
	char err[ERRLEN];
	int hidx, pidx;

	assert_ok(mn_nl_veth_create(h0, p0, &fx->a, 0, &hidx, &pidx, err, sizeof(err)), err);
	if (!up)
		return;
	assert_ok(mn_nl_link_up(&MN_NL_NS_HOST, h0, 0, err, sizeof(err)), err);
	assert_ok(mn_nl_link_up(&fx->a, p0, 0, err, sizeof(err)), err);
}
