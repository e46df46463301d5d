// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * multinicd: zebra client (interface, address and default-route events).
 */
#ifndef _MULTINIC_ZEBRA_H
#define _MULTINIC_ZEBRA_H

extern void multinic_zebra_init(void);
extern void multinic_zebra_terminate(void);

#endif /* _MULTINIC_ZEBRA_H */
