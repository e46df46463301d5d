// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * multinicd: CLI.
 */
#ifndef _MULTINIC_VTY_H
#define _MULTINIC_VTY_H

extern void multinic_vty_init(void);
/* multinic_authz_vty.c */
extern void multinic_authz_vty_init(void);

/* multinic_placement_vty.c: knobs, show multinic flows, per-NIC load */
struct json_object;
struct vty;
struct mn_dp_nic_view;
extern void multinic_placement_vty_init(void);
extern void mn_placement_counters_json(struct json_object *jnic, const struct mn_dp_nic_view *v);
extern void mn_placement_counters_text(struct vty *vty);

/* multinic_numa_vty.c: the NUMA commands and parts of the show commands */
struct mn_nic;
struct mn_task;
extern void mn_numa_vty_init(void);
extern void mn_numa_show_summary(struct vty *vty, struct json_object *json);
extern void mn_numa_show_nic(struct vty *vty, const struct mn_nic *nic, struct json_object *j);
extern void mn_numa_show_task(struct vty *vty, const struct mn_task *task, struct json_object *j);

#endif /* _MULTINIC_VTY_H */
