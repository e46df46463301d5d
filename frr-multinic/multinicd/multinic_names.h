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
 * "mn" + 13 base32 digits of a 64-bit hash of the name.  The two forms
 * cannot collide (base32 has no '-').  buflen >= 16.
 *
 * Two long task names may still hash alike, and an unrelated device may
 * hold a name: variant 1, 2, ... are further hashed names for the task to
 * try.  Which name a task's device got survives a restart in the device's
 * alias (mn_task_alias()), not in the name.
 */
void mn_task_ifname(const char *task, char *buf, size_t buflen);
void mn_task_ifname_variant(const char *task, unsigned int variant, char *buf, size_t buflen);

/*
 * The name multinicd 0.1 gave a long-named task's device ("mn" + 8 hex
 * digits of a 32-bit hash), so that an upgraded multinicd adopts it;
 * false for names short enough for "mn-" + the name (unchanged).
 */
bool mn_task_ifname_legacy(const char *task, char *buf, size_t buflen);

/*
 * A name of the form multinicd gives its task devices ("mn-..., "mn" + 13
 * base32 digits, 0.1's "mn" + 8 hex digits): never a NIC.
 */
bool mn_ifname_is_task_device(const char *name);

/* The alias marking a task's host device: "multinic task NAME". */
#define MN_TASK_ALIAS_PREFIX "multinic task "
void mn_task_alias(const char *task, char *buf, size_t buflen);
/* The task an alias marks, or NULL when it is not one of ours. */
const char *mn_task_of_alias(const char *alias);

#ifdef __cplusplus
}
#endif

#endif /* _MULTINIC_NAMES_H */
