#!/usr/bin/env bash
# Runs every fuzz target in turn, MINUTES each, with its dictionary (the one build.sh gives
# it), one process on one core under `nice -n 19`, and prints a Markdown table row per target
# (target, time, CPU time, execs, coverage, findings) for the table in README.md. Every target is
# built first (`cargo fuzz build -O`), so the CPU column (user + system seconds of the run, from
# /usr/bin/time when present) is fuzzing, not compiling.
#
#   bash fuzz/run-all.sh MINUTES [TARGET...]     # every target of `cargo fuzz list`, or these
#
# New inputs go to a scratch corpus, $CWMP_FUZZ_CORPUS/<target> (default /tmp/cwmp-corpus),
# given first; the committed seeds (corpus/<target>, regressions/<target>) are read only. A
# crash leaves artifacts/<target>/crash-* (see README.md for minimising it into a regression
# seed); the run goes on with the next target, and the script exits 1 if any target found one.
# The full libFuzzer log of each target is kept in $CWMP_FUZZ_CORPUS/<target>.log.
set -euo pipefail
cd "$(dirname "$0")"

if [ $# -lt 1 ] || ! [[ "$1" =~ ^[0-9]+$ ]] || [ "$1" -eq 0 ]; then
  echo "usage: $0 MINUTES [TARGET...]" >&2
  exit 2
fi
minutes="$1"
shift
scratch="${CWMP_FUZZ_CORPUS:-/tmp/cwmp-corpus}"

TC=()
if ! rustc --version | grep -q nightly; then TC=(+nightly); fi

if [ $# -gt 0 ]; then targets=("$@"); else mapfile -t targets < <(cargo "${TC[@]}" fuzz list); fi

# The same choice as build.sh's dict_for; the session targets get both dictionaries.
dict_for() {
  case "$1" in
    http_*) echo http.dict ;;
    connreq_*) echo connreq.dict ;;
    cpe_*|acs_*) cat cwmp.dict http.dict > "$scratch/session.dict"; echo "$scratch/session.dict" ;;
    *) echo cwmp.dict ;;
  esac
}

mkdir -p "$scratch"
nice -n 19 cargo "${TC[@]}" fuzz build -O >"$scratch/build.log" 2>&1 || { cat "$scratch/build.log" >&2; exit 1; }
TIME=()
if [ -x /usr/bin/time ]; then TIME=(/usr/bin/time -f '%U %S'); fi
echo "| target | time | CPU | execs | coverage | findings |"
echo "|---|---|---:|---:|---:|---|"
failed=0
for t in "${targets[@]}"; do
  mkdir -p "$scratch/$t" "artifacts/$t"
  seeds=()
  [ -d "corpus/$t" ] && seeds+=("corpus/$t")
  [ -d "regressions/$t" ] && seeds+=("regressions/$t")
  before="$(ls "artifacts/$t" | wc -l)"
  log="$scratch/$t.log"
  rc=0
  cpu="?"
  [ ${#TIME[@]} -gt 0 ] && TIME+=(-o "$scratch/$t.time")
  nice -n 19 "${TIME[@]}" cargo "${TC[@]}" fuzz run -O "$t" "$scratch/$t" "${seeds[@]}" -- \
    -dict="$(dict_for "$t")" -max_total_time=$((minutes * 60)) -print_final_stats=1 \
    >"$log" 2>&1 || rc=$?
  if [ ${#TIME[@]} -gt 0 ]; then
    TIME=("${TIME[@]:0:3}")
    cpu="$(awk 'END { printf "%d min %02d s", ($1 + $2) / 60, ($1 + $2) % 60 }' "$scratch/$t.time" 2>/dev/null || echo "?")"
  fi
  execs="$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n1)"
  cov="$(grep -o 'cov: [0-9]*' "$log" | tail -n1 | cut -d' ' -f2)"
  found=$(($(ls "artifacts/$t" | wc -l) - before))
  if [ "$rc" -ne 0 ] || [ "$found" -gt 0 ]; then
    failed=1
    findings="**${found} (exit ${rc})**: artifacts/$t/"
  else
    findings="none"
  fi
  echo "| \`$t\` | ${minutes} min | ${cpu} | ${execs:-?} | ${cov:-?} | ${findings} |"
done
exit "$failed"
