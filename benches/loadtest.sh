#!/usr/bin/env bash
# The 10,000-CPE load test (issue 14): the `acs_tokio` example (tokio/hyper, sharded AcsSessions,
# Digest, the ACS closing the connection every 3rd response so Sessions continue over new
# connections by their cookie) in one process, the `loadtest` example (simulated `Cpe` machines
# on tokio tasks, a bounded number at once) in another, both release builds over loopback.
#
# Two runs: a clean one (failed Sessions must be 0), then one where the CPEs drop 5 % of their
# Sessions' connections mid-Session and retry (m = 1 s, k = 1.5); events raised by the CPEs are
# compared with those the ACS received (lost must be 0). Prints one table per run.
#
# Usage:
#   benches/loadtest.sh [--cpes N] [--concurrency N] [--drop-percent P] [--close-every N]
#                       [--shards N] [--nice N]
# Defaults: 10,000 CPEs, 256 at once, 5 %, every 3rd response, 2 shards, nice 10 (the machine is
# shared). Exit status 1 when a figure that must be 0 is not.
set -euo pipefail
cd "$(dirname "$0")/.."

CPES=10000
CONCURRENCY=256
DROP=5
CLOSE_EVERY=3
SHARDS=2
NICE=10
while [ $# -gt 0 ]; do
  case "$1" in
    --cpes) CPES=$2; shift 2 ;;
    --concurrency) CONCURRENCY=$2; shift 2 ;;
    --drop-percent) DROP=$2; shift 2 ;;
    --close-every) CLOSE_EVERY=$2; shift 2 ;;
    --shards) SHARDS=$2; shift 2 ;;
    --nice) NICE=$2; shift 2 ;;
    *) echo "usage: $0 [--cpes N] [--concurrency N] [--drop-percent P] [--close-every N] [--shards N] [--nice N]" >&2; exit 2 ;;
  esac
done

# Each CPE at once holds one socket and the ACS one per connection (plus TIME_WAIT churn):
# raise the soft limit on file descriptors to the hard one.
ulimit -n "$(ulimit -Hn)" 2>/dev/null || true
need=$((CONCURRENCY * 4 + 256))
if [ "$(ulimit -n)" != unlimited ] && [ "$(ulimit -n)" -lt "$need" ]; then
  echo "loadtest.sh: ulimit -n is $(ulimit -n), need about $need for --concurrency $CONCURRENCY" >&2
  exit 2
fi

nice -n "$NICE" cargo build --release --locked -q -p cwmp-examples --example acs_tokio --example loadtest
BIN="${CARGO_TARGET_DIR:-target}/release/examples"
OUT=$(mktemp -d)
trap 'kill $(jobs -p) 2>/dev/null || true; rm -rf "$OUT"' EXIT
PASSWORD=load-secret
status=0

field() { # field NAME FILE
  sed -n "s/^$1: //p" "$2" | head -1
}

run() { # run LABEL DROP_PERCENT
  local label=$1 drop=$2
  local acs_out="$OUT/acs-$label.txt" load_out="$OUT/load-$label.txt"
  local delivered="$OUT/delivered-$label.txt" raised="$OUT/raised-$label.txt"
  nice -n "$NICE" "$BIN/acs_tokio" --listen 127.0.0.1:0 --password "$PASSWORD" \
    --shards "$SHARDS" --close-every "$CLOSE_EVERY" --delivered "$delivered" >"$acs_out" &
  local acs_pid=$!
  local url=""
  for _ in $(seq 1 100); do
    url=$(sed -n 's/^acs_tokio: listening on //p' "$acs_out")
    [ -n "$url" ] && break
    sleep 0.1
  done
  [ -n "$url" ] || { echo "loadtest.sh: the ACS did not start" >&2; exit 1; }
  local load_status=0
  nice -n "$NICE" "$BIN/loadtest" --acs "$url" --cpes "$CPES" --concurrency "$CONCURRENCY" \
    --drop-percent "$drop" --password "$PASSWORD" --raised "$raised" >"$load_out" || load_status=$?
  kill -TERM "$acs_pid"
  wait "$acs_pid"

  local lost dup_total unique
  lost=$(comm -23 "$raised" "$delivered" | wc -l)
  unique=$(field acs_events_delivered_unique "$acs_out")
  dup_total=$(field acs_events_delivered_total "$acs_out")
  local rss_idle rss_peak live loadgen_rss conc
  rss_idle=$(field acs_rss_idle_kib "$acs_out")
  rss_peak=$(field acs_rss_peak_kib "$acs_out")
  live=$(field acs_peak_live_sessions "$acs_out")
  loadgen_rss=$(field loadgen_rss_peak_kib "$load_out")
  conc=$(field "concurrency (peak)" "$load_out")

  echo "== $label: $CPES CPEs, $CONCURRENCY at once, drop $drop %, ACS closes every $CLOSE_EVERY responses, $SHARDS shards"
  awk -v idle="$rss_idle" -v peak="$rss_peak" -v live="$live" -v lg="$loadgen_rss" -v conc="$conc" \
      -v lost="$lost" -v uniq="$unique" -v total="$dup_total" \
      -v ok="$(field sessions_ok "$load_out")" -v sps="$(field sessions_per_s "$load_out")" \
      -v p50="$(field session_p50_ms "$load_out")" -v p99="$(field session_p99_ms "$load_out")" \
      -v pp99="$(field provisioned_p99_ms "$load_out")" -v el="$(field elapsed_s "$load_out")" \
      -v failed="$(field failed_sessions "$load_out")" -v dropped="$(field dropped_connections "$load_out")" \
      -v unfinished="$(field unfinished_cpes "$load_out")" -v unprov="$(field unprovisioned_cpes "$load_out")" \
      -v conns="$(field acs_connections "$acs_out")" -v raised="$(field events_raised "$load_out")" \
      -v acsok="$(field acs_sessions_completed "$acs_out")" -v acsfail="$(field acs_sessions_failed "$acs_out")" \
      -v reasons="$(field acs_failure_reasons "$acs_out")" -v checks="$(field acs_check_failures "$acs_out")" \
      -v cpereasons="$(field failure_reasons "$load_out")" '
    BEGIN {
      printf "| %-44s | %s |\n", "figure", "value"
      printf "|%s|%s|\n", "----------------------------------------------", "------:"
      printf "| %-44s | %s |\n", "Sessions completed (CPE side)", ok
      printf "| %-44s | %s |\n", "wall time (s)", el
      printf "| %-44s | %s |\n", "Sessions/s", sps
      printf "| %-44s | %s |\n", "Session time p50 (ms)", p50
      printf "| %-44s | %s |\n", "Session time p99 (ms)", p99
      printf "| %-44s | %s |\n", "power-up to provisioned p99 (ms)", pp99
      printf "| %-44s | %s |\n", "failed Sessions (CPE side)", failed
      printf "| %-44s | %s |\n", "  of which connections dropped on purpose", dropped
      printf "| %-44s | %s |\n", "  reasons", cpereasons
      printf "| %-44s | %s |\n", "CPEs never completing a Session", unfinished
      printf "| %-44s | %s |\n", "CPEs not holding the ACS values", unprov
      printf "| %-44s | %s |\n", "ACS: Sessions completed / failed", acsok " / " acsfail
      printf "| %-44s | %s |\n", "ACS: failure reasons", reasons
      printf "| %-44s | %s |\n", "ACS: answers failing their check", checks
      printf "| %-44s | %s |\n", "ACS: TCP connections", conns
      printf "| %-44s | %s |\n", "ACS: peak concurrent Sessions", live
      printf "| %-44s | %.0f / %.0f |\n", "ACS: RSS idle / peak (KiB)", idle, peak
      if (live > 0) {
        printf "| %-44s | %.1f |\n", "ACS: RSS peak per concurrent Session (KiB)", peak / live
        printf "| %-44s | %.1f |\n", "ACS: (peak - idle) per concurrent Session (KiB)", (peak - idle) / live
      }
      if (conc > 0) printf "| %-44s | %.1f |\n", "load generator: RSS peak per running CPE (KiB)", lg / conc
      printf "| %-44s | %s |\n", "events raised", raised
      printf "| %-44s | %s / %s |\n", "events delivered unique / with repeats", uniq, total
      printf "| %-44s | %s |\n", "events lost", lost
    }'
  echo
  if [ "$lost" -ne 0 ] || [ "$(field unfinished_cpes "$load_out")" -ne 0 ] \
     || [ "$(field acs_check_failures "$acs_out")" -ne 0 ] || [ "$load_status" -ne 0 ]; then
    status=1
  fi
  if [ "$drop" = 0 ] && [ "$(field failed_sessions "$load_out")" -ne 0 ]; then
    status=1
  fi
}

echo "loadtest.sh: $(date -u '+%Y-%m-%d %H:%M UTC'), $(nproc) cores, $(uname -sr)"
echo
run clean 0
run drops "$DROP"
exit $status
