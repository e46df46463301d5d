// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * multinicd: reading small sysfs and procfs files (a NIC's node, its
 * interrupts, counters, the host's NUMA nodes).
 */
#ifndef _MULTINIC_SYSFS_H
#define _MULTINIC_SYSFS_H

#include <stdbool.h>
#include <stddef.h>

/* The first line of a small file, without its newline; false when unreadable. */
extern bool mn_sysfs_read_line(const char *path, char *buf, size_t len);

/*
 * The first entry named leaf from a NIC's device up its sysfs path: a
 * PCI function has its numa_node and msi_irqs itself, a virtio NIC's
 * device is the virtio device below the PCI function that has them.
 * path gets it; false when the NIC has no device (veth) or none has it.
 */
extern bool mn_sysfs_nic_device_find(const char *ifname, const char *leaf, char *path, size_t len);

#endif /* _MULTINIC_SYSFS_H */
