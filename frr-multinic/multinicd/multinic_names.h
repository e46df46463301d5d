// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * multinicd: names and references multinicd accepts from the operator or
 * gives to the kernel: interface names, network namespace references, the
 * names of task devices.  Pure helpers (no FRR, no syscalls), unit-tested
 * with cmocka in tests/unit, shared by the NIC and task layers, the
 * authorization policy and the CLI.
 */
#ifndef _MULTINIC_NAMES_H
#define _MULTINIC_NAMES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Linux IFNAMSIZ is 16 including the terminating NUL. */
#define MN_IFNAME_MAX 15
/* A task's name (frr-multinic.yang: task/name). */
#define MN_TASK_NAME_MAX 32

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

#endif /* _MULTINIC_NAMES_H */
