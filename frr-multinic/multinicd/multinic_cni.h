// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * multinicd: the local interface of the CNI plugin (multinic-cni).
 *
 * A unix socket in FRR's run state directory (common/multinic_cni_wire.h
 * has the protocol).  Each request becomes a northbound transaction on a
 * task marked with a "cni" container, so that a container runtime's task
 * passes exactly the validation of a configured one and shows in "show
 * multinic task".  Such tasks are runtime state: the CLI's running
 * configuration omits them, and a state file in the run state directory
 * (a tmpfs: gone after a reboot) lets a restarted multinicd commit them
 * again.
 */
#ifndef _MULTINIC_CNI_H
#define _MULTINIC_CNI_H

#include "lib/json.h"
#include "lib/northbound.h"
#include "lib/vty.h"

struct mn_task;

extern void mn_cni_init(void);
extern void mn_cni_terminate(void);

/* A configuration load (vtysh -b, vtysh -f) starts or ends. */
extern void mn_cni_config_start(void);
extern void mn_cni_config_end(void);

/*
 * The running configuration's "multinic" node without the tasks of
 * container runtimes, for the CLI's running-config (free with
 * lyd_free_all()).
 */
extern struct lyd_node *mn_cni_config_without_runtime_tasks(const struct lyd_node *multinic);

/* The CNI attachment of a task, in "show multinic task". */
extern void mn_cni_task_show(const struct mn_task *task, struct vty *vty, json_object *json);

/* Northbound: /frr-multinic:multinic/task/cni */
extern int multinic_task_cni_create(struct nb_cb_create_args *args);
extern int multinic_task_cni_destroy(struct nb_cb_destroy_args *args);
extern int multinic_task_cni_leaf_modify(struct nb_cb_modify_args *args);

#endif /* _MULTINIC_CNI_H */
