#!/usr/bin/env bash
# Builds the firmware example and runs its two programs on QEMU's mps2-an386 (Cortex-M4) with
# semihosting:
#
# * cwmp-firmware-example (src/main.rs), the device program: prints the trace of the CWMP
#   Sessions and the stack depth of their phases;
# * stack_depth (src/bin/stack_depth/): the stack depth of the codec alone (encode, decode and
#   a walk of representative messages and of one at every decoder limit).
#
# Then prints one table of both (README "Size and RAM, measured") and checks the device
# program's RAM (.data + .bss + stack high-water) against the budget. Fails unless both programs
# exit with success (every scripted step, every measurement as expected) and the RAM fits.
#
#   bash examples/firmware/run.sh
set -euo pipefail
cd "$(dirname "$0")"

TARGET=thumbv7em-none-eabihf
DIR="target/$TARGET/release"
TIMEOUT="${FIRMWARE_TIMEOUT:-60}"

if ! command -v qemu-system-arm >/dev/null 2>&1; then
  echo "run.sh: qemu-system-arm not found (Debian: apt-get install qemu-system-arm)" >&2
  exit 2
fi

rustup target add "$TARGET" >/dev/null 2>&1 || true
# sha2's compact SHA-256, as in .cargo/config.toml (an exported RUSTFLAGS replaces its rustflags).
export RUSTFLAGS="${RUSTFLAGS:+$RUSTFLAGS }--cfg sha2_backend_soft=\"compact\""
# The device program is a CPE-only build; stack_depth measures what only an ACS decodes too, so
# it is built with both roles (its required feature) first, then the device program alone.
cargo build --release --locked --quiet --features both-roles --bin stack_depth
cargo build --release --locked --quiet --bin cwmp-firmware-example

SESSION_LOG="$(mktemp)"
CODEC_LOG="$(mktemp)"
trap 'rm -f "$SESSION_LOG" "$CODEC_LOG"' EXIT

# Runs the program $1 on QEMU, its output to the terminal and to the log $2; fails unless it
# exits with code 0 after printing PASS.
run() {
  local rc
  set +e
  timeout "$TIMEOUT" qemu-system-arm -cpu cortex-m4 -machine mps2-an386 -nographic \
    -semihosting-config enable=on,target=native -kernel "$DIR/$1" </dev/null 2>&1 | tee "$2"
  rc=${PIPESTATUS[0]}
  set -e
  if [ "$rc" -eq 124 ]; then
    echo "run.sh: FAILED: $1 did not exit within ${TIMEOUT}s" >&2
    exit 1
  fi
  if [ "$rc" -ne 0 ] || ! grep -qx 'PASS' "$2"; then
    echo "run.sh: FAILED: $1 exited with code $rc" >&2
    exit 1
  fi
}

run cwmp-firmware-example "$SESSION_LOG"
echo
run stack_depth "$CODEC_LOG"

# The `stack encode|decode NAME: N bytes (M from the top of RAM; decode alone D, walk alone W, decode by value V; ...)`
# and `stack session PHASE: N bytes (...)` lines, as a table.
awk '
  function num(s, re) { return match(s, re) ? substr(s, RSTART, RLENGTH) + 0 : "" }
  function after(s, key,   t) { t = s; if (!sub(".*" key " ", "", t)) return "-"; sub(/[^0-9].*/, "", t); return t }
  /^stack (encode|decode) [^:]*: [0-9]+ bytes/ {
    kind = $2; name = $3; sub(/:$/, "", name)
    if (!(name in seen)) { seen[name] = 1; order[++n] = name }
    if (kind == "encode") enc[name] = $4
    else { dec[name] = $4; alone[name] = after($0, "decode alone"); walk[name] = after($0, "walk alone"); byval[name] = after($0, "decode by value") }
  }
  /^stack session [^:]*: [0-9]+ bytes/ { p = $3; sub(/:$/, "", p); sess[++m] = p; sbytes[m] = $4; snote[m] = $0; sub(/^[^(]*/, "", snote[m]) }
  END {
    if (!n && !m) exit
    print ""
    print "stack depth on the Cortex-M4 (bytes below the caller; painted stack, see README):"
    printf "  %-20s %8s %14s %13s %11s %16s\n", "message", "encode", "decode + walk", "decode alone", "walk alone", "decode by value"
    for (i = 1; i <= n; i++) {
      k = order[i]
      printf "  %-20s %8s %14s %13s %11s %16s\n", k, (k in enc) ? enc[k] : "-", (k in dec) ? dec[k] : "-", (k in alone) ? alone[k] : "-", (k in walk) ? walk[k] : "-", (k in byval) ? byval[k] : "-"
    }
    printf "  %-20s %8s\n", "session phase", "bytes"
    for (i = 1; i <= m; i++) printf "  %-20s %8s  %s\n", sess[i], sbytes[i], snote[i]
  }' "$CODEC_LOG" "$SESSION_LOG"

STACK="$(sed -n 's/^stack high-water: \([0-9]*\) bytes$/\1/p' "$SESSION_LOG" | tail -n1)"
bash ./size.sh --ram "${STACK:?no stack high-water in the output}"
echo "run.sh: ok (both programs exited with code 0)"
