// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * multinic-cni: what every part of the plugin uses -- an error on its way
 * to stdout, and a string member of a JSON object.  Kept below the verbs
 * (multinic_cni_main.c) so that IPAM, the sandbox reader and the result
 * builder need nothing of the file that calls them.
 */
#ifndef _MULTINIC_CNI_UTIL_H
#define _MULTINIC_CNI_UTIL_H

#include <json-c/json.h>

/* An error on its way to stdout. */
struct cni_err {
	int code; /* 0: no error */
	char msg[256];
	char details[2048];
};

extern void cni_err_set(struct cni_err *err, int code, const char *msg, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

/* OBJ's string member KEY; NULL when it has none (or OBJ is NULL). */
extern const char *json_str(json_object *obj, const char *key);

#endif /* _MULTINIC_CNI_UTIL_H */
