// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * multinicd: error codes for flog_err()/flog_warn().
 */
#ifndef _MULTINIC_ERRORS_H
#define _MULTINIC_ERRORS_H

#include "lib/ferr.h"

/* FRR reserves ranges per daemon in lib/ferr.h; this one is unused there. */
#define MULTINIC_FERR_START 0x12000001
#define MULTINIC_FERR_END   0x12FFFFFF

enum multinic_log_refs {
	EC_MULTINIC_PROBE = MULTINIC_FERR_START,
	EC_MULTINIC_NETLINK,
	EC_MULTINIC_SYSFS,
	EC_MULTINIC_BPF,
	EC_MULTINIC_CNI,
	EC_MULTINIC_NFT,
};

extern void multinic_error_init(void);

#endif /* _MULTINIC_ERRORS_H */
