# lab/scenarios.sh — the failure scenarios, sourced by lab.sh (its default mode; see lab/README.md).
# Uses lab.sh's topology, helpers (start_bg, stop_pid, wait_for, kill_ns_procs, frr, birdc_, ...) and
# variables. Every process is started with start_bg (so the EXIT trap stops it) and stopped by PID.
#
# One run = a fresh speaker (tsbgpd with its built-in checks; ExaBGP 4.2 driven by the reference loop
# through its named pipe; or tsbgp-pipe: tsbgpd without VIPs driven by the same, unchanged, loop through
# tsbgpd's own ExaBGP pipe), the VIP on ws1 and lt1 answered by ws1, one injected failure, a bounded
# observation, then everything of the run stopped and ws1 restored. Speakers alternate run by run.

RUNS_DIR="$TMP/runs"; mkdir -p "$RUNS_DIR"
RESULTS="$TMP/results.jsonl"; : >"$RESULTS"
REF_PIPE="$TMP/exabgp.cmd"
TSBGP_READY=1
FLAKY_LOSS_PERMILLE=20   # 2 %, on each direction of ws1's link
VIPSTATE="$LAB/vip-state.mjs"
source "$LAB/watcher-scenarios.sh"

now_us() { local t=$EPOCHREALTIME; echo "${t/[.,]/}"; }
wait_until() { # TIMEOUT_S CMD... -> 0 as soon as CMD succeeds, 1 at the timeout or when CMD says 99 (never dies)
  local end=$(( $(date +%s) + $1 )) rc; shift
  while (( $(date +%s) < end )); do
    rc=0; "$@" >/dev/null 2>&1 || rc=$?
    (( rc == 0 )) && return 0; (( rc == 99 )) && return 1
    sleep 0.2
  done
  return 1
}

# ------------------------------------------------------------------ configs
# tsbgpd's config on a watcher: the issue's VIP (health-checked, ws1 then ws2) toward both route servers.
#   tsbgpd_yaml FILE ADDRESS FAILBACK SOCKET STATE_FILE NEIGHBOR_KEYS [PARTNER PAIR_MAP]
# NEIGHBOR_KEYS: the timer (and graceful-restart) keys of every neighbor; PARTNER: the other watcher, an
# iBGP neighbor; PAIR_MAP: the top-level `pair:` value.
tsbgpd_yaml() {
  local f="$1" a="$2" fb="$3" sock="$4" st="$5" keys="$6" partner="${7:-}" pair="${8:-}"
  {
    printf 'router-id: %s\nlocal-as: 65001\nlisten: { address: %s, port: 179 }\nneighbors:\n' "$a" "$a"
    printf '  - { address: 10.10.1.4, remote-as: 65515, local-address: %s, %s, connect-retry: 1, families: [ipv4-unicast], description: rs1 }\n' "$a" "$keys"
    printf '  - { address: 10.10.1.5, remote-as: 65515, local-address: %s, %s, connect-retry: 1, families: [ipv4-unicast], description: rs2 }\n' "$a" "$keys"
    if [[ -n $partner ]]; then
      printf '  - { address: %s, remote-as: 65001, local-address: %s, %s, connect-retry: 1, families: [ipv4-unicast], description: partner }\n' "$partner" "$a" "$keys"
    fi
    if [[ -n $pair ]]; then printf 'pair: %s\n' "$pair"; fi
    cat <<EOF2
vips:
  - name: web
    prefix: 100.64.0.1/32
    candidates:
      - { name: ws1, next-hop: 10.10.0.4, check: { http: "http://10.10.0.4/", expect-status: 200 } }
      - { name: ws2, next-hop: 10.10.0.5, check: { http: "http://10.10.0.5/", expect-status: 200 } }
    interval: 100ms
    timeout: 80ms
    rise: 3
    fall: 2
    watch: true
    failback: $fb
    change-window: 30s
    all-down: keep
control: { socket: $sock, mode: "0660" }
state-file: $st
log-level: info
EOF2
  } >"$f"
}
AZURE_TIMERS="hold-time: 180, keepalive-time: 60"
write_configs() {
  local pol fb
  for pol in sticky preferred; do
    if [[ $pol == preferred ]]; then fb="{ preferred-after: $PREFERRED_AFTER }"; else fb=sticky; fi
    tsbgpd_yaml "$TMP/tsbgpd-vips-$pol.yaml" 10.10.0.7 "$fb" "$TMP/tsbgpd.sock" "$TMP/tsbgpd-state.json" "$AZURE_TIMERS"
    node "$TSBGPD" --check-config "$TMP/tsbgpd-vips-$pol.yaml" >"$TMP/check-config-$pol.out" 2>&1 ||
      die "tsbgpd config ($pol): $(cat "$TMP/check-config-$pol.out")"
  done
  # tsbgp-pipe in the failure scenarios: its pipe at the reference's path (the loop is given the same PIPE)
  watcher_yaml "$TMP/tsbgpd-pipe-ref.yaml" "exabgp: { pipe: $REF_PIPE }"
  if (( PIPE_SUPPORTED )) && ! node "$TSBGPD" --check-config "$TMP/tsbgpd-pipe-ref.yaml" >"$TMP/check-config-pipe-ref.out" 2>&1; then
    PIPE_SUPPORTED=0; PIPE_REASON=$(refusal_reason "$TMP/check-config-pipe-ref.out" "exabgp: { pipe: $REF_PIPE }")
  fi
  # ExaBGP as in the reference setup: a `process` that copies the named pipe to ExaBGP's API
  # (socat), graceful-restart 10. The lab's only additions: the process is time-bounded, ExaBGP runs
  # in the foreground as root with api.ack=false (the same as the --compare blocks).
  cat >"$TMP/exabgp-ref.conf" <<EOF2
process announce-routes {
  run /usr/bin/timeout $WWW_SECONDS /usr/bin/socat stdout pipe:$REF_PIPE;
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
    capability { route-refresh; graceful-restart 10; }
    api { processes [ announce-routes ]; }
  }
}
neighbor 10.10.1.4 { inherit rs; description "rs1"; }
neighbor 10.10.1.5 { inherit rs; description "rs2"; }
EOF2
}

# ------------------------------------------------------------------ faults, all inside ws1's namespace
fault_host_down() { # ws1 silent: every packet in and out dropped (IP and ARP), loopback kept
  ip netns exec $P-ws1 nft -f - <<'EOF2'
table inet labfault {
  chain in  { type filter hook input  priority -300; policy drop; iifname "lo" accept; }
  chain out { type filter hook output priority -300; policy drop; oifname "lo" accept; }
}
table arp labfault {
  chain in  { type filter hook input  priority 0; policy drop; }
  chain out { type filter hook output priority 0; policy drop; }
}
EOF2
}
fault_flaky() { # FLAKY_LOSS_PERMILLE of ws1's packets dropped at random, each direction
  ip netns exec $P-ws1 nft -f - <<EOF2
table inet labfault {
  chain in  { type filter hook input  priority -300; policy accept; iifname "lo" accept; numgen random mod 1000 < $FLAKY_LOSS_PERMILLE drop; }
  chain out { type filter hook output priority -300; policy accept; oifname "lo" accept; numgen random mod 1000 < $FLAKY_LOSS_PERMILLE drop; }
}
EOF2
}
fault_clear() { ip netns exec $P-ws1 nft flush ruleset; }   # ws1's own ruleset (per namespace)

# ------------------------------------------------------------------ speakers
SETUP=ok; REF_LOOP_PID=""; SPEAKER2_PID=""
scn_captures() { # RUNDIR: captures on the route servers' side of what each received from the watchers
  start_bg "cap-rs1-$RUN_ID" rs1 tcpdump -Z root -i tlab-rs1 -s 0 -U -n -w "$1/rs1.pcap" 'tcp port 179 and (host 10.10.0.7 or host 10.10.0.8)'
  CAP_PIDS=("$LAST_PID")
  start_bg "cap-rs2-$RUN_ID" rs2 tcpdump -Z root -i tlab-rs2 -s 0 -U -n -w "$1/rs2.pcap" 'tcp port 179 and (host 10.10.0.7 or host 10.10.0.8)'
  CAP_PIDS+=("$LAST_PID")
  wait_for 10 "captures of $RUN_ID" bash -c "grep -q 'listening on' '$TMP/cap-rs1-$RUN_ID.out' && grep -q 'listening on' '$TMP/cap-rs2-$RUN_ID.out'"
}
scn_speaker_start() { # SPEAKER POLICY RUNDIR -> 0 ready (VIP on ws1 everywhere), 1 with SETUP set
  local sp="$1" pol="$2" d="$3"
  SETUP=ok
  # captures on the route servers' side: what each received from the watcher
  scn_captures "$d"
  if [[ $sp == tsbgp ]]; then
    rm -f "$TMP"/tsbgpd-state.json*
    SPEAKER=tsbgp
    start_bg "tsbgp-$RUN_ID" watcher node "$TSBGPD" --config "$TMP/tsbgpd-vips-$pol.yaml" --no-pretty
    SPEAKER_PID=$LAST_PID
  elif [[ $sp == tsbgp-pipe ]]; then   # the loop's pipe is tsbgpd's: it creates the FIFO, the first route comes through it
    rm -f "$TMP"/tsbgpd-state.json*; pipe_holder_stop "$REF_PIPE"
    SPEAKER=tsbgp-pipe
    start_bg "tsbgp-pipe-$RUN_ID" watcher node "$TSBGPD" --config "$TMP/tsbgpd-pipe-ref.yaml" --no-pretty
    SPEAKER_PID=$LAST_PID
    if ! wait_until 15 spk_and test -p "$REF_PIPE"; then SETUP=no-pipe; spk_failed "tsbgpd did not create its named pipe $REF_PIPE"; return 1; fi
    if ! timeout 5 bash -c "echo 'announce route 100.64.0.1/32 next-hop 10.10.0.4' > '$REF_PIPE'"; then
      SETUP=pipe-write-blocked; spk_failed "writing the first route into tsbgpd's pipe did not finish in 5 s"; return 1
    fi
  else
    rm -f "$REF_PIPE"
    SPEAKER=exabgp
    start_bg "exabgp-$RUN_ID" watcher env exabgp.daemon.user=root exabgp.daemon.daemonize=false \
      exabgp.log.destination=stdout exabgp.api.ack=false exabgp.api.cli=false exabgp "$TMP/exabgp-ref.conf"
    SPEAKER_PID=$LAST_PID
    wait_for 15 "ExaBGP's named pipe (socat)" test -p "$REF_PIPE"
    timeout 5 bash -c "echo 'announce route 100.64.0.1/32 next-hop 10.10.0.4' > '$REF_PIPE'" || die "could not write ExaBGP's pipe"
  fi
  if ! wait_until 40 spk_and frr_up 10.10.0.7 || ! wait_until 40 spk_and bird_up rs2 watcher; then spk_failed "sessions not established"; return 1; fi
  log "ok: $RUN_ID: $SPEAKER: rs1 (FRR) and rs2 (BIRD) established"
  frr -c "clear bgp ipv4 unicast 10.10.0.7 soft in" >/dev/null   # Azure asks for a refresh once up
  birdc_ rs2 reload in watcher >/dev/null
  sleep 2
  if ! wait_until 40 spk_and frr_up 10.10.0.7 || ! wait_until 40 spk_and bird_up rs2 watcher; then spk_failed "sessions not established after the refresh"; return 1; fi
  if ! wait_until 30 spk_and sdn_converged 10.10.0.4; then
    SETUP=no-vip-via-ws1
    if [[ $sp == tsbgp ]] && kill -0 "$SPEAKER_PID" 2>/dev/null; then
      local rc=0; ip netns exec $P-watcher node "$VIPSTATE" --socket "$TMP/tsbgpd.sock" >/dev/null 2>&1 || rc=$?
      (( rc == 3 )) && SETUP=show-vips-unknown
    fi
    spk_failed "the sdn FIB never showed 100.64.0.1 via ws1 from both route servers"
    return 1
  fi
  log "ok: $RUN_ID: sdn FIB 100.64.0.1 via ws1 (both route servers)"
  if [[ $sp == tsbgp ]]; then
    local vrc=0; ip netns exec $P-watcher node "$VIPSTATE" --socket "$TMP/tsbgpd.sock" --want ws1 >/dev/null 2>&1 || vrc=$?
    if (( vrc == 3 )); then
      log "$RUN_ID: tsbgpd does not know show-vips: 3 s for the checks and watches to settle instead"; sleep 3
    elif ! wait_until 15 ip netns exec $P-watcher node "$VIPSTATE" --socket "$TMP/tsbgpd.sock" --want ws1; then
      SETUP=vip-not-steady; log "$RUN_ID: show-vips never said: on ws1, both candidates up, watches connected"; return 1
    else
      log "ok: $RUN_ID: tsbgpd: VIP on ws1, both candidates up, watches connected"
    fi
  else   # reference and tsbgp-pipe: the same loop, the same pipe path
    start_bg "refloop-$RUN_ID" watcher timeout $(( MAX_RUNTIME + 60 )) bash "$LAB/reference-loop.sh" "$REF_PIPE" "$d/reference.log" 600 6000
    REF_LOOP_PID=$LAST_PID
    sleep 0.5   # a few probe rounds of both servers
  fi
  return 0
}
spk_and() { kill -0 "$SPEAKER_PID" 2>/dev/null || return 99; "$@"; }   # 99: the speaker is gone
spk_failed() { # WHAT: the run's setup failed; a speaker that exited is named with the last line of its log
  if ! kill -0 "$SPEAKER_PID" 2>/dev/null; then
    SETUP=$SPEAKER-exited
    log "$RUN_ID: $SPEAKER exited: $(tail -3 "$TMP/$SPEAKER-$RUN_ID.out" | tr '\n' ' ' | cut -c1-400)"
  else log "$RUN_ID: setup failed: $1 ($SETUP)"; fi
}
scn_speaker_stop() {
  [[ -n "$REF_LOOP_PID" ]] && stop_pid "$REF_LOOP_PID"
  REF_LOOP_PID=""
  [[ -n "$SPEAKER_PID" ]] && stop_pid "$SPEAKER_PID"
  [[ -n "$SPEAKER2_PID" ]] && stop_pid "$SPEAKER2_PID"
  SPEAKER_PID=""; SPEAKER2_PID=""
  [[ $SPEAKER == tsbgp-pipe ]] && pipe_holder_stop "$REF_PIPE"
  kill_ns_procs $P-watcher   # leftovers of the run (ExaBGP's socat, a curl of the loop)
  kill_ns_procs $P-watcher2
  sleep 0.3
  local c; for c in "${CAP_PIDS[@]}"; do stop_pid "$c" INT; done
  CAP_PIDS=()
}
reap_ws1() { # after the kill -9: reap it (a zombie still answers kill -0) and forget its PID
  wait "$WS1_PID" 2>/dev/null || true
  forget_pid "$WS1_PID"
  WS1_PID=""
}
stop_run_procs() { # RUNDIR PID...: the run's stop file (load loop, RIB poller), up to 2 s for them to exit on it, then stopped by PID
  local d="$1" i p alive; shift
  touch "$d/load.stop"
  for ((i = 0; i < 20; i++)); do
    alive=0; for p in "$@"; do kill -0 "$p" 2>/dev/null && alive=1; done
    (( alive )) || break; sleep 0.1
  done
  for p in "$@"; do stop_pid "$p"; done
}
wait_ws2() { # LOADLOG OFFSET SECONDS -> 0 once lt1 logged an answer from ws2 past OFFSET
  local end=$(( $(date +%s) + $3 ))
  while (( $(date +%s) < end )); do
    [[ $(tail -c +$(( $2 + 1 )) "$1") == *'"server":"ws2"'* ]] && return 0
    sleep 0.05
  done
  return 1
}

# ------------------------------------------------------------------ one run
scn_run() { # SCENARIO SPEAKER N
  local sc="$1" sp="$2" n="$3" pol=sticky d t_fail=0 t_end=0 t_rec=null load_pid="" off ph
  [[ $sc == recover-preferred ]] && pol=preferred
  RUN_ID="$sc-$sp-$n"; d="$RUNS_DIR/$RUN_ID"; mkdir -p "$d"
  budget
  SETUP=ok
  if [[ $sp == tsbgp && $TSBGP_READY == 0 ]]; then
    SETUP=$TSBGP_NOT_READY
  elif [[ $sp == tsbgp-pipe ]] && (( ! PIPE_SUPPORTED )); then
    printf '{"scenario":"%s","speaker":"tsbgp-pipe","run":%d,"setup":"unsupported","reason":"%s"}\n' "$sc" "$n" "$PIPE_REASON" >"$d/run.json"
    node "$LAB/scenarios.mjs" --run "$d/run.json" --bgpctl "$BGPCTL" --results "$RESULTS"
    return 0
  elif scn_speaker_start "$sp" "$pol" "$d"; then
    case $sc in crash|host-down) ph=$(( CONVERGE_S + OBSERVE_S )) ;; flaky) ph=$(( FLAKY_SECONDS + OBSERVE_S )) ;;
      *) ph=$(( CONVERGE_S + RETURN_AFTER_S + RECOVER_OBSERVE_S )) ;; esac
    : >"$d/load.jsonl"
    start_bg "load-$RUN_ID" lt1 node "$LAB/load.mjs" --out "$d/load.jsonl" --stop-file "$d/load.stop" \
      --max-seconds $(( ph + 20 )) --max-requests $(( (ph + 20) * 20 + 100 ))
    load_pid=$LAST_PID
    if wait_until 10 grep -q '"server":"ws1"' "$d/load.jsonl"; then
      sleep 1
      off=$(stat -c %s "$d/load.jsonl")
      case $sc in
        crash|recover-*) kill -KILL "$WS1_PID"; t_fail=$(now_us); reap_ws1 ;;
        host-down) fault_host_down; t_fail=$(now_us) ;;
        flaky) fault_flaky; t_fail=$(now_us) ;;
      esac
      log "$RUN_ID: failure injected"
      case $sc in
        crash|host-down)
          wait_ws2 "$d/load.jsonl" "$off" "$CONVERGE_S" || log "$RUN_ID: no answer from ws2 within ${CONVERGE_S}s"
          sleep "$OBSERVE_S" ;;
        flaky)
          sleep "$FLAKY_SECONDS"; fault_clear; sleep "$OBSERVE_S" ;;
        recover-*)
          wait_ws2 "$d/load.jsonl" "$off" "$CONVERGE_S" || log "$RUN_ID: no answer from ws2 within ${CONVERGE_S}s"
          sleep "$RETURN_AFTER_S"
          t_rec=$(now_us); www_start ws1
          sleep "$RECOVER_OBSERVE_S" ;;
      esac
      t_end=$(now_us)
    else
      SETUP=no-answer-from-ws1; log "$RUN_ID: lt1 never answered by ws1"
    fi
    stop_run_procs "$d" "$load_pid"
  fi
  if [[ $sp == tsbgp && -n "$SPEAKER_PID" ]]; then
    ip netns exec $P-watcher node "$VIPSTATE" --socket "$TMP/tsbgpd.sock" --print >"$d/show-vips.json" 2>/dev/null || true
  fi
  if [[ $sp == tsbgp* ]]; then cp "$TMP/$sp-$RUN_ID.out" "$d/tsbgpd.log" 2>/dev/null || true; fi
  if [[ $sp == tsbgp && $TSBGP_READY == 1 && ( $SETUP == show-vips-unknown || $SETUP == tsbgp-exited ) ]]; then
    TSBGP_READY=0; TSBGP_NOT_READY=$SETUP; log "tsbgpd cannot run the VIPs in this build ($SETUP): the remaining tsbgp runs are skipped"
  fi
  scn_speaker_stop
  # restore ws1 (outside the window): a live server, no fault rules
  fault_clear
  [[ -n "$WS1_PID" ]] && kill -0 "$WS1_PID" 2>/dev/null || www_start ws1
  printf '{"scenario":"%s","speaker":"%s","run":%d,"policy":"%s","setup":"%s","tFail":%s,"tEnd":%s,"tRecover":%s,"load":"%s","pcapRs1":"%s","pcapRs2":"%s"%s}\n' \
    "$sc" "$sp" "$n" "$pol" "$SETUP" "$t_fail" "$t_end" "$t_rec" "$d/load.jsonl" "$d/rs1.pcap" "$d/rs2.pcap" \
    "$([[ $sp == reference || $sp == tsbgp-pipe ]] && printf ',"refLog":"%s"' "$d/reference.log")" >"$d/run.json"
  node "$LAB/scenarios.mjs" --run "$d/run.json" --bgpctl "$BGPCTL" --results "$RESULTS"
}

run_scenarios() {
  write_configs
  local sc n sp
  for sc in "${SCN_LIST[@]}"; do is_watcher_scenario "$sc" && { write_watcher_configs; break; }; done
  log "scenarios: ${SCN_LIST[*]}; $RUNS runs per scenario and speaker (${SPK_LIST[*]}, alternating); flaky ${FLAKY_SECONDS}s at $(( FLAKY_LOSS_PERMILLE / 10 )).$(( FLAKY_LOSS_PERMILLE % 10 ))% each way; preferred-after $PREFERRED_AFTER; the watcher scenarios run tsbgp only; time bound ${MAX_RUNTIME}s"
  for sc in "${SCN_LIST[@]}"; do
    for ((n = 1; n <= RUNS; n++)); do
      if is_watcher_scenario "$sc"; then watch_run "$sc" "$n"; continue; fi
      for sp in "${SPK_LIST[@]}"; do scn_run "$sc" "$sp" "$n"; done
    done
  done
  echo
  node "$LAB/scenarios.mjs" --summary "$RESULTS" | tee "$TMP/summary.txt"
}
