#!/usr/bin/env bash
# Runs every fuzz target in turn, MINUTES each, with its dictionary (the one build.sh gives
# it), one process on one core under `nice -n 19`, and prints a Markdown table row per target
# (target, time, execs, coverage, findings) for the table in README.md.
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
echo "| target | time | execs | coverage | findings |"
echo "|---|---|---:|---:|---|"
failed=0
for t in "${targets[@]}"; do
  mkdir -p "$scratch/$t" "artifacts/$t"
  seeds=()
  [ -d "corpus/$t" ] && seeds+=("corpus/$t")
  [ -d "regressions/$t" ] && seeds+=("regressions/$t")
  before="$(ls "artifacts/$t" | wc -l)"
  log="$scratch/$t.log"
  rc=0
  nice -n 19 cargo "${TC[@]}" fuzz run -O "$t" "$scratch/$t" "${seeds[@]}" -- \
    -dict="$(dict_for "$t")" -max_total_time=$((minutes * 60)) -print_final_stats=1 \
    >"$log" 2>&1 || rc=$?
  execs="$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n1)"
  cov="$(grep -o 'cov: [0-9]*' "$log" | tail -n1 | cut -d' ' -f2)"
  found=$(($(ls "artifacts/$t" | wc -l) - before))
  if [ "$rc" -ne 0 ] || [ "$found" -gt 0 ]; then
    failed=1
    findings="**${found} (exit ${rc})**: artifacts/$t/"
  else
    findings="none"
  fi
  echo "| \`$t\` | ${minutes} min | ${execs:-?} | ${cov:-?} | ${findings} |"
done
exit "$failed"
