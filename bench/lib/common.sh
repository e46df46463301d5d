# shellcheck shell=bash
# Names and helpers shared by bench/run and bench/lib/topology.sh.
#
# Every network namespace, FRR pathspace and process the benchmark makes
# is named mnb-* and recorded in a registry file, so that cleanup removes
# exactly what this benchmark created and nothing of anyone else's (other
# demos and tests share this machine).

# Namespaces of the fixed topology (see topology.sh for the picture).
# shellcheck disable=SC2034 # used by the scripts that source this file
MNB_H1=mnb-h1
MNB_TOR=mnb-tor
MNB_REMOTE=mnb-remote
MNB_REMOTE_IP=10.1.0.2

# Where the registry and the lock live; one benchmark at a time per host.
MNB_STATE=${MNB_STATE:-/run/mnb-bench}
MNB_REGISTRY=$MNB_STATE/netns
# shellcheck disable=SC2034
MNB_LOCK=$MNB_STATE/lock

MNB_FRRINIT=/usr/lib/frr/frrinit.sh

mnb_log() { printf '%s bench: %s\n' "$(date +%T)" "$*" >&2; }
mnb_die() { printf 'bench: error: %s\n' "$*" >&2; exit 1; }

# Create a namespace and remember it for cleanup (registered first, so a
# failure half-way still gets it deleted).
mnb_netns_add() { # name
	case $1 in mnb-*) ;; *) mnb_die "refusing to create netns $1 (not mnb-*)" ;; esac
	echo "$1" >>"$MNB_REGISTRY"
	ip netns add "$1"
	ip -n "$1" link set lo up
}

# Stop FRR in a pathspace we started and remove its files.
mnb_frr_stop() { # pathspace
	local ns=$1
	[ -d "/etc/frr/$ns" ] || return 0
	"$MNB_FRRINIT" stop "$ns" >/dev/null 2>&1 || true
	rm -rf "/etc/frr/$ns" "/var/run/frr/$ns" "/var/lib/frr/$ns" \
		"/var/log/frr/$ns" "/var/log/frr/$ns.frrinit.log" "/var/log/frr/$ns.frr.log"
}

# Remove everything recorded in the registry: processes inside our
# namespaces (iperf3), FRR pathspaces, then the namespaces themselves.
mnb_cleanup_registered() {
	local ns pid
	[ -f "$MNB_REGISTRY" ] || return 0
	sort -u "$MNB_REGISTRY" | while read -r ns; do
		case $ns in mnb-*) ;; *) continue ;; esac
		mnb_frr_stop "$ns"
		ip netns list 2>/dev/null | awk '{print $1}' | grep -qx "$ns" || continue
		for pid in $(ip netns pids "$ns" 2>/dev/null); do
			kill "$pid" 2>/dev/null || true
		done
		ip netns del "$ns" 2>/dev/null || true
	done
	rm -f "$MNB_REGISTRY"
}
