#!/bin/bash
# Prepare a Debian 12 host to build and test frr-multinic: apt sources
# (bookworm-backports binaries, Debian 13 sources), build and test packages,
# the frr user and groups. Idempotent; run as root.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
. "$here/versions.sh"

log() { printf 'setup-host: %s\n' "$*"; }
die() { printf 'setup-host: error: %s\n' "$*" >&2; exit 1; }

[ "$(id -u)" = 0 ] || die "must run as root"
grep -q 'VERSION_CODENAME=bookworm' /etc/os-release ||
	log "warning: not Debian 12 (bookworm); continuing anyway"

mirror=http://deb.debian.org/debian
if [ -f /etc/apt/sources.list.d/debian.sources ]; then
	m=$(awk '/^URIs:/ && $2 ~ /debian\/?$/ {print $2; exit}' \
		/etc/apt/sources.list.d/debian.sources)
	[ -n "$m" ] && mirror=$m
fi

# Backports binaries are never preferred by apt unless asked for (-t), and
# trixie is added as deb-src only, so the host's own packages stay Debian 12's.
sources=/etc/apt/sources.list.d/frr-multinic.sources
want=$(cat <<SRC
# Added by frr-multinic packaging/setup-host.sh
Types: deb deb-src
URIs: $mirror
Suites: $DEBIAN_BACKPORTS_SUITE
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg

Types: deb-src
URIs: $mirror
Suites: bookworm $DEBIAN_SOURCE_SUITE
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
SRC
)
stamp=/var/lib/apt/frr-multinic-setup.stamp
if [ ! -f "$sources" ] || [ "$(cat "$sources")" != "$want" ]; then
	printf '%s\n' "$want" >"$sources"
	rm -f "$stamp"
fi

# Packages needed to build FRR (Debian's build deps plus gRPC), libyang,
# multinicd (libbpf, libnl), the BPF objects, and to run the tests.
pkgs=(
	# FRR build
	autoconf automake libtool make gcc g++ pkgconf bison flex gawk
	texinfo install-info python3-dev
	libc-ares-dev libcap-dev libelf-dev libjson-c-dev libpam0g-dev
	libpcre2-dev libprotobuf-c-dev libreadline-dev libunwind-dev
	protobuf-c-compiler libgrpc++-dev protobuf-compiler-grpc
	protobuf-compiler libprotobuf-dev
	# libyang build and FRR source download
	cmake dpkg-dev devscripts- quilt-
	# multinicd and BPF
	libnl-3-dev libnl-route-3-dev libnftables-dev clang llvm
	# Debian packages (packaging/build-debs.sh: Debian's FRR build deps
	# with docs, SNMP, RPKI, Lua; tests/packages: the clean Debian 12 root)
	debhelper fakeroot lintian chrpath python3-sphinx libsnmp-dev
	librtr-dev libssh-dev liblua5.3-dev lua5.3 libxxhash-dev debootstrap
	# tests
	libcmocka-dev python3-pytest python3-grpcio python3-grpc-tools
	python3-protobuf gdb iputils-ping iperf3 procps psmisc kmod
	nftables ethtool tcpdump
	python3-scapy # topotests: a hostile task's crafted packets
	qemu-system-x86 busybox-static cpio xz-utils # tests/vm: netkit in qemu
	# tests/cni: the CNI plugin under podman (runc: crun 1.8 refuses
	# hybrid cgroups) with Debian's IPAM plugins, a busybox image
	podman runc containernetworking-plugins jq
	# benchmarks (bench/run): the chart
	python3-matplotlib
)
backports=(libbpf-dev libbpf1 bpftool iproute2)

installed() {
	local p
	for p in "$@"; do
		case $p in *-) continue ;; esac
		dpkg-query -W -f='${Status}' "$p" 2>/dev/null |
			grep -q 'install ok installed' || return 1
	done
}

libbpf_ok() {
	local v
	v=$(dpkg-query -W -f='${Version}' libbpf-dev 2>/dev/null) || return 1
	v=${v#*:}
	dpkg --compare-versions "${v%%-*}" ge "$LIBBPF_MIN_VERSION"
}

iproute_ok() {
	ip -V 2>/dev/null | grep -qE 'iproute2-(6\.(1[0-9]|[7-9])|[7-9])'
}

if [ -f "$stamp" ] && installed "${pkgs[@]}" "${backports[@]}" &&
	libbpf_ok && iproute_ok; then
	log "packages already installed"
else
	export DEBIAN_FRONTEND=noninteractive
	log "apt-get update"
	apt-get update -qq
	log "installing build and test packages"
	apt-get install -y -qq --no-install-recommends "${pkgs[@]}" >/dev/null
	log "installing ${backports[*]} from $DEBIAN_BACKPORTS_SUITE"
	apt-get install -y -qq --no-install-recommends \
		-t "$DEBIAN_BACKPORTS_SUITE" "${backports[@]}" >/dev/null
	libbpf_ok || die "libbpf-dev >= $LIBBPF_MIN_VERSION not installed"
	iproute_ok || die "iproute2 from $DEBIAN_BACKPORTS_SUITE not installed"
	touch "$stamp"
fi

# FRR runs as frr:frr; vtysh access is through the frrvty group.
getent group frr >/dev/null || groupadd --system frr
getent group frrvty >/dev/null || groupadd --system frrvty
if ! getent passwd frr >/dev/null; then
	useradd --system --gid frr --groups frrvty --home-dir /nonexistent \
		--no-create-home --shell /usr/sbin/nologin frr
fi
id -nG frr | grep -qw frrvty || usermod -a -G frrvty frr
log "done"
