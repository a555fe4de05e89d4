#!/usr/bin/env bash
# Builds the firmware example and runs it on QEMU's mps2-an386 (Cortex-M4) with semihosting:
# prints the trace of the CWMP Sessions and the stack high-water, and fails unless the program
# exits with success (every scripted step as expected) and its RAM fits the budget.
#
#   bash examples/firmware/run.sh
set -euo pipefail
cd "$(dirname "$0")"

TARGET=thumbv7em-none-eabihf
ELF="target/$TARGET/release/cwmp-firmware-example"
TIMEOUT="${FIRMWARE_TIMEOUT:-60}"

if ! command -v qemu-system-arm >/dev/null 2>&1; then
  echo "run.sh: qemu-system-arm not found (Debian: apt-get install qemu-system-arm)" >&2
  exit 2
fi

rustup target add "$TARGET" >/dev/null 2>&1 || true
cargo build --release --locked --quiet

LOG="$(mktemp)"
trap 'rm -f "$LOG"' EXIT
set +e
timeout "$TIMEOUT" qemu-system-arm -cpu cortex-m4 -machine mps2-an386 -nographic \
  -semihosting-config enable=on,target=native -kernel "$ELF" </dev/null 2>&1 | tee "$LOG"
RC=${PIPESTATUS[0]}
set -e

if [ "$RC" -eq 124 ]; then
  echo "run.sh: FAILED: no exit within ${TIMEOUT}s" >&2
  exit 1
fi
if [ "$RC" -ne 0 ] || ! grep -qx 'PASS' "$LOG"; then
  echo "run.sh: FAILED: the firmware exited with code $RC" >&2
  exit 1
fi
STACK="$(sed -n 's/^stack high-water: \([0-9]*\) bytes$/\1/p' "$LOG" | tail -n1)"
bash ./size.sh --ram "${STACK:?no stack high-water in the output}"
echo "run.sh: ok (exit code 0)"
