#!/usr/bin/env bash
# lab/reference-loop.sh — the reference health check people run today beside ExaBGP 4.2 (see
# shared AZURE.md, "The reference setup"): probe both web servers with `curl --max-time 0.1`, sleep
# 0.1 s, move the VIP to ws2 on the FIRST failed probe of ws1 and back on the FIRST success, by
# echoing ExaBGP's text API command into the named pipe that ExaBGP's `process` (socat) reads.
# No rise/fall, no hold-down, no ack. The lab adds only bounds (iterations and seconds) and a log
# line per move (µs since the epoch) so the runs can be read back.
#
#   reference-loop.sh PIPE LOG [MAX_SECONDS] [MAX_ITERATIONS]
PIPE="$1"; LOG="$2"; MAX_SECONDS="${3:-300}"; MAX_ITER="${4:-3000}"
VIP=100.64.0.1/32; WS1=10.10.0.4; WS2=10.10.0.5
end=$(( SECONDS + MAX_SECONDS ))
active=ws1   # the harness announced the VIP via ws1 before starting the loop
for (( i = 0; i < MAX_ITER && SECONDS < end; i++ )); do
  if curl -s -o /dev/null --max-time 0.1 "http://$WS1/"; then ws1=up; else ws1=down; fi
  if curl -s -o /dev/null --max-time 0.1 "http://$WS2/"; then ws2=up; else ws2=down; fi
  if [[ $active == ws1 && $ws1 == down ]]; then
    echo "announce route $VIP next-hop $WS2" > "$PIPE"
    active=ws2; echo "$EPOCHREALTIME move ws2 (ws1 $ws1, ws2 $ws2)" >> "$LOG"
  elif [[ $active == ws2 && $ws1 == up ]]; then
    echo "announce route $VIP next-hop $WS1" > "$PIPE"
    active=ws1; echo "$EPOCHREALTIME move ws1 (ws1 $ws1, ws2 $ws2)" >> "$LOG"
  fi
  sleep 0.1
done
