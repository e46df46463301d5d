// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * multinic-cni: errors and JSON strings (see multinic_cni_util.h).
 */
#include <stdarg.h>
#include <stdio.h>

#include "multinic_cni_util.h"

void cni_err_set(struct cni_err *err, int code, const char *msg, const char *fmt, ...)
{
	va_list ap;

	err->code = code;
	snprintf(err->msg, sizeof(err->msg), "%s", msg);
	err->details[0] = '\0';
	if (fmt) {
		va_start(ap, fmt);
		vsnprintf(err->details, sizeof(err->details), fmt, ap);
		va_end(ap);
	}
}

const char *json_str(json_object *obj, const char *key)
{
	json_object *v;

	if (!obj || !json_object_object_get_ex(obj, key, &v) ||
	    !json_object_is_type(v, json_type_string))
		return NULL;
	return json_object_get_string(v);
}
