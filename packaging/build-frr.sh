#!/bin/bash
# Obtain FRR (and, where needed, libyang) from Debian 13's source packages,
# apply our patch series, overlay frr-multinic/ and yang/, build with Debian's
# paths, the full daemon set and gRPC, and install.
#
#   build-frr.sh build     fetch + patch + overlay + configure + make
#   build-frr.sh install   build, then install into / (idempotent)
#   build-frr.sh tree      print the FRR source tree in use (for the tests)
#
# Build outputs are cached under $FRR_MULTINIC_CACHE (default
# /var/cache/frr-multinic), keyed by a hash of their inputs:
#   - libyang-<key>/  by version and this script;
#   - frr-<key>/      the patched, configured tree, by versions, patches and
#                     configure flags. Our overlay is synced into it by content
#                     and rebuilt incrementally, so editing multinicd does not
#                     rebuild FRR.
# An install whose inputs (tree key + overlay hash) are unchanged is skipped.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/.." && pwd)
. "$here/versions.sh"

cache=${FRR_MULTINIC_CACHE:-/var/cache/frr-multinic}
jobs=${JOBS:-$(nproc)}
multiarch=$(dpkg-architecture -qDEB_HOST_MULTIARCH 2>/dev/null || echo x86_64-linux-gnu)
libyang_prefix_base=/opt/frr-multinic

log() { printf 'build-frr: %s\n' "$*" >&2; }
die() { printf 'build-frr: error: %s\n' "$*" >&2; exit 1; }

fetch_sources() {
	local dir=$cache/sources want
	mkdir -p "$dir"
	want="frr_${FRR_DEB_VERSION}.dsc"
	if [ ! -f "$dir/$want" ] || [ ! -f "$dir/libyang_${LIBYANG_DEB_VERSION}.dsc" ]; then
		log "downloading Debian source packages frr=$FRR_DEB_VERSION libyang=$LIBYANG_DEB_VERSION"
		(cd "$dir" && apt-get source -qq --download-only \
			"frr=$FRR_DEB_VERSION" "libyang=$LIBYANG_DEB_VERSION") ||
			die "apt-get source failed (did packaging/setup-host.sh add the deb-src entries?)"
	fi
}

system_libyang_ok() {
	pkg-config --exists "libyang >= $LIBYANG_MIN_VERSION" 2>/dev/null
}

# Prints the prefix of the libyang FRR builds against ("" = the system's).
libyang_prefix() {
	if system_libyang_ok; then
		echo ""
		return
	fi
	echo "$libyang_prefix_base/libyang-$LIBYANG_UPSTREAM_VERSION"
}

build_libyang() {
	local prefix key src
	prefix=$(libyang_prefix)
	[ -z "$prefix" ] && { log "using the system's libyang"; return; }
	key=$(printf '%s\n' "$LIBYANG_DEB_VERSION" "$(declare -f build_libyang)" | sha256sum | cut -c1-16)
	if [ "$(cat "$prefix/.frr-multinic-key" 2>/dev/null)" = "$key" ]; then
		return
	fi
	log "building libyang $LIBYANG_DEB_VERSION into $prefix"
	src=$cache/libyang-$key
	rm -rf "$src" "$prefix"
	dpkg-source -x "$cache/sources/libyang_${LIBYANG_DEB_VERSION}.dsc" "$src" >/dev/null
	cmake -S "$src" -B "$src/build" -DCMAKE_BUILD_TYPE=Release \
		-DENABLE_TESTS=OFF -DCMAKE_INSTALL_PREFIX="$prefix" \
		-DCMAKE_INSTALL_LIBDIR=lib >"$src/cmake.log" 2>&1 ||
		{ tail -30 "$src/cmake.log"; die "libyang cmake failed"; }
	make -C "$src/build" -j"$jobs" >"$src/make.log" 2>&1 ||
		{ tail -30 "$src/make.log"; die "libyang build failed"; }
	make -C "$src/build" install >>"$src/make.log" 2>&1 ||
		die "libyang install failed"
	echo "$key" >"$prefix/.frr-multinic-key"
	rm -rf "$src"
}

configure_flags() {
	local ly
	ly=$(libyang_prefix)
	# Debian's own flags (debian/rules) where they matter for paths and
	# behaviour, plus gRPC and sharpd (topotests); docs and SNMP/RPKI/Lua
	# are left out of this development build (packaging/debian has them).
	printf '%s\n' \
		--prefix=/usr --sysconfdir=/etc --localstatedir=/var \
		--sbindir=/usr/lib/frr \
		"--libdir=/usr/lib/$multiarch/frr" \
		"--with-moduledir=/usr/lib/$multiarch/frr/modules" \
		--with-vtysh-pager=/usr/bin/pager \
		--enable-multipath=256 --enable-user=frr --enable-group=frr \
		--enable-vty-group=frrvty --enable-configfile-mask=0640 \
		--enable-logfile-mask=0640 --with-libpam --enable-fpm \
		--enable-ospfapi --enable-bgp-vnc --enable-pim6d \
		--disable-doc --disable-snmp --disable-rpki --disable-scripting \
		--enable-sharpd --enable-grpc --enable-multinicd
	if [ -n "$ly" ]; then
		printf '%s\n' "PKG_CONFIG_PATH=$ly/lib/pkgconfig" \
			"CPPFLAGS=-I$ly/include" \
			"LDFLAGS=-L$ly/lib -Wl,-rpath,$ly/lib"
	fi
}

tree_key() {
	{
		cat "$here/versions.sh"
		configure_flags
		declare -f prepare_tree
		(cd "$top" && find packaging/patches -type f -print0 | LC_ALL=C sort -z | xargs -0 sha256sum)
	} | sha256sum | cut -c1-16
}

# Sources only: an in-tree "make check" leaves objects beside them.  The
# BPF programs (bpf/) go into multinicd/bpf/: multinicd embeds their
# skeletons (multinicd/subdir.am).
overlay_files() {
	(cd "$top/frr-multinic" && find . -type f \( -name '*.[ch]' -o -name '*.am' \) |
		sed 's|^\./||' | LC_ALL=C sort)
	(cd "$top/bpf" && find . -maxdepth 1 -type f -name '*.[ch]' |
		sed 's|^\./|multinicd/bpf/|' | LC_ALL=C sort)
}

# Where an overlay file comes from in our checkout.
overlay_source() {
	case $1 in
	multinicd/bpf/*) echo "$top/bpf/${1#multinicd/bpf/}" ;;
	yang/*) echo "$top/$1" ;;
	*) echo "$top/frr-multinic/$1" ;;
	esac
}

overlay_key() {
	{
		overlay_files | while read -r f; do
			printf '%s %s\n' "$(sha256sum <"$(overlay_source "$f")")" "$f"
		done
		(cd "$top" && sha256sum yang/*.yang)
	} | sha256sum | cut -c1-16
}

# Copy the overlay into the tree, touching only files whose content changed so
# that make rebuilds only what we edited; remove files we no longer ship.
sync_overlay() {
	local tree=$1 manifest=$1/.frr-multinic-overlay new f
	new=$(mktemp)
	overlay_files >"$new"
	(cd "$top/yang" && find . -name '*.yang' -type f | sed 's|^\./|yang/|') >>"$new"
	if [ -f "$manifest" ]; then
		grep -vxF -f "$new" "$manifest" | while read -r f; do
			log "overlay: removing $f"
			rm -f "$tree/$f"
		done || true
	fi
	while read -r f; do
		local src
		src=$(overlay_source "$f")
		if ! cmp -s "$src" "$tree/$f"; then
			mkdir -p "$(dirname "$tree/$f")"
			cp "$src" "$tree/$f"
		fi
	done <"$new"
	mv "$new" "$manifest"
}

prepare_tree() {
	local key tree p
	key=$(tree_key)
	tree=$cache/frr-$key
	if [ -f "$tree/.frr-multinic-configured" ]; then
		echo "$tree"
		return
	fi
	log "preparing FRR $FRR_DEB_VERSION tree $tree"
	# Older trees are superseded: keep the cache from growing without bound.
	find "$cache" -mindepth 1 -maxdepth 1 -name 'frr-*' -type d -exec rm -rf {} +
	dpkg-source -x "$cache/sources/frr_${FRR_DEB_VERSION}.dsc" "$tree" >/dev/null ||
		die "dpkg-source -x frr failed"
	while read -r p; do
		case $p in '' | '#'*) continue ;; esac
		log "applying $p"
		patch -d "$tree" -p1 --quiet --forward <"$here/patches/$p" ||
			die "patch $p does not apply"
	done <"$here/patches/series"
	sync_overlay "$tree"
	log "bootstrap + configure (about 2 minutes)"
	(cd "$tree" && ./bootstrap.sh >bootstrap.log 2>&1) ||
		{ tail -30 "$tree/bootstrap.log"; die "bootstrap failed"; }
	local -a flags
	mapfile -t flags < <(configure_flags)
	(cd "$tree" && ./configure "${flags[@]}" >configure.log 2>&1) ||
		{ tail -40 "$tree/configure.log"; die "configure failed (log: $tree/configure.log)"; }
	# The marker is written last: an interrupted run starts over.
	touch "$tree/.frr-multinic-configured"
	echo "$tree"
}

do_build() {
	local tree
	fetch_sources
	build_libyang
	tree=$(prepare_tree)
	sync_overlay "$tree"
	log "make -j$jobs in $tree"
	# -k: one failing target does not stop the rest of FRR's build, so
	# that a fix to it rebuilds only that target.
	make -C "$tree" -k -j"$jobs" >"$tree/make.log" 2>&1 ||
		{ grep -E -A3 'error:|Error [0-9]' "$tree/make.log" | head -60; die "FRR build failed (log: $tree/make.log)"; }
	ln -sfn "$tree" "$cache/frr-current"
}

install_stamp=/var/lib/frr-multinic/install.key

# What Debian's package installs besides "make install" (debian/rules,
# frr.dirs, frr.pam): state and log directories, PAM policy for vtysh,
# and the default files of /etc/frr.  Existing configuration is kept.
install_runtime_files() {
	local tree=$1 f
	install -d -o frr -g frr -m 0755 /var/run/frr /var/log/frr /var/lib/frr
	install -d -o frr -g frrvty -m 0775 /etc/frr
	for f in daemons frr.conf vtysh.conf support_bundle_commands.conf; do
		[ -e "/etc/frr/$f" ] || [ ! -e "$tree/tools/etc/frr/$f" ] ||
			install -o frr -g frrvty -m 0640 "$tree/tools/etc/frr/$f" /etc/frr/
	done
	[ -e /etc/pam.d/frr ] || install -m 0644 "$tree/debian/frr.pam" /etc/pam.d/frr
	install -d /etc/iproute2/rt_protos.d
	install -m 0644 "$tree/tools/etc/iproute2/rt_protos.d/frr.conf" \
		/etc/iproute2/rt_protos.d/frr.conf
}

do_install() {
	local key
	key="$(tree_key)-$(overlay_key)"
	if [ "$(cat "$install_stamp" 2>/dev/null)" = "$key" ] &&
		[ -x /usr/lib/frr/multinicd ] && [ -x /usr/bin/vtysh ] &&
		[ -d "$cache/frr-$(tree_key)" ]; then
		log "FRR with frr-multinic already installed and up to date"
		ln -sfn "$cache/frr-$(tree_key)" "$cache/frr-current"
		return
	fi
	do_build
	log "make install"
	make -C "$cache/frr-current/" install >"$cache/frr-current/install.log" 2>&1 ||
		{ tail -30 "$cache/frr-current/install.log"; die "make install failed"; }
	ldconfig
	install_runtime_files "$cache/frr-current"
	mkdir -p "$(dirname "$install_stamp")"
	echo "$key" >"$install_stamp"
}

# One build at a time: parallel runs (CI beside a developer, several
# shells) would share the cached tree and the installed files.
take_lock() {
	mkdir -p "$cache"
	exec 9>"$cache/build.lock"
	flock 9 || die "cannot lock $cache/build.lock"
}

case ${1:-} in
build) take_lock; do_build ;;
install) take_lock; do_install ;;
libyang) take_lock; fetch_sources; build_libyang ;;
tree) readlink -f "$cache/frr-current" ;;
*) die "usage: $0 build|install|tree" ;;
esac
