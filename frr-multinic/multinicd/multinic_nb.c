// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * multinicd: the frr-multinic northbound callback table.
 */
#include <zebra.h>

#include "lib/northbound.h"

#include "multinic_cni.h"
#include "multinic_nb.h"

/* clang-format off */
const struct frr_yang_module_info frr_multinic_info = {
	.name = "frr-multinic",
	.nodes = {
		{
			.xpath = "/frr-multinic:multinic",
			.cbs = {
				.pre_validate = multinic_authz_pre_validate,
				.create = multinic_create,
				.destroy = multinic_destroy,
				.cli_show = cli_show_multinic,
				.cli_show_end = cli_show_multinic_end,
			},
		},
		{
			.xpath = "/frr-multinic:multinic/egress-mode",
			.cbs = {
				.modify = multinic_egress_mode_modify,
				.cli_show = cli_show_egress_mode,
			},
		},
		{
			.xpath = "/frr-multinic:multinic/placement",
			.cbs = {
				.modify = multinic_placement_modify,
				.cli_show = cli_show_placement,
			},
		},
		{
			.xpath = "/frr-multinic:multinic/flowlet-timeout",
			.cbs = {
				.modify = multinic_flowlet_timeout_modify,
				.cli_show = cli_show_flowlet_timeout,
			},
		},
		{
			.xpath = "/frr-multinic:multinic/rebalance-interval",
			.cbs = {
				.modify = multinic_rebalance_interval_modify,
				.cli_show = cli_show_rebalance_interval,
			},
		},
		{
			.xpath = "/frr-multinic:multinic/nic",
			.cbs = {
				.create = multinic_nic_create,
				.destroy = multinic_nic_destroy,
				.cli_show = cli_show_nic,
			},
		},
		{
			.xpath = "/frr-multinic:multinic/nic/weight",
			.cbs = {
				.modify = multinic_nic_weight_modify,
				.destroy = multinic_nic_weight_destroy,
			},
		},
		{
			.xpath = "/frr-multinic:multinic/nic/speed",
			.cbs = {
				.modify = multinic_nic_speed_modify,
				.destroy = multinic_nic_speed_destroy,
			},
		},
		{
			.xpath = "/frr-multinic:multinic/nic/gateway-v4",
			.cbs = {
				.modify = multinic_nic_gateway_modify,
				.destroy = multinic_nic_gateway_destroy,
			},
		},
		{
			.xpath = "/frr-multinic:multinic/nic/gateway-v6",
			.cbs = {
				.modify = multinic_nic_gateway_modify,
				.destroy = multinic_nic_gateway_destroy,
			},
		},
		{
			.xpath = "/frr-multinic:multinic/nic/numa-node",
			.cbs = {
				.modify = multinic_nic_numa_node_modify,
				.destroy = multinic_nic_numa_node_destroy,
			},
		},
		{
			.xpath = "/frr-multinic:multinic/numa/policy",
			.cbs = {
				.modify = multinic_numa_policy_modify,
				.cli_show = cli_show_numa_policy,
			},
		},
		{
			.xpath = "/frr-multinic:multinic/numa/spill-threshold",
			.cbs = {
				.modify = multinic_numa_spill_threshold_modify,
				.cli_show = cli_show_numa_spill_threshold,
			},
		},
		{
			.xpath = "/frr-multinic:multinic/numa/receive-steering",
			.cbs = {
				.modify = multinic_numa_steering_modify,
				.cli_show = cli_show_numa_steering,
			},
		},
		{
			.xpath = "/frr-multinic:multinic/nic-match",
			.cbs = {
				.create = multinic_nic_match_create,
				.destroy = multinic_nic_match_destroy,
				.cli_show = cli_show_nic_match,
			},
		},
		{
			.xpath = "/frr-multinic:multinic/nic-match/name-pattern",
			.cbs = {
				.modify = multinic_nic_match_name_pattern_modify,
				.destroy = multinic_nic_match_name_pattern_destroy,
			},
		},
		{
			.xpath = "/frr-multinic:multinic/nic-match/driver",
			.cbs = {
				.modify = multinic_nic_match_driver_modify,
				.destroy = multinic_nic_match_driver_destroy,
			},
		},
		{
			.xpath = "/frr-multinic:multinic/nic-match/has-default-gateway",
			.cbs = {
				.create = multinic_nic_match_default_gw_create,
				.destroy = multinic_nic_match_default_gw_destroy,
			},
		},
		{
			.xpath = "/frr-multinic:multinic/task",
			.cbs = {
				.create = multinic_task_create,
				.destroy = multinic_task_destroy,
				.cli_show = cli_show_task,
				.cli_show_end = cli_show_task_end,
			},
		},
		{
			.xpath = "/frr-multinic:multinic/task/netns",
			.cbs = {
				.modify = multinic_task_netns_modify,
				.destroy = multinic_task_netns_destroy,
				.cli_show = cli_show_task_netns,
			},
		},
		{
			.xpath = "/frr-multinic:multinic/task/vip-v4",
			.cbs = {
				.modify = multinic_task_vip_modify,
				.destroy = multinic_task_vip_destroy,
				.cli_show = cli_show_task_vip,
			},
		},
		{
			.xpath = "/frr-multinic:multinic/task/vip-v6",
			.cbs = {
				.modify = multinic_task_vip_modify,
				.destroy = multinic_task_vip_destroy,
				.cli_show = cli_show_task_vip,
			},
		},
		{
			.xpath = "/frr-multinic:multinic/task/mtu",
			.cbs = {
				.modify = multinic_task_mtu_modify,
				.destroy = multinic_task_mtu_destroy,
				.cli_show = cli_show_task_mtu,
			},
		},
		{
			.xpath = "/frr-multinic:multinic/task/announce",
			.cbs = {
				.modify = multinic_task_announce_modify,
				.cli_show = cli_show_task_announce,
			},
		},
		{
			.xpath = "/frr-multinic:multinic/task/ifname",
			.cbs = {
				.modify = multinic_task_ifname_modify,
				.cli_show = cli_show_task_ifname,
			},
		},
		{
			.xpath = "/frr-multinic:multinic/task/numa-node",
			.cbs = {
				.modify = multinic_task_numa_node_modify,
				.destroy = multinic_task_numa_node_destroy,
				.cli_show = cli_show_task_numa_node,
			},
		},
		{
			.xpath = "/frr-multinic:multinic/task/cni",
			.cbs = {
				.create = multinic_task_cni_create,
				.destroy = multinic_task_cni_destroy,
			},
		},
		{
			.xpath = "/frr-multinic:multinic/task/cni/container-id",
			.cbs = {
				.modify = multinic_task_cni_leaf_modify,
			},
		},
		{
			.xpath = "/frr-multinic:multinic/task/cni/network",
			.cbs = {
				.modify = multinic_task_cni_leaf_modify,
			},
		},
		{
			.xpath = "/frr-multinic:multinic/task/nic-address",
			.cbs = {
				.create = multinic_task_addr_create,
				.destroy = multinic_task_addr_destroy,
				.cli_show = cli_show_task_addr,
			},
		},
		{
			.xpath = "/frr-multinic:multinic/task/nic-address/ipv4",
			.cbs = {
				.modify = multinic_task_addr_ip_modify,
				.destroy = multinic_task_addr_ip_destroy,
			},
		},
		{
			.xpath = "/frr-multinic:multinic/task/nic-address/ipv6",
			.cbs = {
				.modify = multinic_task_addr_ip_modify,
				.destroy = multinic_task_addr_ip_destroy,
			},
		},
		{
			.xpath = "/frr-multinic:multinic/authorization/vip-range",
			.cbs = {
				.create = multinic_authz_range_create,
				.destroy = multinic_authz_destroy,
				.cli_show = cli_show_authz_range,
			},
		},
		{
			.xpath = "/frr-multinic:multinic/authorization/max-vips-per-host",
			.cbs = {
				.modify = multinic_authz_modify,
				.destroy = multinic_authz_destroy,
				.cli_show = cli_show_authz_max_vips_per_host,
			},
		},
		{
			.xpath = "/frr-multinic:multinic/authorization/host",
			.cbs = {
				.create = multinic_authz_create,
				.destroy = multinic_authz_destroy,
			},
		},
		{
			.xpath = "/frr-multinic:multinic/authorization/host/neighbor",
			.cbs = {
				.create = multinic_authz_neighbor_create,
				.destroy = multinic_authz_destroy,
				.cli_show = cli_show_authz_host_neighbor,
			},
		},
		{
			.xpath = "/frr-multinic:multinic/authorization/host/vip-range",
			.cbs = {
				.create = multinic_authz_create,
				.destroy = multinic_authz_destroy,
				.cli_show = cli_show_authz_host_range,
			},
		},
		{
			.xpath = "/frr-multinic:multinic/authorization/host/max-vips",
			.cbs = {
				.modify = multinic_authz_modify,
				.destroy = multinic_authz_destroy,
				.cli_show = cli_show_authz_host_max_vips,
			},
		},
		{
			.xpath = "/frr-multinic:multinic-state/version",
			.cbs = {
				.get_elem = multinic_state_version_get_elem,
			},
		},
		{
			.xpath = "/frr-multinic:multinic-state/capabilities/kernel-release",
			.cbs = {
				.get_elem = multinic_state_caps_get_elem,
			},
		},
		{
			.xpath = "/frr-multinic:multinic-state/capabilities/netkit",
			.cbs = {
				.get_elem = multinic_state_caps_get_elem,
			},
		},
		{
			.xpath = "/frr-multinic:multinic-state/capabilities/veth",
			.cbs = {
				.get_elem = multinic_state_caps_get_elem,
			},
		},
		{
			.xpath = "/frr-multinic:multinic-state/capabilities/tcx",
			.cbs = {
				.get_elem = multinic_state_caps_get_elem,
			},
		},
		{
			.xpath = "/frr-multinic:multinic-state/capabilities/clsact",
			.cbs = {
				.get_elem = multinic_state_caps_get_elem,
			},
		},
		{
			.xpath = "/frr-multinic:multinic-state/capabilities/btf",
			.cbs = {
				.get_elem = multinic_state_caps_get_elem,
			},
		},
		{
			.xpath = "/frr-multinic:multinic-state/capabilities/bpf-sched-cls",
			.cbs = {
				.get_elem = multinic_state_caps_get_elem,
			},
		},
		{
			.xpath = "/frr-multinic:multinic-state/capabilities/libbpf-version",
			.cbs = {
				.get_elem = multinic_state_caps_get_elem,
			},
		},
		{
			.xpath = "/frr-multinic:multinic-state/numa/source",
			.cbs = {
				.get_elem = multinic_state_numa_source_get_elem,
			},
		},
		{
			.xpath = "/frr-multinic:multinic-state/numa/node",
			.cbs = {
				.get_next = multinic_state_numa_node_get_next,
				.get_keys = multinic_state_numa_node_get_keys,
				.lookup_entry = multinic_state_numa_node_lookup_entry,
			},
		},
		{
			.xpath = "/frr-multinic:multinic-state/numa/node/id",
			.cbs = {
				.get_elem = multinic_state_numa_node_get_elem,
			},
		},
		{
			.xpath = "/frr-multinic:multinic-state/numa/node/cpus",
			.cbs = {
				.get_elem = multinic_state_numa_node_get_elem,
			},
		},
		{
			.xpath = "/frr-multinic:multinic-state/egress/datapath",
			.cbs = {
				.get_elem = multinic_state_egress_get_elem,
			},
		},
		{
			.xpath = "/frr-multinic:multinic-state/egress/reason",
			.cbs = {
				.get_elem = multinic_state_egress_get_elem,
			},
		},
		{
			.xpath = "/frr-multinic:multinic-state/nic",
			.cbs = {
				.get_next = multinic_state_nic_get_next,
				.get_keys = multinic_state_nic_get_keys,
				.lookup_entry = multinic_state_nic_lookup_entry,
			},
		},
		{
			.xpath = "/frr-multinic:multinic-state/nic/name",
			.cbs = {
				.get_elem = multinic_state_nic_get_elem,
			},
		},
		{
			.xpath = "/frr-multinic:multinic-state/nic/ifindex",
			.cbs = {
				.get_elem = multinic_state_nic_get_elem,
			},
		},
		{
			.xpath = "/frr-multinic:multinic-state/nic/oper-up",
			.cbs = {
				.get_elem = multinic_state_nic_get_elem,
			},
		},
		{
			.xpath = "/frr-multinic:multinic-state/nic/speed",
			.cbs = {
				.get_elem = multinic_state_nic_get_elem,
			},
		},
		{
			.xpath = "/frr-multinic:multinic-state/nic/weight",
			.cbs = {
				.get_elem = multinic_state_nic_get_elem,
			},
		},
		{
			.xpath = "/frr-multinic:multinic-state/nic/numa-node",
			.cbs = {
				.get_elem = multinic_state_nic_numa_get_elem,
			},
		},
		{
			.xpath = "/frr-multinic:multinic-state/nic/spill-loaded",
			.cbs = {
				.get_elem = multinic_state_nic_numa_get_elem,
			},
		},
		{
			.xpath = "/frr-multinic:multinic-state/nic/receive-steering",
			.cbs = {
				.get_elem = multinic_state_nic_numa_get_elem,
			},
		},
		{
			.xpath = NULL,
		},
	}
};
/* clang-format on */
