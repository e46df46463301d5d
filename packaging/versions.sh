# shellcheck shell=sh
# The one place where the versions frr-multinic builds against are pinned.
# Sourced by configure (when it runs), packaging/*.sh and .ci/run.

# FRR comes from Debian 13's source package (DESIGN.md §3).
FRR_DEB_VERSION=10.3-3+deb13u1
FRR_UPSTREAM_VERSION=10.3

# FRR 10.3 needs libyang >= 2.1.128; Debian 12 ships 2.1.30, so where the
# system's libyang is older we build this one from Debian 13's source package.
LIBYANG_MIN_VERSION=2.1.128
LIBYANG_DEB_VERSION=3.12.2-1
LIBYANG_UPSTREAM_VERSION=3.12.2

# Debian suite whose source packages we take (deb-src only: no binary from it
# is ever installed on the Debian 12 host).
DEBIAN_SOURCE_SUITE=trixie
# Debian 12 backports give libbpf >= 1.3 (tcx/netkit attach), bpftool, iproute2.
DEBIAN_BACKPORTS_SUITE=bookworm-backports
LIBBPF_MIN_VERSION=1.3.0
