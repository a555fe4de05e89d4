#!/usr/bin/env bash
# The instruction-count bench (issue 12): every operation of examples/profile.rs on every
# fixture under `valgrind --tool=callgrind`, in one run, and the table of instructions (Ir)
# per call and per byte of message, with the ratios of the budgets.
#
#   benches/callgrind.sh            # everything (a few minutes: valgrind is ~50x slower)
#   benches/callgrind.sh --quick    # without the cwmp crate (the slow baseline)
#
# Each operation runs twice, with N = 0 and N = ITER iterations; the difference divided by
# ITER is the count per call, free of the fixture's construction and of process start-up.
# Instruction counts are the same from one run to the next on a loaded machine (to a few
# hundred Ir), where timings are not. Needs valgrind (Debian: apt-get install valgrind).
set -euo pipefail
cd "$(dirname "$0")/.."

QUICK=0
[ "${1:-}" = "--quick" ] && QUICK=1
command -v valgrind >/dev/null || { echo "callgrind.sh: valgrind not found (apt-get install valgrind)" >&2; exit 2; }
cargo build --release --quiet -p cwmp-benches --example profile
BIN="${CARGO_TARGET_DIR:-target}/release/examples/profile"

# Ir of one run: $1 op, $2 fixture, $3 iterations.
ir() {
  valgrind --tool=callgrind --callgrind-out-file=/dev/null "$BIN" "$1" "$2" "$3" 2>&1 >/dev/null |
    sed -n 's/.*Collected : *\([0-9]*\).*/\1/p'
}
# Ir per call, rounded.
per_call() {
  local a b
  a=$(ir "$1" "$2" 0)
  b=$(ir "$1" "$2" "$3")
  echo $(( (b - a + $3 / 2) / $3 ))
}

FIXTURES="inform_10 gpv_response_200 spv_20 gpn_response_1000"
OPS="walk decode quick-xml xmlparser encode len fmt"
[ "$QUICK" = 1 ] || OPS="$OPS cwmp-parse cwmp-generate"
OUT="$(mktemp)"
trap 'rm -f "$OUT"' EXIT
for fx in $FIXTURES; do
  bytes=$("$BIN" len "$fx" 1 | sed 's/.*: //')
  for op in $OPS; do
    case "$fx:$op" in
      *:cwmp-*) n=2 ;;
      gpn_response_1000:*) n=3 ;;
      gpv_response_200:*) n=5 ;;
      *) n=20 ;;
    esac
    echo "$fx $bytes $op $(per_call "$op" "$fx" "$n")" >>"$OUT"
  done
done
echo "session - session $(per_call session session 20)" >>"$OUT"

python3 - "$OUT" <<'PY'
import sys
rows = [l.split() for l in open(sys.argv[1])]
ir = {(fx, op): int(v) for fx, b, op, v in rows}
size = {fx: int(b) for fx, b, op, v in rows if b != "-"}
fixtures = list(dict.fromkeys(fx for fx, *_ in rows if fx != "session"))
ops = list(dict.fromkeys(op for fx, b, op, v in rows if fx != "session"))
print("Instructions (callgrind Ir) per call, and per byte of message")
print(f"{'fixture':<18} {'bytes':>7} " + " ".join(f"{o:>13}" for o in ops))
for fx in fixtures:
    print(f"{fx:<18} {size[fx]:>7} " + " ".join(f"{ir.get((fx, o), 0):>13,}" for o in ops))
print(f"{'  Ir/byte':<26} ")
for fx in fixtures:
    print(f"{fx:<18} {'':>7} " + " ".join(f"{ir.get((fx, o), 0) / size[fx]:>13.2f}" for o in ops))
print()
print("Ratios (Ir of ours / Ir of the baseline; budget <= 1.0)")
print(f"{'fixture':<18} {'walk/qx':>9} {'walk/xmlp':>10} {'decode/qx':>10} {'encode/fmt':>11} {'len/fmt':>8}", end="")
cw = ("cwmp-parse" in ops)
print(f" {'cwmp-parse/walk':>16} {'cwmp-gen/encode':>16}" if cw else "")
for fx in fixtures:
    g = lambda o: ir[(fx, o)]
    line = f"{fx:<18} {g('walk')/g('quick-xml'):>8.2f}x {g('walk')/g('xmlparser'):>9.2f}x {g('decode')/g('quick-xml'):>9.2f}x {g('encode')/g('fmt'):>10.2f}x {g('len')/g('fmt'):>7.2f}x"
    if cw:
        line += f" {g('cwmp-parse')/g('walk'):>15.1f}x {g('cwmp-generate')/g('encode'):>15.1f}x"
    print(line)
print()
print(f"whole in-memory Session (CPE + ACS machines): {ir[('session', 'session')]:,} Ir (budget <= 100,000)")
PY
