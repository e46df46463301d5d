#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# Run the netlink test program on a kernel that has netkit: Debian's 6.12
# cloud kernel (CONFIG_NETKIT=y), booted under qemu with a throw-away
# initramfs made of this host's binaries.  The
# project's test kernel lacks netkit, so "make check" only sees netkit
# creation refused there; this runs the netkit path for real.
#
# usage: tests/netlink/run-in-vm.sh [TEST_PROGRAM]
#   TEST_PROGRAM   the built test (default tests/netlink/test_multinic_netlink)
#
# Needs root, qemu-system-x86, busybox-static, cpio and xz-utils; the
# kernel package is fetched once with apt-get download and kept in
# MN_VM_CACHE (default /var/cache/frr-multinic/vm).  MN_VM_ACCEL and
# MN_VM_CPU pick qemu's accelerator and CPU (default tcg and max: nested
# KVM is often unusable; a run takes about a minute).  MN_VM_VALGRIND=1
# runs the test under valgrind's memcheck (needs valgrind and libc6-dbg).  Exit status: the test program's, 77 when something
# needed is missing.
set -eu

prog=${1:-tests/netlink/test_multinic_netlink}
cache=${MN_VM_CACHE:-/var/cache/frr-multinic/vm}
accel=${MN_VM_ACCEL:-tcg}
cpu=${MN_VM_CPU:-max}

skip() {
	echo "SKIP: $*"
	exit 77
}

[ "$(id -u)" = 0 ] || skip "needs root (apt-get download, ip netns in the VM)"
for tool in qemu-system-x86_64 busybox cpio xz ldd dpkg-deb apt-get; do
	command -v "$tool" >/dev/null 2>&1 ||
		skip "$tool not found (qemu-system-x86, busybox-static, cpio, xz-utils)"
done
[ -x "$prog" ] || skip "$prog is not built (make check builds it)"
prog=$(cd "$(dirname "$prog")" && pwd)/$(basename "$prog")

# The kernel: Debian's newest 6.12 cloud kernel for bookworm (the LTS
# linux-6.12 packages), or MN_VM_KERNEL.  bookworm-backports' 6.12.95
# double-faults early under Debian 12's qemu (7.2) with TCG; the bookworm
# ones (6.12.107, 6.12.117) run cleanly.
pkg=${MN_VM_KERNEL:-$(apt-cache search --names-only \
	'^linux-image-6\.12\.[0-9]+\+deb12-cloud-amd64-unsigned$' |
	cut -d' ' -f1 | sort -V | tail -n 1)}
[ -n "$pkg" ] || skip "no linux-image-6.12.*-cloud-amd64-unsigned in the apt sources"
fetch_kernel() {
	mkdir -p "$cache"
	dl=$(mktemp -d)
	(cd "$dl" && apt-get download -q "$pkg" >/dev/null 2>&1) ||
		{ rm -rf "$dl"; skip "cannot download $pkg"; }
	dpkg-deb -x "$dl"/*.deb "$dl/x"
	grep -q '^CONFIG_NETKIT=y' "$dl"/x/boot/config-* ||
		{ rm -rf "$dl"; skip "$pkg has no CONFIG_NETKIT"; }
	cp "$dl"/x/boot/vmlinuz-* "$cache/vmlinuz"
	for m in veth tun; do
		xz -dc "$(find "$dl/x/lib/modules" -name "$m.ko.xz")" \
			>"$cache/$m.ko"
	done
	echo "$pkg" >"$cache/kernel"
	rm -rf "$dl"
}
[ "$(cat "$cache/kernel" 2>/dev/null)" = "$pkg" ] || fetch_kernel

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
root=$work/root

# A binary and the shared libraries it loads, at the same paths.
install_bin() {
	mkdir -p "$root$(dirname "$1")"
	cp -L "$1" "$root$1"
	for lib in $(ldd "$1" 2>/dev/null | grep -o '/[^ ]*'); do
		mkdir -p "$root$(dirname "$lib")"
		cp -L "$lib" "$root$lib"
	done
}

mkdir -p "$root"/bin "$root"/sbin "$root"/proc "$root"/sys "$root"/dev \
	"$root"/run "$root"/tmp "$root"/etc
bb=$(command -v busybox)
install_bin "$bb"
install_bin /bin/dash
ln -s dash "$root/bin/sh" # system() and popen() in the test
install_bin "$(command -v ip)"
install_bin "$(command -v kmod)"
ln -s "$(command -v kmod)" "$root/sbin/insmod" # kmod acts on its argv[0]
# The test at a path of its own: /tmp and /run are tmpfs in the VM.
install_bin "$prog"
mkdir -p "$root/mn"
cp "$prog" "$root/mn/test"
run=/mn/test
if [ -n "${MN_VM_VALGRIND:-}" ]; then
	# valgrind needs its tools and ld.so's symbols (libc6-dbg) too
	install_bin /usr/bin/valgrind.bin
	cp /usr/bin/valgrind "$root/usr/bin/valgrind"
	mkdir -p "$root/usr/libexec/valgrind" "$root/usr/lib"
	for f in memcheck-amd64-linux vgpreload_memcheck-amd64-linux.so \
		 vgpreload_core-amd64-linux.so default.supp; do
		cp "/usr/libexec/valgrind/$f" "$root/usr/libexec/valgrind/"
	done
	cp -a /usr/lib/debug "$root/usr/lib/"
	run="/usr/bin/valgrind -q --leak-check=full --show-leak-kinds=all --errors-for-leak-kinds=all --error-exitcode=99 $run"
fi
cp "$cache/veth.ko" "$cache/tun.ko" "$root/mn/"

cat >"$root/init" <<EOF
#!$bb sh
bb=$bb
\$bb mount -t proc proc /proc
\$bb mount -t sysfs sysfs /sys
\$bb mount -t devtmpfs dev /dev
\$bb mount -t tmpfs tmpfs /run
\$bb mount -t tmpfs tmpfs /tmp
echo "=== kernel \$(\$bb uname -r)"
/sbin/insmod /mn/veth.ko
/sbin/insmod /mn/tun.ko
export PATH=$(dirname "$(command -v ip)"):/usr/bin:/bin CMOCKA_MESSAGE_OUTPUT=stdout
$run
echo "MN_VM_EXIT=\$?"
\$bb poweroff -f
EOF
chmod +x "$root/init"
(cd "$root" && find . | cpio -o -H newc --quiet | gzip -1) >"$work/initrd.gz"

echo "=== booting $(cat "$cache/kernel") under qemu ($accel)"
# A kernel oops ends the VM (oops=panic, panic=-1, -no-reboot) rather than
# leaving it hung; timeout is the last resort.
timeout "${MN_VM_TIMEOUT:-900}" qemu-system-x86_64 -accel "$accel" \
	-cpu "$cpu" -m 1024 -smp "${MN_VM_SMP:-2}" -nographic -no-reboot \
	-kernel "$cache/vmlinuz" -initrd "$work/initrd.gz" \
	-append "console=ttyS0 quiet oops=panic panic=-1" \
	</dev/null >"$work/console" 2>&1 || true
sed -n '/=== kernel/,/^MN_VM_EXIT=/p' "$work/console" | sed 's/^.*=== kernel/=== kernel/'
status=$(sed -n 's/^MN_VM_EXIT=\([0-9]*\).*/\1/p' "$work/console")
if [ -z "$status" ]; then
	cat "$work/console"
	echo "FAIL: the VM did not run the test to its end"
	exit 1
fi
exit "$status"
