#!/usr/bin/env bash
# lab/lab.sh — "the Azure topology in a box": tsbgpd (or ExaBGP) on a watcher (and a second watcher for the
# pair), FRR + BIRD as the two Azure Route Server instances (GR helpers), a BIRD "SDN" router that installs
# the VIP into its kernel FIB, two web servers holding the VIP, and a load generator. See lab/README.md.
#
#   sudo npm run lab                       # the failure scenarios (crash, host-down, flaky, recover), tsbgpd's
#        [--scenarios LIST] [--runs N]     #   built-in checks vs the reference loop + ExaBGP 4.2 (default all, 10)
#        [--flaky-seconds S] [--preferred-after DUR] [--speakers tsbgp,reference[,tsbgp-pipe]]
#                                          #   (tsbgp-pipe: tsbgpd without VIPs, driven by the same loop through its pipe)
#   sudo npm run lab -- --scenarios watcher --runs 2   # the watcher's own failures, tsbgpd only: restart, kill9,
#                                          #   upgrade, and the pair's primary-dies, primary-returns, double
#   sudo npm run lab -- --single           # one operator failover ws1->ws2 and the failback, with tsbgpd
#   sudo npm run lab -- --compare          # operator failovers, tsbgpd vs ExaBGP 4.2 (and tsbgpd's ExaBGP pipe), alternating blocks
#        [--rounds R] [--per-block N]      #   (default 2 rounds x 20 failovers per speaker)
#   KEEP_TMP=1 ...                         # keep the temp dir (configs, logs, captures)
#
# Safety: every address lives inside namespaces created here (prefix tsbgp-lab-, veths tlab*);
# every process is started here and stopped by PID; everything is torn down on exit (trap).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
LAB="$ROOT/lab"
P=tsbgp-lab
MODE=scenarios; ROUNDS=2; PER_BLOCK=20
SCENARIOS=crash,host-down,flaky,recover; RUNS=10; FLAKY_SECONDS=60; PREFERRED_AFTER=5s; SPEAKERS=tsbgp,reference
usage() { echo "usage: lab.sh [--scenarios crash,host-down,flaky,recover[-sticky|-preferred],restart,kill9,upgrade,primary-dies,primary-returns,double,watcher,pair] [--runs N] [--flaky-seconds S]" \
  "[--preferred-after DUR] [--speakers tsbgp,reference,tsbgp-pipe] | --single | --compare [--rounds R] [--per-block N]" >&2; exit 2; }
while (( $# )); do
  case "$1" in
    --single) MODE=single ;;
    --compare) MODE=compare ;;
    --rounds) ROUNDS="$2"; shift ;;
    --per-block) PER_BLOCK="$2"; shift ;;
    --scenarios) SCENARIOS="$2"; shift ;;
    --runs) RUNS="$2"; shift ;;
    --flaky-seconds) FLAKY_SECONDS="$2"; shift ;;
    --preferred-after) PREFERRED_AFTER="$2"; shift ;;
    --speakers) SPEAKERS="$2"; shift ;;
    *) usage ;;
  esac
  shift
done
(( PER_BLOCK % 2 == 0 )) || { echo "--per-block must be even (each block ends back on ws1)" >&2; exit 2; }
(( ROUNDS >= 1 && ROUNDS <= 10 && PER_BLOCK >= 2 && PER_BLOCK <= 40 )) || { echo "rounds 1..10, per-block 2..40" >&2; exit 2; }
[[ $RUNS =~ ^[0-9]+$ ]] && (( RUNS >= 1 && RUNS <= 100 )) || { echo "--runs 1..100" >&2; exit 2; }
[[ $FLAKY_SECONDS =~ ^[0-9]+$ ]] && (( FLAKY_SECONDS >= 1 && FLAKY_SECONDS <= 600 )) || { echo "--flaky-seconds 1..600" >&2; exit 2; }
[[ $PREFERRED_AFTER =~ ^([0-9]+)s$ ]] && (( ${BASH_REMATCH[1]} >= 1 && ${BASH_REMATCH[1]} <= 120 )) || { echo "--preferred-after 1s..120s (whole seconds)" >&2; exit 2; }
PREFERRED_AFTER_S=${PREFERRED_AFTER%s}
declare -a SCN_LIST=() SPK_LIST=()
for x in ${SCENARIOS//,/ }; do
  case "$x" in
    crash|host-down|flaky|recover-sticky|recover-preferred) SCN_LIST+=("$x") ;;
    recover) SCN_LIST+=(recover-sticky recover-preferred) ;;
    restart|kill9|upgrade|primary-dies|primary-returns|double) SCN_LIST+=("$x") ;;
    watcher) SCN_LIST+=(restart kill9 upgrade primary-dies primary-returns double) ;;
    pair) SCN_LIST+=(primary-dies primary-returns double) ;;
    *) echo "unknown scenario: $x (crash, host-down, flaky, recover = recover-sticky + recover-preferred;" \
      "restart, kill9, upgrade, primary-dies, primary-returns, double; watcher = those six, pair = the last three)" >&2; exit 2 ;;
  esac
done
for x in ${SPEAKERS//,/ }; do [[ $x == tsbgp || $x == reference || $x == tsbgp-pipe ]] || usage; SPK_LIST+=("$x"); done
(( ${#SCN_LIST[@]} && ${#SPK_LIST[@]} )) || usage
# Phases of one scenario run (seconds): after the failure, wait at most CONVERGE_S for lt1's first
# answer from ws2, then watch OBSERVE_S more; recover: ws1 returns RETURN_AFTER_S after that answer and
# is watched for the preferred-after delay + RECOVER_MARGIN_S.
CONVERGE_S=10; OBSERVE_S=3; RETURN_AFTER_S=2; RECOVER_MARGIN_S=5
RECOVER_OBSERVE_S=$(( PREFERRED_AFTER_S + RECOVER_MARGIN_S ))
# The watcher scenarios (tsbgpd only; lab/watcher-scenarios.sh): a restarted watcher has WATCH_BACK_S to have
# its sessions up and the VIP fresh at both route servers, then WATCH_OBSERVE_S more are watched. The pair's
# hold time and restart time are PAIR_HOLD_S; a dead primary is watched for PAIR_HOLD_S + PAIR_MARGIN_S; in
# `double`, ws1 fails DOUBLE_GAP_S after the primary died and lt1 has PAIR_HOLD_S + CONVERGE_S to reach ws2.
WATCH_BACK_S=30; WATCH_OBSERVE_S=3; PAIR_HOLD_S=9; PAIR_MARGIN_S=5; DOUBLE_GAP_S=1
START=$(date +%s)
case $MODE in
  single) MAX_RUNTIME=240 ;;
  compare) MAX_RUNTIME=900 ;;
  scenarios)   # a bound, not an estimate: every phase at its longest, plus ~25 s of setup per run
    MAX_RUNTIME=120; for x in "${SCN_LIST[@]}"; do
      case $x in crash|host-down) ph=$(( CONVERGE_S + OBSERVE_S )) ;; flaky) ph=$(( FLAKY_SECONDS + OBSERVE_S )) ;;
        recover-*) ph=$(( CONVERGE_S + RETURN_AFTER_S + RECOVER_OBSERVE_S )) ;;
        restart|kill9|upgrade) ph=$(( 5 + WATCH_BACK_S + WATCH_OBSERVE_S )) ;;   # (5: a stop's TERM-to-KILL bound)
        primary-dies) ph=$(( PAIR_HOLD_S + PAIR_MARGIN_S + 20 )) ;;              # (20: a second watcher's setup)
        primary-returns) ph=$(( PAIR_HOLD_S + PAIR_MARGIN_S + WATCH_BACK_S + 10 + WATCH_OBSERVE_S + 20 )) ;;
        double) ph=$(( DOUBLE_GAP_S + PAIR_HOLD_S + CONVERGE_S + OBSERVE_S + 20 )) ;; esac
      case $x in restart|kill9|upgrade|primary-*|double) n_sp=1 ;; *) n_sp=${#SPK_LIST[@]} ;; esac   # tsbgp only
      MAX_RUNTIME=$(( MAX_RUNTIME + RUNS * n_sp * (ph + 25) ))
    done ;;
esac
KEEP_TMP="${KEEP_TMP:-0}"

[[ $(id -u) -eq 0 ]] || { echo "lab.sh: must run as root (network namespaces)" >&2; exit 1; }
# One lab at a time: a second run would delete the first one's namespaces (mkns) under it.
exec {LOCK_FD}>/run/lock/tsbgp-lab.lock
flock -n "$LOCK_FD" || { echo "lab.sh: another lab run holds /run/lock/tsbgp-lab.lock (its namespaces are tsbgp-lab-*); wait for it" >&2; exit 1; }
# What the lab needs, by binary -> Debian package. A fresh machine gets them from apt-get, with their
# services kept from starting (the lab starts its own daemons, by PID).
declare -A PKG=([/usr/lib/frr/bgpd]=frr [/usr/lib/frr/zebra]=frr [vtysh]=frr [bird]=bird2 [birdc]=bird2
  [tcpdump]=tcpdump [tshark]=tshark [ip]=iproute2 [exabgp]=exabgp [nft]=nftables [socat]=socat [curl]=curl)
need_pkgs() { local b; for b in "${!PKG[@]}"; do command -v "$b" >/dev/null || echo "${PKG[$b]}"; done | sort -u; }
mapfile -t missing < <(need_pkgs)
if (( ${#missing[@]} )); then
  echo "lab.sh: installing ${missing[*]} (apt-get)" >&2
  printf '#!/bin/sh\nexit 101\n' > /usr/sbin/policy-rc.d && chmod +x /usr/sbin/policy-rc.d
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null || true
  rm -f /usr/sbin/policy-rc.d
  mapfile -t missing < <(need_pkgs)
  (( ${#missing[@]} == 0 )) || { echo "lab.sh: still missing Debian packages: ${missing[*]}" >&2; exit 1; }
fi
command -v node >/dev/null || { echo "lab.sh: node is missing (Node.js >= 20)" >&2; exit 1; }

TMP="$(mktemp -d /tmp/tsbgp-lab.XXXXXX)"; chmod 755 "$TMP"
declare -a PIDS=() NETNS=()
exec {LOG_FD}>&2   # log() and die() always reach the terminal, even from a command whose stderr is redirected
log() { printf '[%4ds] %s\n' "$(( $(date +%s) - START ))" "$*" >&"$LOG_FD"; }
die() { log "ERROR: $*"; exit 1; }
budget() { (( $(date +%s) - START <= MAX_RUNTIME )) || die "time budget ${MAX_RUNTIME}s exceeded"; }

LAST_PID=""
start_bg() { # NAME NS CMD...
  local name="$1" ns="$P-$2"; shift 2
  ip netns exec "$ns" "$@" >"$TMP/$name.out" 2>&1 &
  LAST_PID=$!; PIDS+=("$LAST_PID")
}
stop_pid() { # PID [SIG]
  local pid="$1" sig="${2:-TERM}" i
  [[ -n "$pid" ]] || return 0
  if kill -0 "$pid" 2>/dev/null; then
    kill -"$sig" "$pid" 2>/dev/null || true
    for ((i = 0; i < 50; i++)); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -0 "$pid" 2>/dev/null && kill -KILL "$pid" 2>/dev/null || true
  fi
  wait "$pid" 2>/dev/null || true
  forget_pid "$pid"
}
pipe_holder_stop() { # PIPE: tsbgpd's ExaBGP pipe outlives it, held open by a holder process it started (PID in PIPE.holder):
  local pid i                # stop that holder by its PID (only if it holds PIPE as its stdin) and remove the pipe
  pid=$(cat "$1.holder" 2>/dev/null || true)
  if [[ $pid =~ ^[0-9]+$ && /proc/$pid/fd/0 -ef $1 ]]; then
    kill -TERM "$pid" 2>/dev/null || true
    for ((i = 0; i < 20; i++)); do kill -0 "$pid" 2>/dev/null || break; sleep 0.05; done
    kill -KILL "$pid" 2>/dev/null || true
  fi
  rm -f "$1" "$1.holder"
}
forget_pid() { local p keep=(); for p in "${PIDS[@]}"; do [[ "$p" == "$1" ]] || keep+=("$p"); done; PIDS=("${keep[@]}"); }   # reaped: not ours to stop any more
kill_ns_procs() { # leftovers (children of our daemons) inside one of OUR namespaces
  local p
  for p in $(ip netns pids "$1" 2>/dev/null); do kill -TERM "$p" 2>/dev/null || true; done
  sleep 0.3
  for p in $(ip netns pids "$1" 2>/dev/null); do kill -KILL "$p" 2>/dev/null || true; done
}
cleanup() {
  local rc=$? i ns all=("${PIDS[@]}")
  set +e
  for ((i = ${#all[@]} - 1; i >= 0; i--)); do stop_pid "${all[$i]}"; done
  for ns in "${NETNS[@]}"; do kill_ns_procs "$ns"; ip netns del "$ns" 2>/dev/null; done
  if (( rc != 0 )); then log "FAILED (rc=$rc); logs kept in $TMP"
  elif [[ $KEEP_TMP == 1 ]]; then log "temp dir kept: $TMP"
  else rm -rf "$TMP"; fi
  exit $rc
}
trap cleanup EXIT
trap 'exit 130' INT TERM

wait_for() { # TIMEOUT WHAT CMD...
  local t="$1" what="$2"; shift 2
  local end=$(( $(date +%s) + t ))
  while (( $(date +%s) < end )); do
    if "$@" >/dev/null 2>&1; then log "ok: $what"; return 0; fi
    sleep 0.2
  done
  die "timeout (${t}s) waiting for: $what"
}

# ------------------------------------------------------------------ build
if (cd "$ROOT" && npx tsc -p . >"$TMP/tsc.out" 2>&1); then log "built dist/"
elif [[ -f "$ROOT/dist/src/cli/tsbgpd.js" ]]; then log "WARNING: tsc failed (see $TMP/tsc.out); using the existing dist/"
else die "build failed: $(head -5 "$TMP/tsc.out")"; fi
TSBGPD="$ROOT/dist/src/cli/tsbgpd.js"; BGPCTL="$ROOT/dist/src/cli/bgpctl.js"

# ------------------------------------------------------------------ topology
mkns() {
  local ns="$P-$1"
  if ip netns list | awk '{print $1}' | grep -qxF "$ns"; then kill_ns_procs "$ns"; ip netns del "$ns"; fi
  ip netns add "$ns"; NETNS+=("$ns")
  ip -n "$ns" link set lo up
}
for n in sw0 watcher watcher2 ws1 ws2 lt1 sdn rs1 rs2; do mkns "$n"; done
ip -n $P-sw0 link add tlab-br0 type bridge; ip -n $P-sw0 link set tlab-br0 up
ip -n $P-sw0 link add tlab-br1 type bridge; ip -n $P-sw0 link set tlab-br1 up
plug() { # NS IFNAME ADDR/LEN BRIDGE   (veth IFNAME in NS <-> IFNAME-p... on the switch)
  local ns="$P-$1" ifn="$2" addr="$3" br="$4" peer="tlabp-${2#tlab-}"
  ip link add name "$ifn" netns "$ns" type veth peer name "$peer" netns $P-sw0
  ip -n $P-sw0 link set "$peer" master "$br" up
  ip -n "$ns" addr add "$addr" dev "$ifn"
  ip -n "$ns" link set "$ifn" up
}
plug watcher tlab-watch 10.10.0.7/24 tlab-br0
plug watcher2 tlab-watch2 10.10.0.8/24 tlab-br0
plug ws1 tlab-ws1 10.10.0.4/24 tlab-br0
plug ws2 tlab-ws2 10.10.0.5/24 tlab-br0
plug lt1 tlab-lt1 10.10.0.6/24 tlab-br0
plug sdn tlab-sdn0 10.10.0.1/24 tlab-br0
plug sdn tlab-sdn1 10.10.1.1/24 tlab-br1
plug rs1 tlab-rs1 10.10.1.4/24 tlab-br1
plug rs2 tlab-rs2 10.10.1.5/24 tlab-br1
sx() { ip netns exec "$P-$1" sysctl -qw "$2"; }
for n in watcher watcher2 ws1 ws2 lt1; do ip -n $P-$n route add default via 10.10.0.1; done
for n in rs1 rs2; do ip -n $P-$n route add default via 10.10.1.1; ip -n $P-$n route add 10.10.0.0/24 via 10.10.1.1; done
# sdn: forwards, and never sends ICMP redirects (lt1 -> sdn -> ws is in and out of the same subnet;
# a redirect would make lt1 bypass the SDN and pin the old web server)
sx sdn net.ipv4.ip_forward=1
for k in all default tlab-sdn0 tlab-sdn1; do sx sdn net.ipv4.conf.$k.send_redirects=0; done
for k in all default tlab-lt1; do sx lt1 net.ipv4.conf.$k.accept_redirects=0; done
ip -n $P-lt1 route add 100.64.0.1/32 via 10.10.0.1
for n in ws1 ws2; do   # the VIP on both web servers' loopbacks (DSR-style sysctls)
  ip -n $P-$n addr add 100.64.0.1/32 dev lo
  for k in all default tlab-$n lo; do sx $n net.ipv4.conf.$k.rp_filter=0; done
  sx $n net.ipv4.conf.all.arp_ignore=1; sx $n net.ipv4.conf.all.arp_announce=2
done
log "topology up: watcher .7, watcher2 .8, ws1 .4, ws2 .5, lt1 .6, sdn .1/10.10.1.1, rs1 10.10.1.4, rs2 10.10.1.5"

# ------------------------------------------------------------------ web servers
WWW_SECONDS=$(( MAX_RUNTIME + 60 )); WS1_PID=""; WWW_N=0
www_start() { # NAME: start that web server, wait until it listens; ws1's PID is kept for the crash scenario
  WWW_N=$((WWW_N + 1))
  start_bg "$1-www-$WWW_N" "$1" node "$LAB/www.mjs" "$1" 80 "$WWW_SECONDS"
  [[ $1 == ws1 ]] && WS1_PID=$LAST_PID
  wait_for 10 "web server $1 listening" grep -q listening "$TMP/$1-www-$WWW_N.out"
}
www_start ws1
www_start ws2

# ------------------------------------------------------------------ sdn router (BIRD -> kernel FIB)
cat >"$TMP/sdn-bird.conf" <<EOF2
log "$TMP/sdn-bird.log" { info, warning, error, fatal };
router id 10.10.0.1;
protocol device { scan time 10; }
protocol direct { ipv4; interface "tlab-*"; }
protocol kernel { ipv4 { import none; export where net = 100.64.0.1/32; }; }
template bgp rsx { local 10.10.1.1 as 65520; multihop 2; connect retry time 2; connect delay time 1; error wait time 1, 5;
  ipv4 { import all; export none; }; }
protocol bgp rs1 from rsx { neighbor 10.10.1.4 as 65515; }
protocol bgp rs2 from rsx { neighbor 10.10.1.5 as 65515; }
EOF2
bird -p -c "$TMP/sdn-bird.conf" || die "sdn BIRD config"
start_bg sdn-bird sdn bird -f -c "$TMP/sdn-bird.conf" -s "$TMP/sdn.ctl" -P "$TMP/sdn-bird.pid"
: >"$TMP/fib.log"
ip netns exec $P-sdn env TZ=UTC ip -ts monitor route >"$TMP/fib.log" 2>&1 & LAST_PID=$!; PIDS+=("$LAST_PID")

# ------------------------------------------------------------------ rs1: FRR (private zebra + bgpd)
mkdir -p "$TMP/rs1.run"
printf 'ip nht resolve-via-default\n' >"$TMP/rs1.run/zebra.conf"
chown -R frr:frr "$TMP/rs1.run"
cat >"$TMP/rs1-frr.conf" <<EOF2
hostname rs1
log file $TMP/rs1-bgpd.log informational
!
ip prefix-list NOTHING seq 5 deny any
!
router bgp 65515
 bgp router-id 10.10.1.4
 no bgp ebgp-requires-policy
 no bgp default ipv4-unicast
 bgp graceful-restart
 bgp graceful-restart notification
$(for w in 10.10.0.7 10.10.0.8; do printf ' neighbor %s remote-as 65001\n neighbor %s description watcher (NVA)\n neighbor %s ebgp-multihop 5\n neighbor %s timers 60 180\n neighbor %s timers connect 2\n' $w $w $w $w $w; done)
 neighbor 10.10.1.1 remote-as 65520
 neighbor 10.10.1.1 description sdn
 neighbor 10.10.1.1 timers connect 2
 !
 address-family ipv4 unicast
$(for w in 10.10.0.7 10.10.0.8; do printf '  neighbor %s activate\n  neighbor %s prefix-list NOTHING out\n' $w $w; done)
  neighbor 10.10.1.1 activate
  neighbor 10.10.1.1 attribute-unchanged next-hop
  neighbor 10.10.1.1 advertisement-interval 0
 exit-address-family
!
EOF2
start_bg rs1-zebra rs1 /usr/lib/frr/zebra -f "$TMP/rs1.run/zebra.conf" -i "$TMP/rs1.run/zebra.pid" \
  -z "$TMP/rs1.run/zserv.api" --vty_socket "$TMP/rs1.run" -P 0 -u frr -g frr --log "file:$TMP/rs1.run/zebra.log"
wait_for 20 "rs1 zebra" test -S "$TMP/rs1.run/zserv.api"
start_bg rs1-bgpd rs1 /usr/lib/frr/bgpd -f "$TMP/rs1-frr.conf" -i "$TMP/rs1.run/bgpd.pid" -z "$TMP/rs1.run/zserv.api" \
  --vty_socket "$TMP/rs1.run" -P 0 -n -S
wait_for 20 "rs1 bgpd vty" test -S "$TMP/rs1.run/bgpd.vty"
frr() { timeout 10 vtysh --vty_socket "$TMP/rs1.run" -d bgpd "$@"; }
frr_up() { frr -c "show bgp neighbors $1 json" | grep -q '"bgpState":"Established"'; }

# ------------------------------------------------------------------ rs2: BIRD
cat >"$TMP/rs2-bird.conf" <<EOF2
log "$TMP/rs2-bird.log" { info, warning, error, fatal };
router id 10.10.1.5;
protocol device { scan time 10; }
protocol static vnet { ipv4; route 10.10.0.0/24 via 10.10.1.1; }
# both watchers; no keepalive time: a third of the negotiated hold time (60 s at 180, 3 s when a watcher offers 9)
template bgp watchers {
  local 10.10.1.5 as 65515; multihop 5; graceful restart on;
  hold time 180; connect retry time 2; connect delay time 1; error wait time 1, 5;
  ipv4 { import all; export none; };
}
protocol bgp watcher from watchers { neighbor 10.10.0.7 as 65001; }
protocol bgp watcher2 from watchers { neighbor 10.10.0.8 as 65001; }
protocol bgp sdn {
  local 10.10.1.5 as 65515; neighbor 10.10.1.1 as 65520;
  connect retry time 2; connect delay time 1; error wait time 1, 5;
  ipv4 { import none; export where proto = "watcher" || proto = "watcher2"; next hop keep; };
}
EOF2
bird -p -c "$TMP/rs2-bird.conf" || die "rs2 BIRD config"
start_bg rs2-bird rs2 bird -f -c "$TMP/rs2-bird.conf" -s "$TMP/rs2.ctl" -P "$TMP/rs2-bird.pid"
birdc_() { local s="$1"; shift; timeout 10 birdc -s "$TMP/$s.ctl" "$@"; }
bird_up() { birdc_ "$1" show protocols "$2" | grep -q Established; }
wait_for 30 "sdn <-> rs1 (FRR) established" frr_up 10.10.1.1
wait_for 30 "sdn <-> rs2 (BIRD) established" bird_up rs2 sdn

# ------------------------------------------------------------------ the speakers on the watcher
watcher_yaml() { # FILE BODY: tsbgpd on the watcher toward both route servers (Azure's timers), then BODY (routes:, exabgp:, ...)
  cat >"$1" <<EOF2
router-id: 10.10.0.7
local-as: 65001
listen: { address: 10.10.0.7, port: 179 }
neighbors:
  - { address: 10.10.1.4, remote-as: 65515, local-address: 10.10.0.7, hold-time: 180, keepalive-time: 60, connect-retry: 1, families: [ipv4-unicast], description: rs1 }
  - { address: 10.10.1.5, remote-as: 65515, local-address: 10.10.0.7, hold-time: 180, keepalive-time: 60, connect-retry: 1, families: [ipv4-unicast], description: rs2 }
$2
control: { socket: $TMP/tsbgpd.sock, mode: "0660" }
state-file: $TMP/tsbgpd-state.json
log-level: info
EOF2
}
refusal_reason() { # CHECK_OUTPUT WHAT: one line saying why `tsbgpd --check-config` refused WHAT (the unknown keys when it names them)
  local keys; keys=$(grep -o 'unknown key "[^"]*"' "$1" | cut -d'"' -f2 | sort -u | paste -sd, -)
  if [[ -n $keys ]]; then echo "tsbgpd --check-config refuses $2: unknown keys $keys"
  else echo "tsbgpd --check-config refuses $2: $(grep -v '^$' "$1" | head -1 | sed "s|$TMP/||" | tr -d '"\\' | cut -c1-240)"; fi
}
watcher_yaml "$TMP/tsbgpd.yaml" 'routes:
  - { prefix: 100.64.0.1/32, next-hop: 10.10.0.4 }'
node "$TSBGPD" --check-config "$TMP/tsbgpd.yaml" >"$TMP/check-config.out" 2>&1 || die "tsbgpd config: $(cat "$TMP/check-config.out")"
# tsbgp-pipe: tsbgpd in ExaBGP's place, driven through its own named pipe (`exabgp: { pipe: }`, issue 11) by the
# scripts written for ExaBGP; no routes, no VIPs: every route comes through the pipe. A build without the pipe
# refuses the key: PIPE_SUPPORTED=0, and its runs say `status=unsupported`.
TSBGP_PIPE="$TMP/tsbgpd-exabgp.cmd"
watcher_yaml "$TMP/tsbgpd-pipe.yaml" "exabgp: { pipe: $TSBGP_PIPE }"
if node "$TSBGPD" --check-config "$TMP/tsbgpd-pipe.yaml" >"$TMP/check-config-pipe.out" 2>&1; then PIPE_SUPPORTED=1; PIPE_REASON=""
else PIPE_SUPPORTED=0; PIPE_REASON=$(refusal_reason "$TMP/check-config-pipe.out" "exabgp: { pipe: }"); fi
log "tsbgp-pipe: $( (( PIPE_SUPPORTED )) && echo "this build accepts exabgp: { pipe: }" || echo "UNSUPPORTED: $PIPE_REASON")"

mkfifo "$TMP/exabgp.in"
cat >"$TMP/exabgp.conf" <<EOF2
process control {
  run /usr/bin/timeout 1200 /bin/bash -c 'exec 3<>$TMP/exabgp.in; exec cat <&3';
  encoder text;
}
template {
  neighbor rs {
    router-id 10.10.0.7;
    local-address 10.10.0.7;
    local-as 65001;
    peer-as 65515;
    hold-time 180;
    family { ipv4 unicast; }
    capability { route-refresh; }
    api { processes [ control ]; }
  }
}
neighbor 10.10.1.4 { inherit rs; description "rs1"; }
neighbor 10.10.1.5 { inherit rs; description "rs2"; }
EOF2

SPEAKER=""; SPEAKER_PID=""; EXA_FD=""; CAP_PIDS=(); BLOCK=0
: >"$TMP/records.jsonl"
speaker_start() { # tsbgp|exabgp|tsbgp-pipe   (also starts this block's captures: watcher veth, sdn's RS-side veth)
  SPEAKER="$1"
  budget
  BLOCK=$((BLOCK + 1))
  CAP="$TMP/block$BLOCK-$1.pcap"; CAP_SDN="$TMP/block$BLOCK-sdn.pcap"
  start_bg "tcpdump$BLOCK" watcher tcpdump -Z root -i tlab-watch -s 0 -U -n -w "$CAP" 'tcp port 179'
  CAP_PIDS=("$LAST_PID")
  start_bg "tcpdump$BLOCK-sdn" sdn tcpdump -Z root -i tlab-sdn1 -s 0 -U -n -w "$CAP_SDN" 'tcp port 179'
  CAP_PIDS+=("$LAST_PID")
  wait_for 10 "captures of block $BLOCK" bash -c "grep -q 'listening on' '$TMP/tcpdump$BLOCK.out' && grep -q 'listening on' '$TMP/tcpdump$BLOCK-sdn.out'"
  if [[ $1 == tsbgp ]]; then
    rm -f "$TMP/tsbgpd-state.json"
    start_bg "tsbgp-$BLOCK" watcher node "$TSBGPD" --config "$TMP/tsbgpd.yaml" --no-pretty
    SPEAKER_PID=$LAST_PID
  elif [[ $1 == tsbgp-pipe ]]; then   # the VIP's first route comes through the pipe, as ExaBGP's does
    pipe_holder_stop "$TSBGP_PIPE"; rm -f "$TMP/tsbgpd-state.json"
    start_bg "tsbgp-pipe-$BLOCK" watcher node "$TSBGPD" --config "$TMP/tsbgpd-pipe.yaml" --no-pretty
    SPEAKER_PID=$LAST_PID
    wait_for 15 "tsbgpd's named pipe" speaker_and test -p "$TSBGP_PIPE"
    timeout 5 bash -c "echo 'announce route 100.64.0.1/32 next-hop 10.10.0.4' > '$TSBGP_PIPE'" || die "could not write tsbgpd's pipe"
  else
    start_bg "exabgp-$BLOCK" watcher env exabgp.daemon.user=root exabgp.daemon.daemonize=false \
      exabgp.log.destination=stdout exabgp.api.ack=false exabgp.api.cli=false exabgp "$TMP/exabgp.conf"
    SPEAKER_PID=$LAST_PID
    exec {EXA_FD}<>"$TMP/exabgp.in"
    echo "announce route 100.64.0.1/32 next-hop 10.10.0.4" >&"$EXA_FD"
  fi
  wait_for 40 "$1: rs1 (FRR) established" speaker_and frr_up 10.10.0.7
  wait_for 40 "$1: rs2 (BIRD) established" speaker_and bird_up rs2 watcher
  # Azure Route Server asks for a refresh once the session is up
  # (EXA_REFRESH=0 skips it for ExaBGP: 4.2.21 closes the session when it receives one, see README)
  if [[ $1 != exabgp || ${EXA_REFRESH:-1} == 1 ]]; then
    frr -c "clear bgp ipv4 unicast 10.10.0.7 soft in" >/dev/null
    birdc_ rs2 reload in watcher >/dev/null
    sleep 2
    wait_for 40 "$1: rs1 (FRR) established after the refresh" speaker_and frr_up 10.10.0.7
    wait_for 40 "$1: rs2 (BIRD) established after the refresh" speaker_and bird_up rs2 watcher
  fi
  wait_for 30 "$1: sdn FIB 100.64.0.1 via ws1 (both route servers)" sdn_converged 10.10.0.4
}
speaker_and() { kill -0 "$SPEAKER_PID" 2>/dev/null || die "$SPEAKER exited; see $TMP/$SPEAKER-*.out"; "$@"; }
speaker_stop() {
  [[ -n "$SPEAKER_PID" ]] && stop_pid "$SPEAKER_PID"
  if [[ -n "$EXA_FD" ]]; then exec {EXA_FD}>&-; EXA_FD=""; fi
  [[ $SPEAKER == tsbgp-pipe ]] && pipe_holder_stop "$TSBGP_PIPE"
  kill_ns_procs $P-watcher   # ExaBGP's API helper (timeout/bash/cat), if it outlived ExaBGP
  SPEAKER_PID=""
  sleep 0.3
  local c; for c in "${CAP_PIDS[@]}"; do stop_pid "$c" INT; done
  CAP_PIDS=()
}
sdn_converged() { # NH: kernel route via NH and BIRD has it from both rs1 and rs2
  ip -n $P-sdn route get 100.64.0.1 | grep -q "via $1 " &&
  [[ $(birdc_ sdn show route for 100.64.0.1 | grep -c "via $1") -ge 2 ]]
}

# ------------------------------------------------------------------ measurement blocks
run_block() { # SPEAKER COUNT MODE   (a speaker is running, its captures too)
  local sp="$1" count="$2" mode="$3" loadlog="$TMP/load$BLOCK.jsonl"
  budget
  : >"$loadlog"; rm -f "$TMP/load.stop"
  start_bg "load$BLOCK" lt1 node "$LAB/load.mjs" --out "$loadlog" --stop-file "$TMP/load.stop" --max-seconds 60 --max-requests 1200
  local load_pid=$LAST_PID
  wait_for 10 "lt1 answered by ws1" grep -q '"server":"ws1"' "$loadlog"
  sleep 0.5
  log "block $BLOCK: $sp, $count failovers (mode $mode)"
  ip netns exec $P-watcher timeout 300 node "$LAB/failover.mjs" --speaker "$sp" --mode "$mode" --count "$count" \
    --socket "$TMP/tsbgpd.sock" --fifo "$([[ $sp == tsbgp-pipe ]] && echo "$TSBGP_PIPE" || echo "$TMP/exabgp.in")" --bgpctl "$BGPCTL" --fib-log "$TMP/fib.log" \
    --load-log "$loadlog" --out "$TMP/records.jsonl" --block "$BLOCK" --settle 1000 >&2
  touch "$TMP/load.stop"
  local i; for ((i = 0; i < 20; i++)); do kill -0 "$load_pid" 2>/dev/null || break; sleep 0.1; done
  stop_pid "$load_pid"
  echo "{\"block\":$BLOCK,\"speaker\":\"$sp\",\"pcap\":\"$CAP\",\"pcapSdn\":\"$CAP_SDN\",\"load\":\"$loadlog\"}" >>"$TMP/blocks.jsonl"
}

if [[ $MODE == scenarios ]]; then
  source "$LAB/scenarios.sh"
  run_scenarios
  log "done in $(( $(date +%s) - START ))s; tearing down"
  exit 0
fi

if [[ $MODE == single ]]; then
  speaker_start tsbgp
  run_block tsbgp 2 cli
  speaker_stop
else
  COMPARE_SPEAKERS=(tsbgp exabgp)
  if (( PIPE_SUPPORTED )); then COMPARE_SPEAKERS+=(tsbgp-pipe); else log "compare: no tsbgp-pipe blocks ($PIPE_REASON)"; fi
  for ((r = 1; r <= ROUNDS; r++)); do
    for sp in "${COMPARE_SPEAKERS[@]}"; do
      speaker_start "$sp"
      run_block "$sp" "$PER_BLOCK" alt
      speaker_stop
    done
  done
fi

log "analysing"
node "$LAB/analyze.mjs" --tmp "$TMP" --bgpctl "$BGPCTL" --fib-log "$TMP/fib.log" --mode "$MODE"
log "done in $(( $(date +%s) - START ))s; tearing down"
