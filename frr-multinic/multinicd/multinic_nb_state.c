// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * multinicd: northbound state callbacks (/frr-multinic:multinic-state).
 */
#include <zebra.h>

#include "lib/northbound.h"
#include "lib/yang.h"

#include "multinicd.h"
#include "multinic_caps.h"
#include "multinic_datapath.h"
#include "multinic_nb.h"
#include "multinic_nic.h"

/* The last component of a data path, e.g. "tcx" for ".../capabilities/tcx". */
static const char *leaf_name(const char *xpath)
{
	const char *slash = strrchr(xpath, '/');

	return slash ? slash + 1 : xpath;
}

struct yang_data *multinic_state_version_get_elem(struct nb_cb_get_elem_args *args)
{
	return yang_data_new_string(args->xpath, MULTINICD_VERSION);
}

struct yang_data *multinic_state_caps_get_elem(struct nb_cb_get_elem_args *args)
{
	const struct multinic_caps *caps = &multinic_caps;
	const char *leaf = leaf_name(args->xpath);
	const struct {
		const char *name;
		bool value;
	} flags[] = {
		{ "netkit", caps->has.netkit }, { "veth", caps->has.veth },
		{ "tcx", caps->has.tcx },	{ "clsact", caps->has.clsact },
		{ "btf", caps->has.btf },	{ "bpf-sched-cls", caps->has.bpf_sched_cls },
	};
	size_t i;

	if (strmatch(leaf, "kernel-release"))
		return yang_data_new_string(args->xpath, caps->kernel_release);
	if (strmatch(leaf, "libbpf-version"))
		return yang_data_new_string(args->xpath, caps->libbpf_version);
	for (i = 0; i < array_size(flags); i++)
		if (strmatch(leaf, flags[i].name))
			return yang_data_new_bool(args->xpath, flags[i].value);
	return NULL;
}

struct yang_data *multinic_state_egress_get_elem(struct nb_cb_get_elem_args *args)
{
	char reason[256];
	enum mn_datapath dp;

	dp = mn_datapath_in_use(reason, sizeof(reason));
	if (strmatch(leaf_name(args->xpath), "datapath"))
		return yang_data_new_enum(args->xpath, dp);
	return yang_data_new_string(args->xpath, reason);
}

const void *multinic_state_nic_get_next(struct nb_cb_get_next_args *args)
{
	const struct mn_nic *nic = args->list_entry;

	if (!nic)
		return mn_nics_const_first(&mn_nics);
	return mn_nics_const_next(&mn_nics, nic);
}

int multinic_state_nic_get_keys(struct nb_cb_get_keys_args *args)
{
	const struct mn_nic *nic = args->list_entry;

	args->keys->num = 1;
	strlcpy(args->keys->key[0], nic->name, sizeof(args->keys->key[0]));
	return NB_OK;
}

const void *multinic_state_nic_lookup_entry(struct nb_cb_lookup_entry_args *args)
{
	return mn_nic_find(args->keys->key[0]);
}

struct yang_data *multinic_state_nic_get_elem(struct nb_cb_get_elem_args *args)
{
	const struct mn_nic *nic = args->list_entry;
	const char *leaf = leaf_name(args->xpath);

	if (strmatch(leaf, "name"))
		return yang_data_new_string(args->xpath, nic->name);
	if (strmatch(leaf, "ifindex"))
		return yang_data_new_uint32(args->xpath, nic->ifindex);
	if (strmatch(leaf, "oper-up"))
		return yang_data_new_bool(args->xpath, nic->oper_up);
	if (strmatch(leaf, "speed"))
		return yang_data_new_uint32(args->xpath, mn_nic_speed(nic));
	if (strmatch(leaf, "weight"))
		return yang_data_new_uint16(args->xpath, mn_nic_weight(nic));
	return NULL;
}
