// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * multinicd: CLI.
 */
#ifndef _MULTINIC_VTY_H
#define _MULTINIC_VTY_H

extern void multinic_vty_init(void);
/* multinic_authz_vty.c */
extern void multinic_authz_vty_init(void);

#endif /* _MULTINIC_VTY_H */
