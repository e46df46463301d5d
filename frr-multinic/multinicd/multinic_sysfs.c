// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * multinicd: reading small sysfs and procfs files (see multinic_sysfs.h).
 */
#include <zebra.h>

#include <sys/stat.h>

#include "multinic_sysfs.h"

bool mn_sysfs_read_line(const char *path, char *buf, size_t len)
{
	FILE *f = fopen(path, "r");
	bool ok;

	if (!f)
		return false;
	ok = fgets(buf, len, f) != NULL;
	fclose(f);
	if (ok)
		buf[strcspn(buf, "\n")] = '\0';
	return ok;
}

bool mn_sysfs_nic_device_find(const char *ifname, const char *leaf, char *path, size_t len)
{
	char link[PATH_MAX], dev[PATH_MAX];
	struct stat st;

	snprintf(link, sizeof(link), "/sys/class/net/%s/device", ifname);
	if (!realpath(link, dev))
		return false;
	while (strlen(dev) > strlen("/sys/devices/")) {
		snprintf(path, len, "%s/%s", dev, leaf);
		if (stat(path, &st) == 0)
			return true;
		*strrchr(dev, '/') = '\0';
	}
	return false;
}
