// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * multinicd: error code descriptions (shown by "show error").
 */
#include <zebra.h>

#include "lib/ferr.h"

#include "multinic_errors.h"

/* clang-format off */
static struct log_ref ferr_multinic_err[] = {
	{
		.code = EC_MULTINIC_PROBE,
		.title = "Datapath capability probe failed",
		.description = "multinicd could not determine whether a datapath feature (netkit, veth, tcx, clsact, BPF program type) is available, and treats it as unavailable.",
		.suggestion = "Check that multinicd runs with CAP_NET_ADMIN and CAP_SYS_ADMIN, and the kernel log for BPF or netlink errors.",
	},
	{
		.code = EC_MULTINIC_NETLINK,
		.title = "Netlink request failed",
		.description = "A netlink request multinicd sent to the kernel failed.",
		.suggestion = "The log line names the request and the kernel's error; check the kernel's support for the feature and multinicd's privileges.",
	},
	{
		.code = EC_MULTINIC_SYSFS,
		.title = "Reading sysfs or ethtool failed",
		.description = "multinicd could not read a NIC property (driver, NUMA node) from sysfs or ethtool.",
		.suggestion = "The property is shown as unknown; NIC selection rules that need it do not match that NIC.",
	},
	{
		.code = EC_MULTINIC_BPF,
		.title = "eBPF datapath operation failed",
		.description = "multinicd could not load, pin or attach a BPF program, or update a BPF map.",
		.suggestion = "The log line names the object and the kernel's error; check that bpffs can be mounted on /sys/fs/bpf and that multinicd has CAP_SYS_ADMIN.  Task traffic falls back to the kernel datapath.",
	},
	{
		.code = EC_MULTINIC_CNI,
		.title = "CNI socket operation failed",
		.description = "multinicd could not serve its CNI socket (multinic-cni.sock), or read or write its CNI state file.",
		.suggestion = "The log line names the file and the error; check that the FRR run state directory (/var/run/frr) exists and belongs to the frr user.",
	},
	{
		.code = EC_MULTINIC_NFT,
		.title = "nftables operation failed",
		.description = "multinicd could not write or read the anti-spoofing rules of a task in its nftables table (inet multinic): that task's spoofed packets are not dropped by the kernel.",
		.suggestion = "The log line names the task and nft's error; check that the kernel has nf_tables (nft list tables) and that nothing else deletes the table inet multinic.",
	},
	{
		.code = END_FERR,
	}
};
/* clang-format on */

void multinic_error_init(void)
{
	log_ref_add(ferr_multinic_err);
}
