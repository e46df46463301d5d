#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# Run test programs on a kernel that has netkit: Debian's 6.12 cloud
# kernel (CONFIG_NETKIT=y), booted under qemu with a throw-away initramfs
# made of this host's binaries.  The project's test kernel lacks netkit,
# so this is where the netkit path runs for real.
#
# usage: tests/vm/run-in-vm.sh [-b BINARY]... [-f PATH]... [-e VAR=VALUE]...
#                              [-m MODULE]... [-q QEMU_ARGS]
#                              [-t SECONDS] [-o CONSOLE_FILE] PROGRAM...
#   PROGRAM   test programs or scripts, run one after the other inside the
#             VM (from /mn/N/, with their directory's name as cwd name);
#             each one's output is framed by "=== run NAME" and
#             "=== exit NAME STATUS" lines
#   -b        also carry BINARY (and the shared libraries it loads) at the
#             same path, stripped of debug information (not under /tmp,
#             /run or /var/tmp: tmpfs in the VM)
#   -f        also carry the file or directory PATH at the same path
#   -e        set VAR=VALUE in the programs' environment
#   -m        also load the kernel module MODULE (with what it depends
#             on listed before it, e.g. -m failover -m net_failover
#             -m virtio_net)
#   -q        more qemu arguments (split at blanks): devices, a NUMA
#             topology (tests/vm/run-datapath-tests numa-vm)
#   -t        hard time limit of the whole VM run (default MN_VM_TIMEOUT,
#             else 900 s)
#   -o        keep the VM's whole serial console in CONSOLE_FILE
#
# Needs root, qemu-system-x86, busybox-static, cpio and xz-utils; the
# kernel package is fetched with apt-get download when it is not in
# MN_VM_CACHE (default /var/cache/frr-multinic/vm/PACKAGE), a cache keyed
# by the package's name, never relied on.  The VM has no network device.
# MN_VM_ACCEL and MN_VM_CPU pick qemu's accelerator and CPU (default tcg
# and max: nested KVM is often unusable), MN_VM_SMP the vCPUs (1).  MN_VM_VALGRIND=1 runs the
# programs under valgrind's memcheck (needs valgrind and libc6-dbg).
# Exit status: the first failing program's, 1 when the VM did not finish,
# 77 when something needed is missing.
set -eu

cache_root=${MN_VM_CACHE:-/var/cache/frr-multinic/vm}
accel=${MN_VM_ACCEL:-tcg}
cpu=${MN_VM_CPU:-max}
limit=${MN_VM_TIMEOUT:-900}
console_out=
qemu_args=
extra_modules=
bins=
files=
envs=

skip() {
	echo "SKIP: $*"
	exit 77
}
usage() {
	sed -n '/^# usage:/,/^#   -o/p' "$0" | sed 's/^# \{0,1\}//' >&2
	exit 2
}

while getopts b:f:e:m:q:t:o: opt; do
	case $opt in
	m) extra_modules="$extra_modules $OPTARG" ;;
	q) qemu_args="$qemu_args $OPTARG" ;;
	b) bins="$bins $OPTARG" ;;
	f) files="$files $OPTARG" ;;
	e) envs="$envs '$OPTARG'" ;;
	t) limit=$OPTARG ;;
	o) console_out=$OPTARG ;;
	*) usage ;;
	esac
done
shift $((OPTIND - 1))
[ $# -gt 0 ] || set -- tests/netlink/test_multinic_netlink

[ "$(id -u)" = 0 ] || skip "needs root (apt-get download, ip netns in the VM)"
for tool in qemu-system-x86_64 busybox cpio xz ldd dpkg-deb apt-get flock; do
	command -v "$tool" >/dev/null 2>&1 ||
		skip "$tool not found (qemu-system-x86, busybox-static, cpio, xz-utils)"
done
for prog in "$@"; do
	[ -x "$prog" ] || skip "$prog is not built (make check or, for the netlink test, make check-netlink builds it)"
done
for f in $bins $files; do
	case $f in
	/tmp/* | /run/* | /var/tmp/* | /var/run/*)
		echo "run-in-vm.sh: $f would be hidden by a tmpfs in the VM" >&2
		exit 2
		;;
	esac
done

# The kernel: Debian's newest 6.12 cloud kernel for bookworm (the LTS
# linux-6.12 packages), or MN_VM_KERNEL.  bookworm-backports' 6.12.95
# double-faults early under Debian 12's qemu (7.2) with TCG; the bookworm
# ones (6.12.107, 6.12.117) run cleanly.
newest_kernel() {
	apt-cache search --names-only \
		'^linux-image-6\.12\.[0-9]+\+deb12-cloud-amd64-unsigned$' |
		cut -d' ' -f1 | sort -V | tail -n 1
}
pkg=${MN_VM_KERNEL:-$(newest_kernel)}
[ -n "$pkg" ] || skip "no linux-image-6.12.*-cloud-amd64-unsigned in the apt sources"
# veth for every test; tun for the netlink tests; sch_ingress and cls_bpf
# so that multinicd's probe finds clsact as on a full host; nfnetlink,
# libcrc32c and nf_tables (in load order: nf_tables needs both) for the
# anti-spoofing of kernel mode.
modules="veth tun sch_ingress cls_bpf nfnetlink libcrc32c nf_tables$extra_modules"
cache=$cache_root/$pkg
cached() {
	[ -s "$cache/vmlinuz" ] || return 1
	for m in $modules; do
		[ -s "$cache/$m.ko" ] || return 1
	done
}
fetch_kernel() {
	echo "=== fetching $pkg (apt-get download)"
	dl=$(mktemp -d)
	if ! (cd "$dl" && apt-get download -q "$pkg" >/dev/null 2>&1); then
		# stale package lists (a newer kernel replaced it): refresh once
		echo "=== apt-get update (cannot download $pkg)"
		apt-get update -qq >/dev/null 2>&1 || true
		[ -n "${MN_VM_KERNEL:-}" ] || pkg=$(newest_kernel)
		cache=$cache_root/$pkg
		(cd "$dl" && apt-get download -q "$pkg" >/dev/null 2>&1) ||
			{ rm -rf "$dl"; skip "cannot download $pkg"; }
	fi
	dpkg-deb -x "$dl"/*.deb "$dl/x"
	grep -q '^CONFIG_NETKIT=y' "$dl"/x/boot/config-* ||
		{ rm -rf "$dl"; skip "$pkg has no CONFIG_NETKIT"; }
	mkdir -p "$dl/c"
	cp "$dl"/x/boot/vmlinuz-* "$dl/c/vmlinuz"
	for m in $modules; do
		ko=$(find "$dl/x/lib/modules" -name "$m.ko.xz")
		[ -n "$ko" ] || { rm -rf "$dl"; skip "$pkg has no module $m"; }
		xz -dc "$ko" >"$dl/c/$m.ko"
	done
	rm -rf "$cache"
	mv "$dl/c" "$cache"
	rm -rf "$dl"
}
mkdir -p "$cache_root"
exec 9>"$cache_root/.lock"
flock 9
cached || fetch_kernel
flock -u 9

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
root=$work/root

# A file at the same path; ELF files stripped of their debug information
# (the initramfs is unpacked under emulation: size is boot time).
copy_file() {
	[ -e "$root$2" ] && return 0
	mkdir -p "$root$(dirname "$2")"
	if head -c 4 "$1" | grep -q 'ELF' &&
		strip --strip-debug -o "$root$2" "$1" 2>/dev/null; then
		chmod --reference="$1" "$root$2"
	else
		cp -L "$1" "$root$2"
	fi
}
# A binary and the shared libraries it loads, at the same paths.
install_bin() {
	copy_file "$1" "$1"
	for lib in $(ldd "$1" 2>/dev/null | grep -o '/[^ ]*'); do
		copy_file "$lib" "$lib"
	done
}

mkdir -p "$root"/bin "$root"/sbin "$root"/proc "$root"/sys "$root"/dev \
	"$root"/run "$root"/tmp "$root"/etc "$root"/var "$root/mn"
bb=$(command -v busybox)
install_bin "$bb"
install_bin /bin/dash
ln -s dash "$root/bin/sh" # system() and popen() in the tests
install_bin "$(command -v ip)"
install_bin "$(command -v kmod)"
ln -s "$(command -v kmod)" "$root/sbin/insmod" # kmod acts on its argv[0]
for b in $bins; do
	install_bin "$b"
done
for f in $files; do
	if [ -d "$f" ]; then
		mkdir -p "$root$(dirname "$f")"
		cp -a "$f" "$root$f"
	else
		copy_file "$f" "$f"
	fi
done
# Users for daemons that drop privileges (FRR's frr:frr, frrvty).
printf 'root:x:0:0:root:/root:/bin/sh\nfrr:x:100:101::/nonexistent:/bin/false\n' \
	>"$root/etc/passwd"
printf 'root:x:0:\nfrr:x:101:\nfrrvty:x:102:frr\n' >"$root/etc/group"

# The programs, each in a directory of its own: /tmp and /run are tmpfs
# in the VM.
runs=
n=0
for prog in "$@"; do
	n=$((n + 1))
	abs=$(cd "$(dirname "$prog")" && pwd)/$(basename "$prog")
	install_bin "$abs"
	mkdir -p "$root/mn/$n"
	cp "$abs" "$root/mn/$n/$(basename "$prog")"
	runs="$runs /mn/$n/$(basename "$prog")"
done
wrap=
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
	wrap="/usr/bin/valgrind -q --leak-check=full --show-leak-kinds=all --errors-for-leak-kinds=all --error-exitcode=99"
fi
for m in $modules; do
	cp "$cache/$m.ko" "$root/mn/"
done

cat >"$root/init" <<EOF
#!$bb sh
bb=$bb
\$bb mount -t proc proc /proc
\$bb mount -t sysfs sysfs /sys
\$bb mount -t devtmpfs dev /dev
\$bb mount -t tmpfs tmpfs /run
\$bb mount -t tmpfs tmpfs /tmp
\$bb mkdir -p /var/run /var/tmp
\$bb mount -t tmpfs tmpfs /var/tmp
\$bb mount --bind /run /var/run
echo 1 >/proc/sys/kernel/printk
\$bb --install -s /bin 2>/dev/null # the usual commands, busybox's
echo "=== kernel \$(\$bb uname -r)"
for m in $modules; do /sbin/insmod /mn/\$m.ko; done
\$bb ip link set lo up
export PATH=$(dirname "$(command -v ip)"):/usr/sbin:/usr/bin:/sbin:/bin
export CMOCKA_MESSAGE_OUTPUT=stdout MN_VM=1 BB=\$bb $envs
first=0
for prog in $runs; do
	echo "=== run \$prog"
	cd \$(\$bb dirname \$prog)
	$wrap \$prog
	rc=\$?
	echo "=== exit \$prog \$rc"
	[ \$first != 0 ] || first=\$rc
done
echo "MN_VM_EXIT=\$first"
\$bb poweroff -f
EOF
chmod +x "$root/init"
(cd "$root" && find . | cpio -o -H newc --quiet | gzip -1) >"$work/initrd.gz"

echo "=== booting $pkg under qemu ($accel, at most $limit s, no network)"
# One vCPU by default (MN_VM_SMP): with two, multi-threaded TCG lets a
# vCPU run into the int3 of a static key being patched by the other
# (seen as "Oops: int3" in inet6_ehashfn on the first IPv6 TCP
# connection).  A kernel oops ends the VM (oops=panic, panic=-1, -no-reboot) rather than
# leaving it hung; the time limit is the last resort.
start=$(date +%s)
rc=0
# $qemu_args is split at blanks on purpose (-q)
# shellcheck disable=SC2086
timeout -k 10 "$limit" qemu-system-x86_64 -accel "$accel" \
	-cpu "$cpu" -m "${MN_VM_MEM:-1024}" -smp "${MN_VM_SMP:-1}" \
	-nographic -no-reboot -nic none \
	-kernel "$cache/vmlinuz" -initrd "$work/initrd.gz" $qemu_args \
	-append "console=ttyS0 quiet loglevel=1 oops=panic panic=-1" \
	</dev/null >"$work/console" 2>&1 || rc=$?
took=$(($(date +%s) - start))
tr -d '\r' <"$work/console" >"$work/console.txt"
[ -z "$console_out" ] || cp "$work/console.txt" "$console_out"
sed -n '/=== kernel/,/^MN_VM_EXIT=/p' "$work/console.txt" | sed 's/^.*=== kernel/=== kernel/'
status=$(sed -n 's/^MN_VM_EXIT=\([0-9]*\).*/\1/p' "$work/console.txt")
if [ -z "$status" ]; then
	echo "--- the VM's console:"
	tail -n 60 "$work/console.txt"
	if [ "$rc" = 124 ] || [ "$rc" = 137 ]; then
		echo "FAIL: the VM did not finish within $limit s (killed)"
	else
		echo "FAIL: the VM stopped after $took s before its tests ended (qemu exit $rc)"
	fi
	exit 1
fi
echo "=== VM run: $took s"
exit "$status"
