// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * multinicd: the message helper of the pure helpers (multinic_names.c,
 * multinic_datapath_select.c).  Messages written into err/reason are shown
 * to the operator as they are (vtysh, northbound errors, "show multinic"),
 * so they are full sentences that say what was refused and why.
 */
#ifndef _MULTINIC_MSG_H
#define _MULTINIC_MSG_H

#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>

static inline void mn_set_msg(char *buf, size_t buflen, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* err/reason are optional: callers that only want the verdict pass NULL. */
static inline void mn_set_msg(char *buf, size_t buflen, const char *fmt, ...)
{
	va_list ap;

	if (!buf || buflen == 0)
		return;
	va_start(ap, fmt);
	vsnprintf(buf, buflen, fmt, ap);
	va_end(ap);
}

#endif /* _MULTINIC_MSG_H */
