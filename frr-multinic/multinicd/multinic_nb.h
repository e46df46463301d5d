// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * multinicd: northbound callbacks for frr-multinic.yang.
 */
#ifndef _MULTINIC_NB_H
#define _MULTINIC_NB_H

#include "lib/northbound.h"

extern const struct frr_yang_module_info frr_multinic_info;

/* A validation callback's refusal: the message into errmsg, NB_ERR_VALIDATION. */
int mn_nb_refuse(char *errmsg, size_t len, const char *fmt, ...) PRINTFRR(3, 4);

/* multinic_nb_config.c */
int multinic_create(struct nb_cb_create_args *args);
int multinic_destroy(struct nb_cb_destroy_args *args);
int multinic_egress_mode_modify(struct nb_cb_modify_args *args);
int multinic_placement_modify(struct nb_cb_modify_args *args);
int multinic_flowlet_timeout_modify(struct nb_cb_modify_args *args);
int multinic_rebalance_interval_modify(struct nb_cb_modify_args *args);
int multinic_nic_create(struct nb_cb_create_args *args);
int multinic_nic_destroy(struct nb_cb_destroy_args *args);
int multinic_nic_weight_modify(struct nb_cb_modify_args *args);
int multinic_nic_weight_destroy(struct nb_cb_destroy_args *args);
int multinic_nic_speed_modify(struct nb_cb_modify_args *args);
int multinic_nic_speed_destroy(struct nb_cb_destroy_args *args);
int multinic_nic_gateway_modify(struct nb_cb_modify_args *args);
int multinic_nic_gateway_destroy(struct nb_cb_destroy_args *args);
int multinic_nic_match_create(struct nb_cb_create_args *args);
int multinic_nic_match_destroy(struct nb_cb_destroy_args *args);
int multinic_nic_match_name_pattern_modify(struct nb_cb_modify_args *args);
int multinic_nic_match_name_pattern_destroy(struct nb_cb_destroy_args *args);
int multinic_nic_match_driver_modify(struct nb_cb_modify_args *args);
int multinic_nic_match_driver_destroy(struct nb_cb_destroy_args *args);
int multinic_nic_match_default_gw_create(struct nb_cb_create_args *args);
int multinic_nic_match_default_gw_destroy(struct nb_cb_destroy_args *args);
int multinic_task_create(struct nb_cb_create_args *args);
int multinic_task_destroy(struct nb_cb_destroy_args *args);
int multinic_task_netns_modify(struct nb_cb_modify_args *args);
int multinic_task_netns_destroy(struct nb_cb_destroy_args *args);
int multinic_task_vip_modify(struct nb_cb_modify_args *args);
int multinic_task_vip_destroy(struct nb_cb_destroy_args *args);
int multinic_task_mtu_modify(struct nb_cb_modify_args *args);
int multinic_task_mtu_destroy(struct nb_cb_destroy_args *args);
int multinic_task_announce_modify(struct nb_cb_modify_args *args);
int multinic_task_ifname_modify(struct nb_cb_modify_args *args);
int multinic_task_addr_create(struct nb_cb_create_args *args);
int multinic_task_addr_destroy(struct nb_cb_destroy_args *args);
int multinic_task_addr_ip_modify(struct nb_cb_modify_args *args);
int multinic_task_addr_ip_destroy(struct nb_cb_destroy_args *args);
int multinic_authz_pre_validate(struct nb_cb_pre_validate_args *args);
int multinic_authz_range_create(struct nb_cb_create_args *args);
int multinic_authz_neighbor_create(struct nb_cb_create_args *args);
int multinic_authz_create(struct nb_cb_create_args *args);
int multinic_authz_modify(struct nb_cb_modify_args *args);
int multinic_authz_destroy(struct nb_cb_destroy_args *args);
/* The configuration the datapaths follow, pushed down again. */
void multinic_datapath_config_push(bool retry_ebpf);

/* multinic_numa_nb.c */
int multinic_numa_policy_modify(struct nb_cb_modify_args *args);
int multinic_numa_spill_threshold_modify(struct nb_cb_modify_args *args);
int multinic_numa_steering_modify(struct nb_cb_modify_args *args);
int multinic_nic_numa_node_modify(struct nb_cb_modify_args *args);
int multinic_nic_numa_node_destroy(struct nb_cb_destroy_args *args);
int multinic_task_numa_node_modify(struct nb_cb_modify_args *args);
int multinic_task_numa_node_destroy(struct nb_cb_destroy_args *args);
struct yang_data *multinic_state_numa_source_get_elem(struct nb_cb_get_elem_args *args);
const void *multinic_state_numa_node_get_next(struct nb_cb_get_next_args *args);
int multinic_state_numa_node_get_keys(struct nb_cb_get_keys_args *args);
const void *multinic_state_numa_node_lookup_entry(struct nb_cb_lookup_entry_args *args);
struct yang_data *multinic_state_numa_node_get_elem(struct nb_cb_get_elem_args *args);
struct yang_data *multinic_state_nic_numa_get_elem(struct nb_cb_get_elem_args *args);

/* Parts of the model whose behaviour is not implemented yet. */
int multinic_unimplemented_create(struct nb_cb_create_args *args);
int multinic_unimplemented_modify(struct nb_cb_modify_args *args);
int multinic_unimplemented_destroy(struct nb_cb_destroy_args *args);

/* multinic_nb_state.c */
struct yang_data *multinic_state_version_get_elem(struct nb_cb_get_elem_args *args);
struct yang_data *multinic_state_caps_get_elem(struct nb_cb_get_elem_args *args);
struct yang_data *multinic_state_egress_get_elem(struct nb_cb_get_elem_args *args);
const void *multinic_state_nic_get_next(struct nb_cb_get_next_args *args);
int multinic_state_nic_get_keys(struct nb_cb_get_keys_args *args);
const void *multinic_state_nic_lookup_entry(struct nb_cb_lookup_entry_args *args);
struct yang_data *multinic_state_nic_get_elem(struct nb_cb_get_elem_args *args);

/* multinic_vty.c: running-config */
void cli_show_multinic(struct vty *vty, const struct lyd_node *dnode, bool show_defaults);
void cli_show_multinic_end(struct vty *vty, const struct lyd_node *dnode);
void cli_show_egress_mode(struct vty *vty, const struct lyd_node *dnode, bool show_defaults);
void cli_show_placement(struct vty *vty, const struct lyd_node *dnode, bool show_defaults);
void cli_show_nic(struct vty *vty, const struct lyd_node *dnode, bool show_defaults);
void cli_show_nic_match(struct vty *vty, const struct lyd_node *dnode, bool show_defaults);
void cli_show_task(struct vty *vty, const struct lyd_node *dnode, bool show_defaults);
void cli_show_task_end(struct vty *vty, const struct lyd_node *dnode);
void cli_show_task_netns(struct vty *vty, const struct lyd_node *dnode, bool show_defaults);
void cli_show_task_vip(struct vty *vty, const struct lyd_node *dnode, bool show_defaults);
void cli_show_task_addr(struct vty *vty, const struct lyd_node *dnode, bool show_defaults);
void cli_show_task_mtu(struct vty *vty, const struct lyd_node *dnode, bool show_defaults);
void cli_show_task_ifname(struct vty *vty, const struct lyd_node *dnode, bool show_defaults);
void cli_show_task_announce(struct vty *vty, const struct lyd_node *dnode, bool show_defaults);

/* multinic_placement_vty.c: running-config of least-loaded's knobs */
void cli_show_flowlet_timeout(struct vty *vty, const struct lyd_node *dnode, bool show_defaults);
void cli_show_rebalance_interval(struct vty *vty, const struct lyd_node *dnode, bool show_defaults);

/* multinic_numa_vty.c: running-config of the NUMA configuration */
void cli_show_numa_policy(struct vty *vty, const struct lyd_node *dnode, bool show_defaults);
void cli_show_numa_spill_threshold(struct vty *vty, const struct lyd_node *dnode,
				   bool show_defaults);
void cli_show_numa_steering(struct vty *vty, const struct lyd_node *dnode, bool show_defaults);
void cli_show_task_numa_node(struct vty *vty, const struct lyd_node *dnode, bool show_defaults);

/* multinic_authz_vty.c: running-config of the authorization policy */
void cli_show_authz_range(struct vty *vty, const struct lyd_node *dnode, bool show_defaults);
void cli_show_authz_max_vips_per_host(struct vty *vty, const struct lyd_node *dnode,
				      bool show_defaults);
void cli_show_authz_host_neighbor(struct vty *vty, const struct lyd_node *dnode,
				  bool show_defaults);
void cli_show_authz_host_range(struct vty *vty, const struct lyd_node *dnode, bool show_defaults);
void cli_show_authz_host_max_vips(struct vty *vty, const struct lyd_node *dnode,
				  bool show_defaults);

#endif /* _MULTINIC_NB_H */
