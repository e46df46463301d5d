// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * What the netlink tests share: the names they use, the fixture, and the
 * iproute2 witness (netlink_test.c).  The tests are in test_*.c by object
 * kind; test_multinic_netlink.c has the program.
 */
#ifndef _NETLINK_TEST_H
#define _NETLINK_TEST_H

#include <zebra.h>

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include <errno.h>
#include <fcntl.h>
#include <unistd.h>
#include <net/if.h>
#include <sys/types.h>

#include "lib/prefix.h"
#include "lib/printfrr.h"

#include "multinic_netlink.h"

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
 * Names, all derived from our PID (netlink_test.c).
 */
extern char ns_a[32], ns_b[32];		/* namespace names */
extern char h0[IFNAMSIZ], h1[IFNAMSIZ]; /* host ends */
extern char p0[IFNAMSIZ], p1[IFNAMSIZ]; /* peers (unique: found if leaked) */
extern char link_prefix[IFNAMSIZ];	/* "mntPID" */

/* Set the names from our PID. */
void names_init(void);

/* What a test's setup hands to it. */
struct fixture {
	struct mn_nl_ns a, b; /* the two namespaces, opened */
	ino_t netns_ino;      /* this thread's namespace at setup */
	int nfds;	      /* open descriptors at setup */
};

/*
 * iproute2, the independent witness
 */

/* Run a command, output discarded; its exit status. */
int run(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/*
 * Run a command and return its stdout (a static buffer), without blanks
 * at the ends of lines: iproute2 versions differ there.
 */
const char *out(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* The ifindex that "ip -o link show" prints first; -1 if none. */
int ip_ifindex(const char *ns, const char *ifname);

/* The one-line "ip -o link show" of a link ("" when it does not exist). */
const char *ip_link(const char *ns, const char *ifname);

/* Whether the <FLAGS> of an "ip -o link" line include UP. */
bool link_flag_up(const char *line);

/* A prefix from a string, by FRR's own parser ("10.0.0.1" is a /32). */
struct prefix pfx(const char *s);

/*
 * Fixture
 */

/* Remove everything a test may have created; errors ignored. */
void cleanup(void);
/* The same at exit, and on Ctrl-C or a kill during a run. */
void cleanup_at_exit(void);
/* Two fresh namespaces, opened; this thread's namespace and fd count. */
int setup(void **state);
/* Checks the namespace and fds, removes everything. */
int teardown(void **state);
/* A veth pair h0 (host) <-> p0 (in a), both up when up, as most tests need. */
void make_pair(struct fixture *fx, bool up);

/*
 * The tests
 */

/* namespaces (test_multinic_netlink.c) */
void netns_open_paths(void **state);
void netns_enter_fails(void **state);

/* links (test_links.c) */
void veth_create_pair(void **state);
void veth_default_mtu_host_peer(void **state);
void veth_create_errors(void **state);
void netkit_create(void **state);
void link_up_and_mtu(void **state);
void link_mac_read(void **state);
void link_delete_pair(void **state);
void links_dump_kinds(void **state);
void link_index_lookup(void **state);

/* addresses, routes, neighbours (test_ip.c) */
void addr_v4(void **state);
void held_socket_series(void **state);
void addr_invalid(void **state);
void addr_v6_nodad(void **state);
void route_v4(void **state);
void route_v4_errors(void **state);
void route_v6(void **state);
void neigh_permanent(void **state);
void neigh_state_read(void **state);

/* rules (test_rules.c) */
void rule_v4_iif(void **state);
void rule_v6(void **state);
void rules_dump_ours(void **state);

#endif /* _NETLINK_TEST_H */
