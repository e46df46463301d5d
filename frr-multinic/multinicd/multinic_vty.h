// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * multinicd: CLI.
 */
#ifndef _MULTINIC_VTY_H
#define _MULTINIC_VTY_H

extern void multinic_vty_init(void);
/* multinic_authz_vty.c */
extern void multinic_authz_vty_init(void);

/* multinic_numa_vty.c: the NUMA commands and parts of the show commands */
struct vty;
struct json_object;
struct mn_nic;
struct mn_task;
extern void mn_numa_vty_init(void);
extern void mn_numa_show_summary(struct vty *vty, struct json_object *json);
extern void mn_numa_show_nic(struct vty *vty, const struct mn_nic *nic, struct json_object *j);
extern void mn_numa_show_task(struct vty *vty, const struct mn_task *task, struct json_object *j);

#endif /* _MULTINIC_VTY_H */
