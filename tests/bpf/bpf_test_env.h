/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * What the BPF program tests (test_bpf_programs.c, test_bpf_numa.c) share
 * to load their skeletons: libbpf's messages, and a bpffs of their own.
 *
 * The objects are loaded with one pin root, MN_PIN_MAPS as in production,
 * but in a bpffs of the test's own: it first moves into a mount namespace
 * of its own and mounts a fresh bpffs on /sys/fs/bpf there.  The host's
 * bpffs is never touched, and whatever way the test ends, the namespace,
 * the mount and the pins go with the process.  A network namespace of its
 * own too: test-run runs the programs on its loopback device, whose MTU a
 * test changes.
 */
#ifndef MN_BPF_TEST_ENV_H
#define MN_BPF_TEST_ENV_H

#include <sched.h> /* unshare(): the includer defines _GNU_SOURCE */
#include <stdarg.h>
#include <stdio.h>
#include <sys/mount.h>
#include <sys/stat.h>

#include <bpf/libbpf.h>

#include "multinic_maps.h"

static inline int libbpf_print(enum libbpf_print_level level, const char *fmt, va_list args)
{
	/* warnings and the verifier log on failure; no debug chatter */
	if (level == LIBBPF_DEBUG)
		return 0;
	return vfprintf(stderr, fmt, args);
}

static inline int private_bpffs(void)
{
	if (unshare(CLONE_NEWNS | CLONE_NEWNET) != 0) {
		perror("unshare(CLONE_NEWNS | CLONE_NEWNET)");
		return -1;
	}
	if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) != 0) {
		perror("making mounts private");
		return -1;
	}
	if (mount("bpf", "/sys/fs/bpf", "bpf", 0, NULL) != 0) {
		perror("mount bpffs on /sys/fs/bpf");
		return -1;
	}
	/* libbpf creates only the last directory of a pin path */
	if (mkdir(MN_PIN_ROOT, 0700) != 0) {
		perror("mkdir " MN_PIN_ROOT);
		return -1;
	}
	return 0;
}

#endif /* MN_BPF_TEST_ENV_H */
