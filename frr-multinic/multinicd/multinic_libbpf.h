// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * multinicd: libbpf helpers shared by the capability probe and the eBPF
 * datapath.
 */
#ifndef _MULTINIC_LIBBPF_H
#define _MULTINIC_LIBBPF_H

#include <stdarg.h>

#include <bpf/libbpf.h>

/*
 * A libbpf print function that prints nothing: for calls that fail by
 * design on some kernels (probing) or on some devices (detaching what is
 * not there), whose outcome we report ourselves.  Install it around such
 * calls only: old = libbpf_set_print(mn_libbpf_quiet); ...;
 * libbpf_set_print(old).
 */
static inline int mn_libbpf_quiet(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	return 0;
}

#endif /* _MULTINIC_LIBBPF_H */
