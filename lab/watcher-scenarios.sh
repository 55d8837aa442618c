# lab/watcher-scenarios.sh — the watcher's own failures (restart, kill9, upgrade) and the watcher pair's (primary-dies, primary-returns, double), sourced by scenarios.sh.
# tsbgpd only. Uses lab.sh's and scenarios.sh's helpers (start_bg, stop_pid, wait_until, scn_captures,
# scn_speaker_start, ...). Every process is started with start_bg and stopped by PID.
#
# One run: the watcher(s) started afresh (state files removed) and steady on ws1 at both route servers,
# the RIB poller (lab/rib-poll.mjs: both route servers' RIBs every 50 ms) and lt1's load started, then at
# t_fail the watcher's failure, a bounded wait for it to be over, a bounded observation, t_end.
#   restart          SIGTERM to tsbgpd (up to 5 s, then KILL), started again with the same config and state file
#   kill9            kill -9 of tsbgpd, started again
#   upgrade          SIGTERM, started again from another copy of the build (dist/src copied before t_fail)
#   primary-dies     pair: kill -9 of the primary watcher (10.10.0.7), for good
#   primary-returns  pair: as primary-dies; once the route servers use the standby's route, the primary starts again
#   double           pair: as primary-dies; DOUBLE_GAP_S later ws1's server is killed: the standby must move the VIP
# The pair's configs use keys main may not have (`pair:`, `graceful-restart:`): when the built tsbgpd
# refuses them, each pair run prints `RESULT ... status=unsupported reason=...` and nothing is measured.
# LAB_PAIR_PLAIN=1 runs the pair scenarios with two independent watchers instead (no `pair:`, no
# `graceful-restart:`, the same hold time 9 s): what two watchers give without the pair; LAB_PAIR_GR=0
# keeps `pair:` and drops `graceful-restart:` (a build with the pair but not GR). Their RESULT lines say
# pair_config=plain or no-gr, and the tables say so.

WATCH_ADDR2=10.10.0.8
SOCK2="$TMP/tsbgpd-b.sock"
RIBPOLL="$LAB/rib-poll.mjs"
GR_CONFIG=refused; PAIR_SUPPORTED=0; PAIR_REASON=""; PAIR_CONFIG=spec

is_watcher_scenario() { case $1 in restart|kill9|upgrade|primary-dies|primary-returns|double) return 0 ;; *) return 1 ;; esac; }
is_pair_scenario() { case $1 in primary-*|double) return 0 ;; *) return 1 ;; esac; }

write_watcher_configs() {
  # Does this build know the neighbor key `graceful-restart`? (It is only reported: the single-watcher runs
  # use the same config as the failure scenarios, so a GR build runs them with its defaults.)
  tsbgpd_yaml "$TMP/probe-gr.yaml" 10.10.0.7 sticky "$TMP/probe.sock" "$TMP/probe-state.json" "$AZURE_TIMERS, graceful-restart: { restart-time: 120 }"
  if node "$TSBGPD" --check-config "$TMP/probe-gr.yaml" >"$TMP/check-config-gr.out" 2>&1; then GR_CONFIG=accepted; fi
  log "this build $( [[ $GR_CONFIG == accepted ]] && echo accepts || echo refuses ) the neighbor key graceful-restart: $(head -1 "$TMP/check-config-gr.out" | cut -c1-200)"
  # The pair, as the spec fixes it: hold time 9 s and GR restart time 9 s toward every neighbor.
  local keys="hold-time: $PAIR_HOLD_S, keepalive-time: $(( PAIR_HOLD_S / 3 ))" gr=", graceful-restart: { restart-time: $PAIR_HOLD_S }"
  local pa="{ role: primary, partner: $WATCH_ADDR2 }" pb="{ role: standby, partner: 10.10.0.7, prepend: 2 }"
  if [[ ${LAB_PAIR_PLAIN:-0} == 1 ]]; then PAIR_CONFIG=plain; gr=""; pa=""; pb=""
  elif [[ ${LAB_PAIR_GR:-1} == 0 ]]; then PAIR_CONFIG=no-gr; gr=""; fi
  tsbgpd_yaml "$TMP/tsbgpd-pair-a.yaml" 10.10.0.7 sticky "$TMP/tsbgpd.sock" "$TMP/tsbgpd-state.json" "$keys$gr" "$WATCH_ADDR2" "$pa"
  tsbgpd_yaml "$TMP/tsbgpd-pair-b.yaml" "$WATCH_ADDR2" sticky "$SOCK2" "$TMP/tsbgpd-b-state.json" "$keys$gr" 10.10.0.7 "$pb"
  local f out
  PAIR_SUPPORTED=1
  for f in a b; do
    out="$TMP/check-config-pair-$f.out"
    node "$TSBGPD" --check-config "$TMP/tsbgpd-pair-$f.yaml" >"$out" 2>&1 && continue
    PAIR_SUPPORTED=0
    [[ -n $PAIR_REASON ]] || PAIR_REASON=$(refusal_reason "$out" "the pair config")
  done
  if (( ! PAIR_SUPPORTED )); then log "UNSUPPORTED: the pair scenarios will not run: $PAIR_REASON"
  elif [[ $PAIR_CONFIG == plain ]]; then log "LAB_PAIR_PLAIN=1: the pair scenarios run two independent watchers (no pair:, no graceful-restart:; hold time $PAIR_HOLD_S s)"
  elif [[ $PAIR_CONFIG == no-gr ]]; then log "LAB_PAIR_GR=0: the pair scenarios run the pair without graceful-restart: (hold time $PAIR_HOLD_S s)"
  else log "this build accepts the pair configs (pair:, graceful-restart: { restart-time: $PAIR_HOLD_S }, hold-time: $PAIR_HOLD_S)"; fi
}

rib_once() { node "$RIBPOLL" --frr "$TMP/rs1.run/bgpd.vty" --bird "$TMP/rs2.ctl" --once "$@"; }   # -> 0 when both route servers agree
watcher_up() { # SOCKET ADDRESS BIRD_PROTOCOL: that tsbgpd has all its sessions Established, and both route servers their session with it
  node "$VIPSTATE" --socket "$1" --established && frr_up "$2" && bird_up rs2 "$3"
}
refresh_from() { # ADDRESS BIRD_PROTOCOL: the route servers ask that watcher for a refresh, as Azure does once a session is up
  frr -c "clear bgp ipv4 unicast $1 soft in" >/dev/null || true
  birdc_ rs2 reload in "$2" >/dev/null || true
}
stop_watcher() { # PID SIGNAL: the watcher's failure: signal it, return the moment it has exited (10 ms polls; KILL after 5 s)
  local pid="$1" i
  kill -"$2" "$pid" 2>/dev/null || true
  for ((i = 0; i < 500; i++)); do kill -0 "$pid" 2>/dev/null || break; sleep 0.01; done
  kill -0 "$pid" 2>/dev/null && kill -KILL "$pid" 2>/dev/null
  wait "$pid" 2>/dev/null || true
  forget_pid "$pid"
}
# --want-best-from ADDRESS, except for two plain watchers (LAB_PAIR_PLAIN): with equal AS paths the route
# servers pick either (FRR keeps the older eBGP path), so their best path is not the primary's by design
primary_best() { [[ $PAIR_CONFIG == plain ]] || echo "--want-best-from $1"; }
second_and() { kill -0 "$SPEAKER2_PID" 2>/dev/null || return 99; "$@"; }
tsbgpd_start() { # NAME NS JS CONFIG -> LAST_PID
  start_bg "$1" "$2" node "$3" --config "$4" --no-pretty
}
negotiated_timers() { # what the route servers negotiated with ADDRESS (FRR) and BIRD_PROTOCOL: "hold/keepalive"
  local f b
  f=$(frr -c "show bgp neighbors $1 json" 2>/dev/null | node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>{try{const j=Object.values(JSON.parse(s))[0];console.log(`${j.bgpTimerHoldTimeMsecs/1000}/${j.bgpTimerKeepAliveIntervalMsecs/1000}`)}catch{console.log("?")}})')
  b=$(birdc_ rs2 show protocols all "$2" 2>/dev/null | awk '/Hold timer:/{split($3,h,"/")} /Keepalive timer:/{split($3,k,"/")} END{print h[2] "/" k[2]}')
  echo "rs1 $f s, rs2 $b s"
}

# ------------------------------------------------------------------ setup of one run
pair_start() { # RUNDIR -> 0 when both watchers are up and the route servers hold both routes via ws1, the primary's best
  local d="$1"
  SETUP=ok
  scn_captures "$d"
  rm -f "$TMP"/tsbgpd-state.json* "$TMP"/tsbgpd-b-state.json*
  SPEAKER=tsbgp
  tsbgpd_start "tsbgp-$RUN_ID" watcher "$TSBGPD" "$TMP/tsbgpd-pair-a.yaml"; SPEAKER_PID=$LAST_PID
  tsbgpd_start "tsbgp-b-$RUN_ID" watcher2 "$TSBGPD" "$TMP/tsbgpd-pair-b.yaml"; SPEAKER2_PID=$LAST_PID
  if ! wait_until 40 spk_and second_and watcher_up "$TMP/tsbgpd.sock" 10.10.0.7 watcher ||
     ! wait_until 40 spk_and second_and watcher_up "$SOCK2" "$WATCH_ADDR2" watcher2; then
    kill -0 "$SPEAKER2_PID" 2>/dev/null || { SETUP=standby-exited; log "$RUN_ID: the standby exited: $(tail -3 "$TMP/tsbgp-b-$RUN_ID.out" | tr '\n' ' ' | cut -c1-400)"; return 1; }
    spk_failed "the watchers' sessions (route servers and partner) not all established"; return 1
  fi
  log "ok: $RUN_ID: both watchers: every session established (route servers and partner); negotiated: primary $(negotiated_timers 10.10.0.7 watcher), standby $(negotiated_timers "$WATCH_ADDR2" watcher2)"
  refresh_from 10.10.0.7 watcher; refresh_from "$WATCH_ADDR2" watcher2
  sleep 2
  if ! wait_until 30 spk_and second_and rib_once --want-nh 10.10.0.4 $(primary_best 10.10.0.7) --want-paths 2; then
    SETUP=pair-not-steady
    log "$RUN_ID: the route servers never held both watchers' routes via ws1 with the primary's best: $(rib_once --print 2>/dev/null | cut -c1-400)"
    return 1
  fi
  if ! wait_until 30 spk_and sdn_converged 10.10.0.4; then SETUP=no-vip-via-ws1; spk_failed "the sdn FIB never showed 100.64.0.1 via ws1 from both route servers"; return 1; fi
  if ! wait_until 15 node "$VIPSTATE" --socket "$TMP/tsbgpd.sock" --want ws1; then SETUP=vip-not-steady; log "$RUN_ID: the primary's show-vips never said: on ws1, both candidates up"; return 1; fi
  wait_until 15 node "$VIPSTATE" --socket "$SOCK2" --want ws1 || log "$RUN_ID: note: the standby's show-vips does not say 'on ws1, both up' (its route is via ws1 at both route servers)"
  log "ok: $RUN_ID: route servers: both watchers' routes via ws1$( [[ $PAIR_CONFIG == plain ]] || echo ", the primary's best"); sdn FIB via ws1"
  return 0
}

watch_back() { # SOCKET ADDRESS BIRD_PROTOCOL SECONDS: a (re)started watcher has its sessions and the VIP fresh at both route servers
  wait_until "$4" spk_and watcher_up "$1" "$2" "$3" || { log "$RUN_ID: the restarted watcher's sessions were not all up within $4 s"; return 1; }
  refresh_from "$2" "$3"
  wait_until 10 spk_and rib_once --want-nh 10.10.0.4 $(primary_best "$2") --want-paths 1 ||
    { log "$RUN_ID: the route servers do not hold a fresh route via ws1 from $2: $(rib_once --print 2>/dev/null | cut -c1-400)"; return 1; }
}

# ------------------------------------------------------------------ one run
watch_run() { # SCENARIO N
  local sc="$1" n="$2" d t_fail=0 t_end=0 t_ws1=null load_pid="" poll_pid="" off ph js="$TSBGPD" rel="" ev=()
  RUN_ID="$sc-tsbgp-$n"; d="$RUNS_DIR/$RUN_ID"; mkdir -p "$d"
  budget
  if is_pair_scenario "$sc" && (( ! PAIR_SUPPORTED )); then
    printf '{"scenario":"%s","speaker":"tsbgp","run":%d,"setup":"unsupported","reason":"%s"}\n' "$sc" "$n" "$PAIR_REASON" >"$d/run.json"
    node "$LAB/scenarios.mjs" --run "$d/run.json" --bgpctl "$BGPCTL" --results "$RESULTS"
    return 0
  fi
  SETUP=ok
  if is_pair_scenario "$sc"; then pair_start "$d" || true
  else scn_speaker_start tsbgp sticky "$d" || true; fi
  if [[ $SETUP == ok ]]; then
    if [[ $sc == upgrade ]]; then   # the "new" build, prepared before the window: a copy of dist/src beside the same node_modules
      rel="$TMP/release-$RUN_ID"; mkdir -p "$rel/dist"
      cp -a "$ROOT/dist/src" "$rel/dist/src"; cp "$ROOT/package.json" "$rel/"; ln -s "$ROOT/node_modules" "$rel/node_modules"
      js="$rel/dist/src/cli/tsbgpd.js"
    fi
    ph=$(( PAIR_HOLD_S + PAIR_MARGIN_S + WATCH_BACK_S + 10 + WATCH_OBSERVE_S + 20 ))
    start_bg "ribpoll-$RUN_ID" sw0 node "$RIBPOLL" --frr "$TMP/rs1.run/bgpd.vty" --bird "$TMP/rs2.ctl" --out "$d/rib.jsonl" \
      --interval 50 --stop-file "$d/load.stop" --max-seconds "$ph"
    poll_pid=$LAST_PID
    : >"$d/load.jsonl"
    start_bg "load-$RUN_ID" lt1 node "$LAB/load.mjs" --out "$d/load.jsonl" --stop-file "$d/load.stop" \
      --max-seconds $(( ph + 20 )) --max-requests $(( (ph + 20) * 20 + 100 ))
    load_pid=$LAST_PID
    if wait_until 10 grep -q '"server":"ws1"' "$d/load.jsonl" && wait_until 5 grep -q '"rs":"rs2"' "$d/rib.jsonl"; then
      sleep 1
      off=$(stat -c %s "$d/load.jsonl")
      t_fail=$(now_us)
      case $sc in
        restart|upgrade) stop_watcher "$SPEAKER_PID" TERM ;;
        kill9|primary-*|double) stop_watcher "$SPEAKER_PID" KILL 2>/dev/null ;;   # (bash's "Killed" notice: not news here)
      esac
      ev+=("stopped@$(now_us)"); log "$RUN_ID: watcher stopped ($sc)"
      case $sc in
        restart|kill9|upgrade)
          tsbgpd_start "tsbgp-$RUN_ID-again" watcher "$js" "$TMP/tsbgpd-vips-sticky.yaml"; SPEAKER_PID=$LAST_PID
          ev+=("started@$(now_us)")
          if watch_back "$TMP/tsbgpd.sock" 10.10.0.7 watcher "$WATCH_BACK_S"; then ev+=("back@$(now_us)"); log "ok: $RUN_ID: watcher back, VIP fresh via ws1 at both route servers"; fi
          sleep "$WATCH_OBSERVE_S" ;;
        primary-dies)
          sleep $(( PAIR_HOLD_S + PAIR_MARGIN_S )) ;;
        primary-returns)
          if wait_until $(( PAIR_HOLD_S + PAIR_MARGIN_S )) rib_once --want-best-from "$WATCH_ADDR2"; then ev+=("standby-best@$(now_us)"); log "$RUN_ID: the route servers use the standby's route"
          else log "$RUN_ID: the route servers still do not use the standby's route after $(( PAIR_HOLD_S + PAIR_MARGIN_S )) s"; fi
          tsbgpd_start "tsbgp-$RUN_ID-again" watcher "$TSBGPD" "$TMP/tsbgpd-pair-a.yaml"; SPEAKER_PID=$LAST_PID
          ev+=("started@$(now_us)")
          if watch_back "$TMP/tsbgpd.sock" 10.10.0.7 watcher "$WATCH_BACK_S"; then ev+=("back@$(now_us)"); log "ok: $RUN_ID: the primary is back and its route is best again"; fi
          sleep "$WATCH_OBSERVE_S" ;;
        double)
          sleep "$DOUBLE_GAP_S"
          kill -KILL "$WS1_PID"; t_ws1=$(now_us); reap_ws1
          log "$RUN_ID: ws1's server killed, ${DOUBLE_GAP_S}s after the primary"
          wait_ws2 "$d/load.jsonl" "$off" $(( PAIR_HOLD_S + CONVERGE_S )) || log "$RUN_ID: no answer from ws2 within $(( PAIR_HOLD_S + CONVERGE_S ))s"
          sleep "$OBSERVE_S" ;;
      esac
      t_end=$(now_us)
    else
      SETUP=no-answer-from-ws1; log "$RUN_ID: lt1 never answered by ws1 (or the RIB poller never answered)"
    fi
    stop_run_procs "$d" "$load_pid" "$poll_pid"
  fi
  local f; for f in "$TMP/tsbgp-$RUN_ID.out" "$TMP/tsbgp-$RUN_ID-again.out" "$TMP/tsbgp-b-$RUN_ID.out"; do [[ -f $f ]] && cp "$f" "$d/"; done
  scn_speaker_stop
  [[ -n $rel ]] && rm -rf "$rel"
  fault_clear
  [[ -n "$WS1_PID" ]] && kill -0 "$WS1_PID" 2>/dev/null || www_start ws1
  printf '{"scenario":"%s","speaker":"tsbgp","run":%d,"policy":"sticky","setup":"%s","tFail":%s,"tEnd":%s,"tWs1Fail":%s,"load":"%s","pcapRs1":"%s","pcapRs2":"%s","rib":"%s","fibLog":"%s","grConfig":"%s","events":"%s","pairHoldS":%d%s}\n' \
    "$sc" "$n" "$SETUP" "$t_fail" "$t_end" "$t_ws1" "$d/load.jsonl" "$d/rs1.pcap" "$d/rs2.pcap" "$d/rib.jsonl" "$TMP/fib.log" "$GR_CONFIG" "${ev[*]}" "$PAIR_HOLD_S" "$(is_pair_scenario "$sc" && printf ',"pairConfig":"%s"' "$PAIR_CONFIG")" >"$d/run.json"
  node "$LAB/scenarios.mjs" --run "$d/run.json" --bgpctl "$BGPCTL" --results "$RESULTS"
}
