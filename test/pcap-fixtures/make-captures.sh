#!/usr/bin/env bash
# make-captures.sh — (re)generate the real-daemon BGP packet-capture fixtures.
#
#   sudo bash test/pcap-fixtures/make-captures.sh            # all captures
#   sudo ONLY="frr-bird gobgp-exabgp-as2" bash test/pcap-fixtures/make-captures.sh
#   sudo KEEP_TMP=1 bash ...   # keep the temp dir (configs + daemon logs)
#
# Requirements (Debian 12 packages): frr, bird2, gobgpd, openbgpd, exabgp,
# tcpdump, tshark, iproute2. Must run as root (network namespaces).
#
# Network safety: every daemon runs inside a network namespace created by this
# script ("tsbgpfx-*"), connected only by veth pairs created directly inside
# those namespaces. Addresses are private (10.0.0.0/8) / documentation
# (2001:db8::/32) ones that exist only inside the namespaces. API/CLI sockets are
# unix sockets in a temp dir or 127.0.0.1 inside a namespace. Nothing is ever
# sent from the host network namespace. The Debian system services are not
# touched (no systemctl); every daemon gets its own config/pid/socket/log path
# in the temp dir. Only processes started by this script are stopped, by PID.
set -euo pipefail

OUT_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ONLY="${ONLY:-}"
KEEP_TMP="${KEEP_TMP:-0}"
NS_PREFIX="tsbgpfx"
FRR_BGPD=/usr/lib/frr/bgpd
SCRIPT_START=$(date +%s)
MAX_RUNTIME=600   # hard upper bound for the whole script (seconds)

if [[ $(id -u) -ne 0 ]]; then
  echo "must run as root (network namespaces)" >&2
  exit 1
fi
for bin in "$FRR_BGPD" vtysh bird birdc gobgpd gobgp /usr/sbin/bgpd bgpctl exabgp tcpdump tshark ip; do
  command -v "$bin" >/dev/null || { echo "missing: $bin" >&2; exit 1; }
done

TMP="$(mktemp -d /tmp/tsbgp-pcap.XXXXXX)"
chmod 755 "$TMP"
declare -a PIDS=()        # every background process we started
declare -a NETNS=()       # every namespace we created
CREATED_OBGPD_RUNDIR=0

log() { printf '[%5ds] %s\n' "$(( $(date +%s) - SCRIPT_START ))" "$*" >&2; }
die() { log "ERROR: $*"; exit 1; }

check_budget() {
  if (( $(date +%s) - SCRIPT_START > MAX_RUNTIME )); then
    die "global time budget of ${MAX_RUNTIME}s exceeded"
  fi
}

# ---------------------------------------------------------------- processes
# start_bg NAME NS CMD...   (runs CMD inside namespace NS; output to $TMP/NAME.out)
# `ip netns exec` execs the command, so $! is the daemon's own PID.
LAST_PID=""
start_bg() {
  local name="$1" ns="$2"; shift 2
  ip netns exec "$ns" "$@" >"$TMP/$name.out" 2>&1 &
  LAST_PID=$!
  PIDS+=("$LAST_PID")
  echo "$LAST_PID $name" >>"$TMP/pids"
  log "started $name (pid $LAST_PID) in $ns"
}

# stop_pid PID [SIGNAL]: signal one of *our* PIDs and wait (bounded) for it.
stop_pid() {
  local pid="$1" sig="${2:-TERM}" i
  [[ -n "$pid" ]] || return 0
  kill -0 "$pid" 2>/dev/null || return 0
  kill -"$sig" "$pid" 2>/dev/null || true
  for ((i = 0; i < 50; i++)); do
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.1
  done
  if kill -0 "$pid" 2>/dev/null; then
    kill -KILL "$pid" 2>/dev/null || true
    sleep 0.2
  fi
  wait "$pid" 2>/dev/null || true
}

cleanup() {
  local rc=$? pid ns
  set +e
  for ((i = ${#PIDS[@]} - 1; i >= 0; i--)); do
    pid="${PIDS[$i]}"
    kill -0 "$pid" 2>/dev/null && stop_pid "$pid"
  done
  for ns in "${NETNS[@]}"; do
    kill_ns_procs "$ns"
    ip netns del "$ns" 2>/dev/null
  done
  if (( CREATED_OBGPD_RUNDIR )); then rmdir /run/openbgpd 2>/dev/null; fi
  if (( rc != 0 )); then
    log "FAILED (rc=$rc). Daemon logs are in $TMP"
  elif [[ "$KEEP_TMP" == 1 ]]; then
    log "temp dir kept: $TMP"
  else
    rm -rf "$TMP"
  fi
  exit $rc
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# Processes still living inside one of *our* namespaces (only possible after a
# crashed earlier run of this script, or for children of our daemons).
kill_ns_procs() {
  local ns="$1" p
  for p in $(ip netns pids "$ns" 2>/dev/null); do
    kill -TERM "$p" 2>/dev/null
  done
  sleep 0.3
  for p in $(ip netns pids "$ns" 2>/dev/null); do
    kill -KILL "$p" 2>/dev/null
  done
}

# wait_for TIMEOUT DESCRIPTION CMD... : poll CMD every 0.5 s until it succeeds.
wait_for() {
  local timeout="$1" what="$2"; shift 2
  local deadline=$(( $(date +%s) + timeout ))
  while (( $(date +%s) < deadline )); do
    if "$@" >/dev/null 2>&1; then
      log "ok: $what"
      return 0
    fi
    sleep 0.5
  done
  die "timeout (${timeout}s) waiting for: $what"
}

# ---------------------------------------------------------------- network
# make_ns NAME: fresh namespace with loopback up.
make_ns() {
  local ns="$NS_PREFIX-$1"
  if ip netns list | grep -qw "$ns"; then
    kill_ns_procs "$ns"
    ip netns del "$ns"
  fi
  ip netns add "$ns"
  NETNS+=("$ns")
  ip -n "$ns" link set lo up
}

# link NS_A IF_A ADDR4_A ADDR6_A NS_B IF_B ADDR4_B ADDR6_B (prefixes /24 and /64)
link_ns() {
  local nsa="$NS_PREFIX-$1" ifa="$2" a4="$3" a6="$4" nsb="$NS_PREFIX-$5" ifb="$6" b4="$7" b6="$8"
  ip link add name "$ifa" netns "$nsa" type veth peer name "$ifb" netns "$nsb"
  ip -n "$nsa" addr add "$a4/24" dev "$ifa"
  ip -n "$nsb" addr add "$b4/24" dev "$ifb"
  ip -n "$nsa" addr add "$a6/64" dev "$ifa" nodad
  ip -n "$nsb" addr add "$b6/64" dev "$ifb" nodad
  ip -n "$nsa" link set "$ifa" up
  ip -n "$nsb" link set "$ifb" up
}

# ---------------------------------------------------------------- capture
CAP_PID=""
start_capture() { # NAME NS IFACE
  local name="$1" ns="$NS_PREFIX-$2" ifc="$3"
  rm -f "$OUT_DIR/$name.pcap" "$OUT_DIR/$name.tshark.json"
  # classic pcap (-w default), full snaplen (-s 0), packet-buffered (-U)
  start_bg "tcpdump-$name" "$ns" tcpdump -Z root -i "$ifc" -s 0 -U -n -w "$TMP/$name.pcap" 'tcp port 179'
  CAP_PID=$LAST_PID
  wait_for 10 "tcpdump $name listening" grep -q "listening on" "$TMP/tcpdump-$name.out"
}
stop_capture() { # NAME
  local name="$1"
  sleep 0.5
  stop_pid "$CAP_PID" INT
  cp "$TMP/$name.pcap" "$OUT_DIR/$name.pcap"
  chmod 644 "$OUT_DIR/$name.pcap"
  log "capture $name: $(stat -c %s "$OUT_DIR/$name.pcap") bytes"
}

# ---------------------------------------------------------------- daemon helpers
# FRR bgpd standalone (no zebra), own vty socket dir, pid file, log file.
frr_start() { # NAME NS CONF
  local name="$1" ns="$NS_PREFIX-$2" conf="$3"
  mkdir -p "$TMP/$name.vty"
  start_bg "$name" "$ns" "$FRR_BGPD" -f "$conf" -i "$TMP/$name.pid" -z "$TMP/$name.zserv" \
    --vty_socket "$TMP/$name.vty" -P 0 -Z -n -u root -g root --log "file:$TMP/$name.log"
}
frr() { # NAME vtysh-args...
  local name="$1"; shift
  timeout 20 vtysh --vty_socket "$TMP/$name.vty" -d bgpd "$@"
}
frr_established() { # NAME PEER
  frr "$1" -c "show bgp neighbors $2 json" | grep -q '"bgpState":"Established"'
}
frr_conf() { # NAME "line" "line" ...   (configure-terminal commands)
  local name="$1"; shift
  local args=(-c "configure terminal") l
  for l in "$@"; do args+=(-c "$l"); done
  frr "$name" "${args[@]}"
}

bird_start() { # NAME NS CONF
  local name="$1" ns="$NS_PREFIX-$2" conf="$3"
  start_bg "$name" "$ns" bird -f -c "$conf" -s "$TMP/$name.ctl" -P "$TMP/$name.pid"
}
birdctl() { # NAME cmd...
  local name="$1"; shift
  timeout 20 birdc -s "$TMP/$name.ctl" "$@"
}
bird_established() { # NAME PROTO
  birdctl "$1" show protocols "$2" | grep -q Established
}

gobgp_start() { # NAME NS CONF APIPORT
  local name="$1" ns="$NS_PREFIX-$2" conf="$3" port="$4"
  start_bg "$name" "$ns" gobgpd -f "$conf" -t toml -p --api-hosts "127.0.0.1:$port" --pprof-disable
}
gobgpc() { # NS APIPORT args...
  local ns="$NS_PREFIX-$1" port="$2"; shift 2
  timeout 20 ip netns exec "$ns" gobgp -u 127.0.0.1 -p "$port" "$@"
}
gobgp_established() { # NS APIPORT PEER
  gobgpc "$1" "$2" neighbor "$3" | grep -q 'BGP state = ESTABLISHED'
}

exabgp_start() { # NAME NS CONF
  local name="$1" ns="$NS_PREFIX-$2" conf="$3"
  start_bg "$name" "$ns" env exabgp.daemon.user=root exabgp.daemon.daemonize=false \
    exabgp.api.cli=false exabgp.api.ack=false exabgp.log.destination=stdout \
    exabgp.log.routes=true exabgp.log.network=true exabgp.cache.attributes=false \
    exabgp "$conf"
}
# ExaBGP API commands are appended to a plain file that the ExaBGP "process"
# follows with `tail -F` (bounded by `timeout`).
exa_cmd() { # NAME "command"
  echo "$2" >>"$TMP/$1.cmds"
  log "exabgp $1 <- $2"
}
exa_established() { # NAME
  grep -q "connected to" "$TMP/$1.out"
}

obgpd_start() { # NAME NS CONF
  local name="$1" ns="$NS_PREFIX-$2" conf="$3"
  if [[ ! -d /run/openbgpd ]]; then   # chroot dir (home of _openbgpd)
    mkdir -p /run/openbgpd
    CREATED_OBGPD_RUNDIR=1
  fi
  start_bg "$name" "$ns" /usr/sbin/bgpd -d -v -f "$conf"
}
obgpctl() { # NAME args...
  local name="$1"; shift
  timeout 20 bgpctl -s "$TMP/$name.sock" "$@"
}
obgpd_established() { # NAME PEER
  obgpctl "$1" show neighbor "$2" | grep -q 'BGP state = Established'
}

# ================================================================ scenarios
# ---------------------------------------------------------------- 1. frr-bird
# eBGP FRR AS65001 10.0.1.1 <-> BIRD AS65002 10.0.1.2, IPv4 transport,
# ipv4+ipv6 unicast, roles, GR/LLGR, FQDN, extended message, communities,
# route refresh both ways (enhanced RR: BoRR/EoRR), AS_SET aggregate,
# IPv4+IPv6 withdraws, FRR shutdown with message.
scenario_frr_bird() {
  local n=frr-bird
  make_ns fb-frr; make_ns fb-bird
  link_ns fb-frr fb0 10.0.1.1 2001:db8:1::1 fb-bird fb1 10.0.1.2 2001:db8:1::2

  cat >"$TMP/$n-frr.conf" <<EOF
hostname frr-fb
domainname fixtures.example
log file $TMP/$n-frr.log debugging
!
router bgp 65001
 bgp router-id 10.0.1.1
 no bgp ebgp-requires-policy
 no bgp network import-check
 no bgp default ipv4-unicast
 bgp graceful-restart
 bgp long-lived-graceful-restart stale-time 120
 neighbor 10.0.1.2 remote-as 65002
 neighbor 10.0.1.2 description bird
 neighbor 10.0.1.2 timers 3 9
 neighbor 10.0.1.2 timers connect 2
 neighbor 10.0.1.2 local-role customer
 !
 address-family ipv4 unicast
  network 198.51.100.0/24 route-map SET-V4
  network 203.0.113.0/25
  aggregate-address 10.22.0.0/16 as-set summary-only
  neighbor 10.0.1.2 activate
  neighbor 10.0.1.2 advertisement-interval 0
 exit-address-family
 !
 address-family ipv6 unicast
  network 2001:db8:100::/48 route-map SET-V6
  network 2001:db8:101::/48 route-map SET-V6
  neighbor 10.0.1.2 activate
  neighbor 10.0.1.2 advertisement-interval 0
  neighbor 10.0.1.2 route-map V6-NH out
 exit-address-family
!
route-map SET-V4 permit 10
 set community 65001:100 65001:200
 set large-community 65001:1:1 4200000001:2:3
 set extcommunity rt 65001:100 65001:101
 set metric 50
!
route-map SET-V6 permit 10
 set community 65001:600
 set large-community 65001:6:6
!
route-map V6-NH permit 10
 set ipv6 next-hop global 2001:db8:1::1
!
EOF

  cat >"$TMP/$n-bird.conf" <<EOF
log "$TMP/$n-bird.log" all;
router id 10.0.1.2;
protocol device { scan time 10; }
protocol static s4 {
  ipv4;
  route 192.0.2.0/24 blackhole;
  route 10.22.1.0/24 blackhole;
  route 10.22.2.0/24 blackhole;
}
protocol static s6 {
  ipv6;
  route 2001:db8:200::/48 blackhole;
  route 2001:db8:201::/48 blackhole;
}
filter to_frr {
  if source != RTS_STATIC then reject;
  if net = 10.22.1.0/24 then bgp_path.prepend(64600);
  if net = 10.22.2.0/24 then { bgp_path.prepend(64601); bgp_path.prepend(64602); }
  if net.type = NET_IP4 then {
    bgp_community.add((65002,100));
    bgp_community.add((65535,65281));
    bgp_large_community.add((65002,1,1));
    bgp_ext_community.add((rt,65002,42));
    bgp_ext_community.add((ro,65002,43));
    bgp_med = 20;
  } else {
    bgp_community.add((65002,600));
    bgp_large_community.add((65002,6,6));
    bgp_med = 60;
  }
  accept;
}
protocol bgp frr {
  local 10.0.1.2 as 65002;
  neighbor 10.0.1.1 as 65001;
  hold time 9;
  keepalive time 3;
  connect retry time 2;
  connect delay time 1;
  graceful restart on;
  long lived graceful restart on;
  enable extended messages on;
  local role provider;
  ipv4 { import all; export filter to_frr; };
  ipv6 { import all; export filter to_frr; next hop address 2001:db8:1::2; };
}
EOF

  start_capture "$n" fb-frr fb0
  bird_start "$n-bird" fb-bird "$TMP/$n-bird.conf"
  frr_start "$n-frr" fb-frr "$TMP/$n-frr.conf"
  wait_for 60 "$n established" frr_established "$n-frr" 10.0.1.2
  wait_for 20 "$n BIRD established" bird_established "$n-bird" frr
  sleep 5   # initial updates, aggregate, EoRs, a few keepalives
  frr "$n-frr" -c "show bgp ipv4 unicast" -c "show bgp ipv6 unicast" >"$TMP/$n-frr-rib1.txt" 2>&1 || true
  # FRR asks BIRD for a refresh (ROUTE-REFRESH; BIRD answers with BoRR..EoRR)
  frr "$n-frr" -c "clear bgp ipv4 unicast 10.0.1.2 soft in"
  sleep 2
  frr "$n-frr" -c "clear bgp ipv6 unicast 10.0.1.2 soft in"
  sleep 2
  # BIRD asks FRR for a refresh (FRR answers with BoRR..EoRR)
  birdctl "$n-bird" reload in frr
  sleep 2
  # withdraws: IPv6 (MP_UNREACH_NLRI) and IPv4, from both sides
  frr_conf "$n-frr" "router bgp 65001" "address-family ipv6 unicast" "no network 2001:db8:101::/48"
  sleep 1
  frr_conf "$n-frr" "router bgp 65001" "address-family ipv4 unicast" "no network 203.0.113.0/25"
  sleep 1
  birdctl "$n-bird" disable s6
  sleep 2
  # attribute change of an existing prefix (implicit replace, new MED)
  frr_conf "$n-frr" "route-map SET-V4 permit 10" "set metric 77"
  frr "$n-frr" -c "clear bgp ipv4 unicast 10.0.1.2 soft out"
  sleep 4
  frr "$n-frr" -c "show bgp ipv4 unicast" -c "show bgp ipv6 unicast" >"$TMP/$n-frr-rib2.txt" 2>&1 || true
  birdctl "$n-bird" show route all >"$TMP/$n-bird-rib.txt" 2>&1 || true
  # Cease / Administrative Shutdown with shutdown communication
  frr_conf "$n-frr" "router bgp 65001" "neighbor 10.0.1.2 shutdown message tsbgp fixture: FRR planned maintenance, back soon"
  sleep 2
  stop_capture "$n"
  stop_all_daemons
}

# ---------------------------------------------------------------- stop helpers
stop_all_daemons() {
  local pid
  for pid in "${PIDS[@]}"; do
    [[ "$pid" == "$CAP_PID" ]] && continue
    kill -0 "$pid" 2>/dev/null && stop_pid "$pid"
  done
  return 0
}

# ================================================================ export
tshark_export() { # NAME
  local name="$1"
  tshark -r "$OUT_DIR/$name.pcap" -Y bgp -T json -J "frame ip ipv6 tcp bgp" >"$OUT_DIR/$name.tshark.json"
  chmod 644 "$OUT_DIR/$name.tshark.json"
}

# ================================================================ main
ALL_SCENARIOS="frr-bird"
run() {
  local s
  for s in ${ONLY:-$ALL_SCENARIOS}; do
    check_budget
    log "=== scenario $s"
    case "$s" in
      frr-bird) scenario_frr_bird ;;
      *) die "unknown scenario $s" ;;
    esac
    tshark_export "$s"
  done
}
run
log "done in $(( $(date +%s) - SCRIPT_START ))s"
