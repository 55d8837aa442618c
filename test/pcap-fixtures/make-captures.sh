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
  if ! kill -0 "$pid" 2>/dev/null; then
    wait "$pid" 2>/dev/null || true
    forget_pid "$pid"
    return 0
  fi
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
  forget_pid "$pid"
}
# Once reaped, a PID may be reused by an unrelated process: drop it from PIDS.
forget_pid() {
  local p keep=()
  for p in "${PIDS[@]}"; do [[ "$p" == "$1" ]] || keep+=("$p"); done
  PIDS=("${keep[@]}")
}

cleanup() {
  local rc=$? pid ns
  set +e
  local all=("${PIDS[@]}")
  for ((i = ${#all[@]} - 1; i >= 0; i--)); do
    stop_pid "${all[$i]}"
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
  if ip netns list | awk '{print $1}' | grep -qxF "$ns"; then
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
  rm -f "$OUT_DIR/$name.pcap" "$OUT_DIR/$name.pcapng" "$OUT_DIR/$name.tshark.json"
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
# FRR: a private zebra (needed so bgpd knows the interface addresses, e.g. the
# global IPv6 address used as MP_REACH next hop) plus bgpd, both with their own
# run dir (vty sockets, zserv socket, pid files, logs). zebra runs as the
# Debian "frr" user (it insists on vty-group membership), bgpd as root (-S).
# bgpd -n: never ask zebra to install routes into the (namespace) kernel.
frr_start() { # NAME NS CONF
  local name="$1" ns="$NS_PREFIX-$2" conf="$3" run="$TMP/$1.run"
  mkdir -p "$run"
  : >"$run/zebra.conf"
  chown -R frr:frr "$run"
  start_bg "$name-zebra" "$ns" /usr/lib/frr/zebra -f "$run/zebra.conf" -i "$run/zebra.pid" \
    -z "$run/zserv.api" --vty_socket "$run" -P 0 -u frr -g frr --log "file:$run/zebra.log"
  wait_for 20 "$name zebra socket" test -S "$run/zserv.api"
  start_bg "$name" "$ns" "$FRR_BGPD" -f "$conf" -i "$run/bgpd.pid" -z "$run/zserv.api" \
    --vty_socket "$run" -P 0 -n -S --log "file:$TMP/$name.log"
  wait_for 20 "$name vty" test -S "$run/bgpd.vty"
}
frr() { # NAME vtysh-args...
  local name="$1"; shift
  timeout 20 vtysh --vty_socket "$TMP/$name.run" -d bgpd "$@"
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
  start_bg "$name" "$ns" gobgpd -f "$conf" -t toml -p --api-hosts "127.0.0.1:$port" --pprof-disable -l debug
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
    exabgp.log.routes=true exabgp.log.network=true exabgp.log.level=DEBUG exabgp.log.message=true exabgp.log.reactor=true exabgp.log.processes=true exabgp.cache.attributes=false \
    exabgp "$conf"
}
# ExaBGP API commands are appended to a plain file that the ExaBGP "process"
# follows with `tail -F` (bounded by `timeout`).
exa_cmd() { # NAME "command"
  echo "$2" >>"$TMP/$1.cmds"
  log "exabgp $1 <- ${2:0:160}"
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
# route refresh both ways (enhanced RR: BoRR/EoRR), AS_SET aggregate and
# ATOMIC_AGGREGATE aggregate, IPv4+IPv6 withdraws, implicit replace with new
# attributes, FRR shutdown with message.
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
  aggregate-address 203.0.113.0/24
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
route-map SET-V4-B permit 10
 set community 65001:300 additive
 set metric 77
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
    if net = 192.0.2.0/24 then bgp_community.add((65535,65281));   # NO_EXPORT
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
  frr_conf "$n-frr" "router bgp 65001" "address-family ipv4 unicast" "network 198.51.100.0/24 route-map SET-V4-B"
  sleep 4
  frr "$n-frr" -c "show bgp ipv4 unicast" -c "show bgp ipv6 unicast" >"$TMP/$n-frr-rib2.txt" 2>&1 || true
  birdctl "$n-bird" show route all >"$TMP/$n-bird-rib.txt" 2>&1 || true
  # Cease / Administrative Shutdown with shutdown communication
  frr_conf "$n-frr" "router bgp 65001" "neighbor 10.0.1.2 shutdown message tsbgp fixture: FRR planned maintenance, back soon"
  sleep 1
  stop_capture "$n"
  stop_all_daemons
}

# ---------------------------------------------------------------- 2. exabgp-frr-ibgp
# iBGP, both sides AS 4200000001 (4-octet AS, OPEN "My AS" = AS_TRANS 23456).
# ExaBGP 10.0.2.2 announces a VIP 100.64.0.1/32 with next hop 10.10.0.4, then the
# same prefix with next hop 10.10.0.5 (implicit replace), IPv6 route, then
# withdraws. FRR 10.0.2.1 sends LOCAL_PREF, 4-octet-AS ext community, ...
scenario_exabgp_frr_ibgp() {
  local n=exabgp-frr-ibgp
  make_ns xf-frr; make_ns xf-exa
  link_ns xf-frr xf0 10.0.2.1 2001:db8:2::1 xf-exa xf1 10.0.2.2 2001:db8:2::2

  cat >"$TMP/$n-frr.conf" <<EOF
hostname frr-xf
domainname fixtures.example
log file $TMP/$n-frr.log debugging
!
router bgp 4200000001
 bgp router-id 10.0.2.1
 no bgp network import-check
 no bgp default ipv4-unicast
 neighbor 10.0.2.2 remote-as internal
 neighbor 10.0.2.2 description exabgp
 neighbor 10.0.2.2 timers 3 9
 neighbor 10.0.2.2 timers connect 2
 neighbor 10.0.2.2 passive
 !
 address-family ipv4 unicast
  network 198.51.100.128/25 route-map IBGP-V4
  network 203.0.113.128/26
  neighbor 10.0.2.2 activate
  neighbor 10.0.2.2 advertisement-interval 0
 exit-address-family
 !
 address-family ipv6 unicast
  network 2001:db8:400::/48
  neighbor 10.0.2.2 activate
  neighbor 10.0.2.2 advertisement-interval 0
  neighbor 10.0.2.2 route-map V6-NH out
 exit-address-family
!
route-map IBGP-V4 permit 10
 set local-preference 150
 set origin incomplete
 set community 64512:150
 set extcommunity rt 4200000001:7
 set large-community 4200000001:0:1
!
route-map V6-NH permit 10
 set ipv6 next-hop global 2001:db8:2::1
!
EOF

  : >"$TMP/$n-exa.cmds"
  cat >"$TMP/$n-exa.conf" <<EOF
process feeder {
  run /usr/bin/timeout 240 /usr/bin/tail -n +1 -F $TMP/$n-exa.cmds;
  encoder text;
}
neighbor 10.0.2.1 {
  router-id 10.0.2.2;
  local-address 10.0.2.2;
  local-as 4200000001;
  peer-as 4200000001;
  hold-time 9;
  host-name exabgp-xf;
  domain-name fixtures.example;
  family {
    ipv4 unicast;
    ipv6 unicast;
  }
  capability {
    route-refresh;
    graceful-restart 90;
    asn4 enable;
    extended-message enable;
  }
  api {
    processes [ feeder ];
  }
}
EOF

  start_capture "$n" xf-frr xf0
  frr_start "$n-frr" xf-frr "$TMP/$n-frr.conf"
  sleep 1
  exabgp_start "$n-exa" xf-exa "$TMP/$n-exa.conf"
  wait_for 60 "$n established" frr_established "$n-frr" 10.0.2.2
  sleep 3
  exa_cmd "$n-exa" "announce route 100.64.0.1/32 next-hop 10.10.0.4 origin igp local-preference 200 med 10 community [64512:100 64512:4] large-community [4200000001:100:4]"
  sleep 1
  exa_cmd "$n-exa" "announce route 2001:db8:64::1/128 next-hop 2001:db8:2::2 origin igp local-preference 200 community [64512:600]"
  sleep 3
  # same prefix, new next hop: implicit replace (no withdraw in between)
  exa_cmd "$n-exa" "announce route 100.64.0.1/32 next-hop 10.10.0.5 origin igp local-preference 200 med 10 community [64512:100 64512:5] large-community [4200000001:100:5]"
  sleep 3
  frr "$n-frr" -c "show bgp ipv4 unicast 100.64.0.1/32" >"$TMP/$n-frr-vip.txt" 2>&1 || true
  # ExaBGP asks FRR for a refresh (FRR answers with BoRR..EoRR). The opposite
  # direction is not exercised: ExaBGP 4.2.21 crashes its peer loop
  # ("'RouteRefresh' object is not iterable") when it has to answer one.
  exa_cmd "$n-exa" "announce route-refresh ipv4 unicast"
  sleep 3
  exa_cmd "$n-exa" "withdraw route 100.64.0.1/32 next-hop 10.10.0.5"
  sleep 1
  exa_cmd "$n-exa" "withdraw route 2001:db8:64::1/128 next-hop 2001:db8:2::2"
  sleep 2
  frr_conf "$n-frr" "router bgp 4200000001" "address-family ipv4 unicast" "no network 203.0.113.128/26"
  sleep 3
  # hard reset from FRR: NOTIFICATION Cease / Administrative Reset
  # (ExaBGP's own "teardown" API closes the TCP session without a NOTIFICATION)
  frr "$n-frr" -c "clear bgp ipv4 unicast 10.0.2.2"
  sleep 1
  stop_capture "$n"
  stop_all_daemons
}

# ---------------------------------------------------------------- 3. gobgp-exabgp-as2
# eBGP GoBGP AS 4200000001 (10.0.3.1) <-> ExaBGP AS 65010 (10.0.3.2) with the
# 4-octet-AS capability DISABLED on ExaBGP: 2-octet AS_PATH with AS_TRANS 23456
# plus AS4_PATH in both directions; GoBGP shutdown communication.
scenario_gobgp_exabgp_as2() {
  local n=gobgp-exabgp-as2 api=50061
  make_ns ge-gobgp; make_ns ge-exa
  link_ns ge-gobgp ge0 10.0.3.1 2001:db8:3::1 ge-exa ge1 10.0.3.2 2001:db8:3::2

  cat >"$TMP/$n-gobgp.toml" <<EOF
[global.config]
  as = 4200000001
  router-id = "10.0.3.1"
  port = 179
  local-address-list = ["10.0.3.1"]

[[neighbors]]
  [neighbors.config]
    neighbor-address = "10.0.3.2"
    peer-as = 65010
    description = "exabgp-2-octet"
  [neighbors.timers.config]
    connect-retry = 2
    hold-time = 9
    keepalive-interval = 3
  [neighbors.transport.config]
    local-address = "10.0.3.1"
  [[neighbors.afi-safis]]
    [neighbors.afi-safis.config]
      afi-safi-name = "ipv4-unicast"
EOF

  : >"$TMP/$n-exa.cmds"
  cat >"$TMP/$n-exa.conf" <<EOF
process feeder {
  run /usr/bin/timeout 240 /usr/bin/tail -n +1 -F $TMP/$n-exa.cmds;
  encoder text;
}
neighbor 10.0.3.1 {
  router-id 10.0.3.2;
  local-address 10.0.3.2;
  local-as 65010;
  # an old 2-octet-only speaker only ever sees AS_TRANS as the peer's AS
  peer-as 23456;
  hold-time 9;
  family {
    ipv4 unicast;
  }
  capability {
    route-refresh;
    asn4 disable;
  }
  api {
    processes [ feeder ];
  }
}
EOF

  start_capture "$n" ge-gobgp ge0
  gobgp_start "$n-gobgp" ge-gobgp "$TMP/$n-gobgp.toml" "$api"
  wait_for 20 "$n gobgp api" gobgpc ge-gobgp "$api" global
  exabgp_start "$n-exa" ge-exa "$TMP/$n-exa.conf"
  wait_for 60 "$n established" gobgp_established ge-gobgp "$api" 10.0.3.2
  sleep 3
  gobgpc ge-gobgp "$api" global rib add -a ipv4 203.0.113.192/26 origin igp med 30 community 65010:77,64512:1 large-community 4200000001:3:3
  sleep 1
  gobgpc ge-gobgp "$api" global rib add -a ipv4 198.18.0.0/24 origin egp aspath "4200000002 65333" community 64512:2
  sleep 2
  # ExaBGP (2-octet speaker) originates a path containing 4-octet ASNs
  exa_cmd "$n-exa" "announce route 100.64.1.0/24 next-hop 10.0.3.2 origin igp as-path [ 65010 4200000099 64999 ] community [65010:1]"
  sleep 1
  exa_cmd "$n-exa" "announce route 100.64.2.0/24 next-hop 10.0.3.2 origin igp as-path [ 65010 ] med 5"
  sleep 3
  gobgpc ge-gobgp "$api" global rib -a ipv4 >"$TMP/$n-gobgp-rib.txt" 2>&1 || true
  gobgpc ge-gobgp "$api" neighbor 10.0.3.2 adj-in >>"$TMP/$n-gobgp-rib.txt" 2>&1 || true
  exa_cmd "$n-exa" "withdraw route 100.64.2.0/24 next-hop 10.0.3.2"
  sleep 1
  gobgpc ge-gobgp "$api" global rib del -a ipv4 198.18.0.0/24
  sleep 2
  exa_cmd "$n-exa" "announce route-refresh ipv4 unicast"
  sleep 3
  gobgpc ge-gobgp "$api" neighbor 10.0.3.2 shutdown --reason "tsbgp fixture: GoBGP admin shutdown"
  sleep 1
  stop_capture "$n"
  stop_all_daemons
}

# ---------------------------------------------------------------- 4. frr-gobgp-addpath
# FRR AS65005 (10.0.4.1) <-> GoBGP AS65006 (10.0.4.2), ADD-PATH both directions
# (FRR addpath-tx-all-paths, GoBGP add-paths receive + send-max). FRR learns a
# second path for 10.6.0.0/24 from an ExaBGP AS65007 (10.0.5.2, not captured),
# so the captured session carries two paths (two path identifiers) for it.
scenario_frr_gobgp_addpath() {
  local n=frr-gobgp-addpath api=50062
  make_ns fg-frr; make_ns fg-gobgp; make_ns fg-exa
  link_ns fg-frr fg0 10.0.4.1 2001:db8:4::1 fg-gobgp fg1 10.0.4.2 2001:db8:4::2
  link_ns fg-frr fg2 10.0.5.1 2001:db8:5::1 fg-exa fg3 10.0.5.2 2001:db8:5::2

  cat >"$TMP/$n-frr.conf" <<EOF
hostname frr-fg
log file $TMP/$n-frr.log debugging
!
router bgp 65005
 bgp router-id 10.0.4.1
 no bgp ebgp-requires-policy
 no bgp network import-check
 no bgp default ipv4-unicast
 neighbor 10.0.4.2 remote-as 65006
 neighbor 10.0.4.2 description gobgp
 neighbor 10.0.4.2 timers 3 9
 neighbor 10.0.4.2 timers connect 2
 neighbor 10.0.5.2 remote-as 65007
 neighbor 10.0.5.2 description exabgp-feeder
 neighbor 10.0.5.2 timers 3 9
 neighbor 10.0.5.2 timers connect 2
 neighbor 10.0.5.2 passive
 !
 address-family ipv4 unicast
  network 10.6.0.0/24 route-map LOCAL
  network 10.6.1.0/24
  neighbor 10.0.4.2 activate
  neighbor 10.0.4.2 addpath-tx-all-paths
  neighbor 10.0.4.2 advertisement-interval 0
  neighbor 10.0.5.2 activate
 exit-address-family
 !
 address-family ipv6 unicast
  network 2001:db8:600::/48
  neighbor 10.0.4.2 activate
  neighbor 10.0.4.2 addpath-tx-all-paths
  neighbor 10.0.4.2 advertisement-interval 0
  neighbor 10.0.4.2 route-map V6-NH out
 exit-address-family
!
route-map LOCAL permit 10
 set community 65005:1
 set metric 100
!
route-map V6-NH permit 10
 set ipv6 next-hop global 2001:db8:4::1
!
EOF

  cat >"$TMP/$n-gobgp.toml" <<EOF
[global.config]
  as = 65006
  router-id = "10.0.4.2"
  port = 179
  local-address-list = ["10.0.4.2"]

[[neighbors]]
  [neighbors.config]
    neighbor-address = "10.0.4.1"
    peer-as = 65005
    description = "frr"
  [neighbors.timers.config]
    connect-retry = 2
    hold-time = 9
    keepalive-interval = 3
  [neighbors.transport.config]
    local-address = "10.0.4.2"
  [[neighbors.afi-safis]]
    [neighbors.afi-safis.config]
      afi-safi-name = "ipv4-unicast"
    [neighbors.afi-safis.add-paths.config]
      receive = true
      send-max = 8
  [[neighbors.afi-safis]]
    [neighbors.afi-safis.config]
      afi-safi-name = "ipv6-unicast"
    [neighbors.afi-safis.add-paths.config]
      receive = true
      send-max = 8
EOF

  cat >"$TMP/$n-exa.conf" <<EOF
neighbor 10.0.5.1 {
  router-id 10.0.5.2;
  local-address 10.0.5.2;
  local-as 65007;
  peer-as 65005;
  hold-time 9;
  family {
    ipv4 unicast;
  }
  static {
    route 10.6.0.0/24 next-hop 10.0.5.2 origin igp med 50 community [65007:1];
    route 10.6.2.0/24 next-hop 10.0.5.2 origin igp community [65007:2];
  }
}
EOF

  start_capture "$n" fg-frr fg0
  frr_start "$n-frr" fg-frr "$TMP/$n-frr.conf"
  exabgp_start "$n-exa" fg-exa "$TMP/$n-exa.conf"
  wait_for 60 "$n feeder established" frr_established "$n-frr" 10.0.5.2
  gobgp_start "$n-gobgp" fg-gobgp "$TMP/$n-gobgp.toml" "$api"
  wait_for 60 "$n established" frr_established "$n-frr" 10.0.4.2
  sleep 3
  # GoBGP: two paths for the same prefix (path identifiers 1 and 2)
  gobgpc fg-gobgp "$api" global rib add -a ipv4 10.7.0.0/24 identifier 1 origin igp med 10 community 65006:1
  gobgpc fg-gobgp "$api" global rib add -a ipv4 10.7.0.0/24 identifier 2 origin igp med 20 community 65006:2
  gobgpc fg-gobgp "$api" global rib add -a ipv6 2001:db8:700::/48 identifier 7 origin igp nexthop 2001:db8:4::2
  sleep 3
  frr "$n-frr" -c "show bgp ipv4 unicast" -c "show bgp ipv4 unicast 10.6.0.0/24" -c "show bgp ipv4 unicast 10.7.0.0/24" >"$TMP/$n-frr-rib.txt" 2>&1 || true
  gobgpc fg-gobgp "$api" neighbor 10.0.4.1 adj-in >"$TMP/$n-gobgp-adjin.txt" 2>&1 || true
  # withdraw one of the two paths on each side
  gobgpc fg-gobgp "$api" global rib del -a ipv4 10.7.0.0/24 identifier 2
  sleep 1
  frr_conf "$n-frr" "router bgp 65005" "address-family ipv4 unicast" "no network 10.6.0.0/24"
  sleep 2
  frr "$n-frr" -c "clear bgp ipv4 unicast 10.0.4.2 soft in"
  sleep 3
  frr_conf "$n-frr" "router bgp 65005" "neighbor 10.0.4.2 shutdown"
  sleep 1
  stop_capture "$n"
  stop_all_daemons
}

# ---------------------------------------------------------------- 5. openbgpd-bird
# OpenBGPD AS65020 <-> BIRD AS4200000021, two sessions: IPv4 transport
# (10.0.6.1 <-> 10.0.6.2, ipv4 unicast) and IPv6 transport (2001:db8:6::1 <->
# 2001:db8:6::2, ipv6 unicast). BIRD first has a wrong remote AS for the IPv4
# session -> NOTIFICATION OPEN Message Error / Bad Peer AS; after `birdc
# configure` with the fixed config the session comes up. OpenBGPD adds/deletes a
# network via bgpctl, requests a refresh, and finally takes the IPv4 session
# down with a shutdown communication.
scenario_openbgpd_bird() {
  local n=openbgpd-bird
  make_ns ob-obgpd; make_ns ob-bird
  link_ns ob-obgpd ob0 10.0.6.1 2001:db8:6::1 ob-bird ob1 10.0.6.2 2001:db8:6::2

  cat >"$TMP/$n-obgpd.conf" <<EOF
AS 65020
router-id 10.0.6.1
socket "$TMP/$n-obgpd.sock"
fib-update no
holdtime 9
connect-retry 2
listen on 10.0.6.1
listen on 2001:db8:6::1

network 192.0.2.128/25 set { community 65020:10 large-community 65020:1:2 ext-community rt 65020:5 med 30 }
network 203.0.113.64/26 set { community NO_PEER origin egp }
network 2001:db8:620::/48 set { community 65020:60 large-community 65020:6:0 }

neighbor 10.0.6.2 {
  remote-as 4200000021
  descr "bird-v4"
  local-address 10.0.6.1
  announce IPv4 unicast
  announce IPv6 none
  announce enhanced refresh yes
  announce add-path send all
  announce add-path recv yes
  announce policy peer
}
neighbor 2001:db8:6::2 {
  remote-as 4200000021
  descr "bird-v6"
  local-address 2001:db8:6::1
  announce IPv4 none
  announce IPv6 unicast
}
allow from any
allow to any
EOF

  bird_conf_ob() { # REMOTE_AS_FOR_V4
    cat <<EOF
log "$TMP/$n-bird.log" all;
router id 10.0.6.2;
protocol device { scan time 10; }
protocol static s4 {
  ipv4;
  route 198.51.100.64/26 blackhole;
  route 198.51.100.128/26 blackhole;
}
protocol static s6 {
  ipv6;
  route 2001:db8:621::/48 blackhole;
}
filter to_obgpd {
  if source != RTS_STATIC then reject;
  bgp_community.add((64512,21));
  bgp_large_community.add((4200000021,0,1));
  if net = 198.51.100.128/26 then bgp_ext_community.add((rt,4200000021,9));
  accept;
}
protocol bgp obgpd4 {
  local 10.0.6.2 as 4200000021;
  neighbor 10.0.6.1 as $1;
  hold time 9;
  keepalive time 3;
  connect retry time 2;
  connect delay time 1;
  error wait time 1, 4;
  local role peer;
  ipv4 { import all; export filter to_obgpd; add paths rx; };
}
protocol bgp obgpd6 {
  local 2001:db8:6::2 as 4200000021;
  neighbor 2001:db8:6::1 as 65020;
  hold time 9;
  keepalive time 3;
  connect retry time 2;
  connect delay time 1;
  ipv6 { import all; export filter to_obgpd; };
}
EOF
  }
  bird_conf_ob 65099 >"$TMP/$n-bird.conf"

  start_capture "$n" ob-obgpd ob0
  bird_start "$n-bird" ob-bird "$TMP/$n-bird.conf"
  obgpd_start "$n-obgpd" ob-obgpd "$TMP/$n-obgpd.conf"
  wait_for 30 "$n bad peer AS notification" grep -q -i "bad peer as\|Bad peer AS" "$TMP/$n-bird.log" "$TMP/$n-obgpd.out"
  sleep 1
  bird_conf_ob 65020 >"$TMP/$n-bird.conf"
  birdctl "$n-bird" configure
  wait_for 60 "$n v4 established" obgpd_established "$n-obgpd" 10.0.6.2
  wait_for 30 "$n v6 established" obgpd_established "$n-obgpd" 2001:db8:6::2
  sleep 3
  obgpctl "$n-obgpd" network add 192.0.2.64/27 community 65020:99 localpref 120 >/dev/null
  sleep 2
  obgpctl "$n-obgpd" neighbor 10.0.6.2 refresh >/dev/null
  sleep 2
  birdctl "$n-bird" reload in obgpd4
  sleep 2
  obgpctl "$n-obgpd" network delete 192.0.2.64/27 >/dev/null
  sleep 1
  birdctl "$n-bird" disable s6
  sleep 3
  obgpctl "$n-obgpd" show rib >"$TMP/$n-obgpd-rib.txt" 2>&1 || true
  obgpctl "$n-obgpd" neighbor 10.0.6.2 down "tsbgp fixture: OpenBGPD maintenance window" >/dev/null
  sleep 1
  stop_capture "$n"
  stop_all_daemons
}

# ---------------------------------------------------------------- stop helpers
# Stop every process of the current scenario (by PID, newest first), then any
# leftover child of those daemons inside our namespaces, then the namespaces.
stop_all_daemons() {
  local i ns all=("${PIDS[@]}")
  for ((i = ${#all[@]} - 1; i >= 0; i--)); do
    stop_pid "${all[$i]}"
  done
  PIDS=()
  for ns in "${NETNS[@]}"; do
    kill_ns_procs "$ns"
    ip netns del "$ns" 2>/dev/null || true
  done
  NETNS=()
}

# ================================================================ export
# Stored as pcapng (converted by editcap), so the reader's pcapng path runs on a real capture.
PCAPNG_SCENARIOS="frr-gobgp-addpath"
capture_file() { # NAME -> the fixture's capture path
  if [[ " $PCAPNG_SCENARIOS " == *" $1 "* ]]; then echo "$OUT_DIR/$1.pcapng"; else echo "$OUT_DIR/$1.pcap"; fi
}

tshark_export() { # NAME
  local name="$1" f
  f=$(capture_file "$name")
  if [[ "$f" == *.pcapng ]]; then
    editcap -F pcapng "$OUT_DIR/$name.pcap" "$f" && rm -f "$OUT_DIR/$name.pcap"
  fi
  # -J "frame bgp": the BGP layer plus frame numbers, which is all the tests match on (frame, ip and
  # tcp in full would more than double the size). --no-duplicate-keys: without it tshark emits
  # objects with repeated keys (one "bgp" per message in a frame, one "bgp.cap" per capability,
  # ...) which JSON parsers silently collapse.
  tshark -r "$f" -Y bgp -T json --no-duplicate-keys -J "frame bgp" >"$OUT_DIR/$name.tshark.json" 2>/dev/null
  chmod 644 "$f" "$OUT_DIR/$name.tshark.json"
}

# ================================================================ main
ALL_SCENARIOS="frr-bird exabgp-frr-ibgp gobgp-exabgp-as2 frr-gobgp-addpath openbgpd-bird"
run() {
  local s
  for s in ${ONLY:-$ALL_SCENARIOS}; do
    check_budget
    log "=== scenario $s"
    case "$s" in
      frr-bird) scenario_frr_bird ;;
      exabgp-frr-ibgp) scenario_exabgp_frr_ibgp ;;
      gobgp-exabgp-as2) scenario_gobgp_exabgp_as2 ;;
      frr-gobgp-addpath) scenario_frr_gobgp_addpath ;;
      openbgpd-bird) scenario_openbgpd_bird ;;
      *) die "unknown scenario $s" ;;
    esac
    tshark_export "$s"
  done
}
# Per-capture message counts by type (1 OPEN, 2 UPDATE, 3 NOTIFICATION,
# 4 KEEPALIVE, 5 ROUTE-REFRESH) and a check that tshark finds nothing malformed.
verify() {
  local s f total=0 n bad
  for s in ${ONLY:-$ALL_SCENARIOS}; do
    f=$(capture_file "$s")
    n=$(tshark -r "$f" -Y bgp -T fields -e bgp.type 2>/dev/null | tr ',' '\n' | grep -c .)
    total=$((total + n))
    bad=$(tshark -r "$f" -Y '_ws.malformed || _ws.expert.severity == "error"' 2>/dev/null | wc -l)
    printf '%-22s %4d msgs  [%s]  %7d B pcap  %8d B json  malformed/error frames: %d\n' "$s" "$n" \
      "$(tshark -r "$f" -Y bgp -T fields -e bgp.type 2>/dev/null | tr ',' '\n' | sort | uniq -c | awk '{printf "%s type%s ", $1, $2}')" \
      "$(stat -c %s "$f")" "$(stat -c %s "$OUT_DIR/$s.tshark.json")" "$bad" >&2
    (( bad == 0 )) || die "tshark reports malformed/error frames in $f"
  done
  log "total BGP messages: $total; fixture dir size: $(du -cb "$OUT_DIR"/*.pcap* "$OUT_DIR"/*.tshark.json | tail -1 | cut -f1) bytes"
}

# One line per BGP message of every capture, decoded from the tshark JSON (also
# a worked example of how to walk that JSON): SUMMARY.txt.
write_summary() {
  local files=() s
  for s in $ALL_SCENARIOS; do
    [[ -f "$OUT_DIR/$s.tshark.json" ]] && files+=("$OUT_DIR/$s.tshark.json")
  done
  python3 - "${files[@]}" >"$OUT_DIR/SUMMARY.txt" <<'PYEOF'
import json, sys

ATTR = {1: "ORIGIN", 2: "AS_PATH", 3: "NEXT_HOP", 4: "MED", 5: "LOCAL_PREF",
        6: "ATOMIC_AGGREGATE", 7: "AGGREGATOR", 8: "COMMUNITIES", 14: "MP_REACH",
        15: "MP_UNREACH", 16: "EXT_COMMUNITIES", 17: "AS4_PATH", 32: "LARGE_COMMUNITY",
        35: "OTC"}
TYPES = {"1": "OPEN", "2": "UPDATE", "3": "NOTIFICATION", "4": "KEEPALIVE", "5": "ROUTE-REFRESH"}
RR_SUB = {"0": "request", "1": "BoRR", "2": "EoRR"}
AFI = {"1": "ipv4", "2": "ipv6"}

def L(x):
    if x is None:
        return []
    return x if isinstance(x, list) else [x]

def prefixes(container):
    # prefixes are the KEYS of the container object ("10.0.0.0/8", or
    # "10.0.0.0/8 PathId 3 " with ADD-PATH); "" when empty
    return [k.strip() for k in container] if isinstance(container, dict) else []

def aspath(a):
    out = []
    for seg in L(a.get("bgp.update.path_attribute.as_path_segment")):
        asns = L(seg.get("bgp.update.path_attribute.as_path_segment.as4")) + \
               L(seg.get("bgp.update.path_attribute.as_path_segment.as2"))
        if seg.get("bgp.update.path_attribute.as_path_segment.type") == "1":
            out.append("{" + ",".join(asns) + "}")
        else:
            out.extend(asns)
    return " ".join(out) or "(empty)"

def attr_str(a):
    code = int(a["bgp.update.path_attribute.type_code"])
    name = ATTR.get(code, "ATTR%d" % code)
    if code in (2, 17):
        return "%s=[%s]" % (name, aspath(a))
    if code == 1:
        return "ORIGIN=" + {"0": "igp", "1": "egp", "2": "incomplete"}[a["bgp.update.path_attribute.origin"]]
    if code == 3:
        return "NEXT_HOP=" + a["bgp.update.path_attribute.next_hop"]
    if code == 4:
        return "MED=" + a["bgp.update.path_attribute.multi_exit_disc"]
    if code == 5:
        return "LOCAL_PREF=" + a["bgp.update.path_attribute.local_pref"]
    if code == 7:
        return "AGGREGATOR=%s/%s" % (a["bgp.update.path_attribute.aggregator_as"], a["bgp.update.path_attribute.aggregator_origin"])
    if code == 8:
        c = a.get("bgp.update.path_attribute.communities", {})
        vals = ["%s:%s" % (x["bgp.update.path_attribute.community_as"], x["bgp.update.path_attribute.community_value"])
                for x in L(c.get("bgp.update.path_attribute.community"))]
        vals += L(c.get("bgp.update.path_attribute.community_wellknown"))
        return "COMMUNITIES=[%s]" % " ".join(vals)
    if code == 32:
        vals = ["%s:%s:%s" % (x["bgp.large_communities.ga"], x["bgp.large_communities.ldp1"], x["bgp.large_communities.ldp2"])
                for x in L(a.get("bgp.large_communities_tree"))]
        return "LARGE_COMMUNITY=[%s]" % " ".join(vals)
    if code == 16:
        vals = []
        for x in L(a.get("bgp.ext_communities", {}).get("bgp.ext_community")):
            vals.append("type%s:%s:%s" % (x.get("bgp.ext_com.type"),
                        x.get("bgp.ext_com.value_as2", x.get("bgp.ext_com.value_as4", "?")),
                        x.get("bgp.ext_com.value_an4", x.get("bgp.ext_com.value_an2", "?"))))
        return "EXT_COMMUNITIES=[%s]" % " ".join(vals)
    if code == 14:
        nh = a.get("bgp.update.path_attribute.mp_reach_nlri.next_hop_tree", {})
        nhs = L(nh.get("bgp.update.path_attribute.mp_reach_nlri.next_hop.ipv6")) + \
              L(nh.get("bgp.update.path_attribute.mp_reach_nlri.next_hop.ipv6.link_local")) + \
              L(nh.get("bgp.update.path_attribute.mp_reach_nlri.next_hop.ipv4"))
        return "MP_REACH(%s nh=%s nlri=%s)" % (AFI.get(a.get("bgp.update.path_attribute.mp_reach_nlri.afi")),
               ",".join(nhs), ",".join(prefixes(a.get("bgp.update.path_attribute.mp_reach_nlri"))))
    if code == 15:
        w = prefixes(a.get("bgp.update.path_attribute.mp_unreach_nlri"))
        return "MP_UNREACH(%s %s)" % (AFI.get(a.get("bgp.update.path_attribute.mp_unreach_nlri.afi")),
               ",".join(w) if w else "EoR/empty")
    return name

def caps(m):
    out = []
    for prm in L(m.get("bgp.open.opt", {}).get("bgp.open.opt.param")):
        for c in L(prm.get("bgp.cap")):
            out.append(c["bgp.cap.type"])
    return out

def msg_str(m):
    t = m.get("bgp.type")
    name = TYPES.get(t, "type" + str(t))
    if t == "1":
        return "%s myas=%s hold=%s id=%s caps=%s" % (name, m["bgp.open.myas"], m["bgp.open.holdtime"],
               m["bgp.open.identifier"], ",".join(caps(m)))
    if t == "2":
        parts = []
        w = prefixes(m.get("bgp.update.withdrawn_routes"))
        if w:
            parts.append("withdrawn=" + ",".join(w))
        attrs = L(m.get("bgp.update.path_attributes", {}).get("bgp.update.path_attribute"))
        parts += [attr_str(a) for a in attrs]
        n = prefixes(m.get("bgp.update.nlri"))
        if n:
            parts.append("nlri=" + ",".join(n))
        if not parts:
            parts.append("End-of-RIB ipv4")
        return name + " " + " ".join(parts)
    if t == "3":
        minor = next((v for k, v in m.items() if k.startswith("bgp.notify.minor_error")), "?")
        extra = m.get("bgp.notify.communication", "")
        return '%s %s/%s %s' % (name, m.get("bgp.notify.major_error"), minor, ('"%s"' % extra) if extra else "")
    if t == "5":
        return "%s %s %s/%s" % (name, RR_SUB.get(m.get("bgp.route_refresh.subtype"), "?"),
               AFI.get(m.get("bgp.route_refresh.afi")), m.get("bgp.route_refresh.safi"))
    return name

for fn in sys.argv[1:]:
    frames = json.load(open(fn))
    print("## %s" % fn.rsplit("/", 1)[-1].replace(".tshark.json", ".pcap"))
    for p in frames:
        ly = p["_source"]["layers"]
        ip = ly.get("ip") or ly.get("ipv6")
        src = ip.get("ip.src") or ip.get("ipv6.src")
        dst = ip.get("ip.dst") or ip.get("ipv6.dst")
        tcp = ly["tcp"]
        for m in L(ly["bgp"]):
            print("frame %-4s stream %s  %s:%s -> %s:%s  %s" % (ly["frame"]["frame.number"], tcp["tcp.stream"],
                  src, tcp["tcp.srcport"], dst, tcp["tcp.dstport"], msg_str(m)))
    print()
PYEOF
  chmod 644 "$OUT_DIR/SUMMARY.txt"
}

run
verify
write_summary
log "done in $(( $(date +%s) - SCRIPT_START ))s"
