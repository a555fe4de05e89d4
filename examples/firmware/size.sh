#!/usr/bin/env bash
# Builds the firmware example (release: opt-level "z", LTO) and prints the section sizes of the
# device program (cwmp-firmware-example, src/main.rs) against the budget in README.md; fails if
# its flash or its static RAM is over the budget. One more line gives the size of the package's
# other program, stack_depth (the codec's stack measurements, src/bin/stack_depth/), which has
# no budget.
#
#   bash examples/firmware/size.sh              # the size report
#   bash examples/firmware/size.sh --ram N      # one line: .data + .bss + N bytes of stack;
#                                               # fails if over the RAM budget
#
# Needs a size tool that reads ARM ELF files: llvm-size (PATH, or rustup's llvm-tools),
# arm-none-eabi-size, or binutils' size; installs rustup's llvm-tools if none is found.
set -euo pipefail
cd "$(dirname "$0")"

TARGET=thumbv7em-none-eabihf
ELF="target/$TARGET/release/cwmp-firmware-example"
MEASURE_ELF="target/$TARGET/release/stack_depth"
# .vector_table + .text + .rodata + .data. Measured 186.3 KiB (2026-12-02: the CPE-only build with
# compact SHA-256 and one encoder copy, 154.7 KiB without the agent, plus the agent and its static
# model, +31.5 KiB); issue 12's goal of 64 KiB is not reached (see benches/README.md).
# 2026-12-03: 194.2 KiB (198,904 B, +8,176 B) after the agent's STUN client and ManagementServer
# STUN*/throttle parameters and the machine's own fault 9003 for undecodable arguments; the
# budget moved from 192 to 200 KiB with them (a `stun` feature to leave the client out of
# firmware that does not use Annex G is the obvious way back under 192).
# 2026-12-04: 194.8 KiB (199,436 B, +532 B): text enumerations keep comments, CDATA and PIs
# verbatim (content_markup_len) and the Cpe's strings have u8/u16 lengths; .bss 41,804 B.
# 2026-12-04 later: 194.9 KiB (199,536 B, +100 B) and .bss 42,068 B (+264 B): the STUN client
# signs with MESSAGE-INTEGRITY after a 401 and keeps its STUNPassword; then 195.0 KiB
# (199,696 B) with the encoder's hand-written dateTime and write stage and the reader's kept
# attribute names; 193.5 KiB (198,132 B) once the reader dropped memchr's memmem; 194.4 KiB
# (199,056 B) with the encoder's references for edge white space.
# 2026-12-04, session 10: 189.7 KiB (194,248 B): each method's decoder out of line (-5.6 KB: the
# inlined decoders' code was larger than the calls), the lazy arrays' compact namespace context,
# the agent's answers out of line (+444 B); the budget is back at 192 KiB (2,360 B left).
# 2026-12-04, session 11: 182.2 KiB (186,564 B): struct decoding in place (Field::accept/finish
# write each field where it goes: -6.6 KB, one decoder per struct instead of slots and a
# returned value), text chunks without str::find's two-way searcher (-1.6 KB), constant
# placeholders (+0.8 KB of .rodata); the budget is lowered to 184 KiB (1,852 B left).
FLASH_BUDGET=$((184 * 1024))
RAM_BUDGET=$((64 * 1024))    # .data + .bss + stack high-water (memory.x RAM)

size_tool() {
  local t
  for t in llvm-size arm-none-eabi-size; do
    if command -v "$t" >/dev/null 2>&1; then echo "$t"; return; fi
  done
  local sysroot
  sysroot="$(rustc --print sysroot)"
  t="$(ls "$sysroot"/lib/rustlib/*/bin/llvm-size 2>/dev/null | head -n1 || true)"
  if [ -z "$t" ]; then
    rustup component add llvm-tools >/dev/null 2>&1 || rustup component add llvm-tools-preview >/dev/null 2>&1 || true
    t="$(ls "$sysroot"/lib/rustlib/*/bin/llvm-size 2>/dev/null | head -n1 || true)"
  fi
  if [ -n "$t" ]; then echo "$t"; return; fi
  if command -v size >/dev/null 2>&1; then echo size; return; fi
  echo "size.sh: no size tool (llvm-size, arm-none-eabi-size or size) found" >&2
  exit 1
}

rustup target add "$TARGET" >/dev/null 2>&1 || true
# sha2's compact SHA-256, as in .cargo/config.toml (an exported RUSTFLAGS replaces its rustflags).
export RUSTFLAGS="${RUSTFLAGS:+$RUSTFLAGS }--cfg sha2_backend_soft=\"compact\""
# The device program is a CPE-only build; stack_depth measures what only an ACS decodes too, so
# it is built with both roles (its required feature) first, then the device program alone.
cargo build --release --locked --quiet --features both-roles --bin stack_depth
cargo build --release --locked --quiet --bin cwmp-firmware-example
TOOL="$(size_tool)"

# "name size addr" lines of the System V format; missing sections are 0. $2: the ELF.
section() { "$TOOL" -A "${2:-$ELF}" | awk -v s="$1" '$1 == s { print $2; found = 1 } END { if (!found) print 0 }'; }
VT=$(section .vector_table)
TEXT=$(section .text)
RODATA=$(section .rodata)
DATA=$(section .data)
BSS=$(section .bss)
UNINIT=$(section .uninit)
STATIC_RAM=$((DATA + BSS + UNINIT))
if [ "$TEXT" -eq 0 ] || [ "$VT" -eq 0 ]; then
  echo "size.sh: $ELF has no .text or .vector_table: not linked with cortex-m-rt's link.x?" >&2
  exit 1
fi
kib() { awk -v b="$1" 'BEGIN { printf "%.1f KiB", b / 1024 }'; }

if [ "${1:-}" = "--ram" ]; then
  STACK="${2:?--ram needs the stack high-water in bytes}"
  TOTAL=$((STATIC_RAM + STACK))
  printf 'RAM: .data+.bss %d B + stack high-water %d B = %d B = %s of %s budget: %s\n' \
    "$STATIC_RAM" "$STACK" "$TOTAL" "$(kib "$TOTAL")" "$(kib "$RAM_BUDGET")" \
    "$([ "$TOTAL" -le "$RAM_BUDGET" ] && echo within || echo OVER)"
  [ "$TOTAL" -le "$RAM_BUDGET" ]
  exit
fi

FLASH=$((VT + TEXT + RODATA + DATA))
echo "firmware example: the device program cwmp-firmware-example ($TARGET, opt-level z, LTO; $("$TOOL" --version 2>/dev/null | grep -o '[A-Za-z ]*version [0-9.]*' | head -n1 || echo "$TOOL"))"
printf '  %-14s %8d B  %s\n' .vector_table "$VT" "$(kib "$VT")"
printf '  %-14s %8d B  %s\n' .text "$TEXT" "$(kib "$TEXT")"
printf '  %-14s %8d B  %s\n' .rodata "$RODATA" "$(kib "$RODATA")"
printf '  %-14s %8d B  %s\n' .data "$DATA" "$(kib "$DATA")"
printf '  %-14s %8d B  %s\n' .bss "$BSS" "$(kib "$BSS")"
printf '  flash (.vector_table+.text+.rodata+.data) %d B = %s of %s budget: %s\n' \
  "$FLASH" "$(kib "$FLASH")" "$(kib "$FLASH_BUDGET")" "$([ "$FLASH" -le "$FLASH_BUDGET" ] && echo within || echo OVER)"
printf '  static RAM (.data+.bss) %d B = %s; the stack high-water comes from run.sh\n' \
  "$STATIC_RAM" "$(kib "$STATIC_RAM")"

M_FLASH=0
for sec in .vector_table .text .rodata .data; do M_FLASH=$((M_FLASH + $(section "$sec" "$MEASURE_ELF"))); done
M_RAM=$(($(section .data "$MEASURE_ELF") + $(section .bss "$MEASURE_ELF") + $(section .uninit "$MEASURE_ELF")))
printf 'stack_depth (the codec'"'"'s stack measurements; no budget): flash %d B = %s, static RAM %d B = %s\n' \
  "$M_FLASH" "$(kib "$M_FLASH")" "$M_RAM" "$(kib "$M_RAM")"

# Per crate and the largest functions (cargo-bloat: `cargo install cargo-bloat --locked`).
if command -v cargo-bloat >/dev/null 2>&1; then
  echo "cargo bloat: .text of the device program by crate, then its largest functions"
  cargo bloat --release --locked --bin cwmp-firmware-example --crates -n 12 2>/dev/null |
    sed -n '/^ *File/,/\.text section size/p' | sed 's/^/  /'
  cargo bloat --release --locked --bin cwmp-firmware-example -n 20 2>/dev/null |
    sed -n '/^ *File/,/\.text section size/p' | sed 's/^/  /'
else
  echo "cargo-bloat not installed (cargo install cargo-bloat --locked): no per-crate or per-function figures"
fi

if [ "$FLASH" -gt "$FLASH_BUDGET" ]; then
  echo "size.sh: FAILED: the device program's flash, $FLASH B, is over the budget of $FLASH_BUDGET B" >&2
  exit 1
fi
if [ "$STATIC_RAM" -gt "$RAM_BUDGET" ]; then
  echo "size.sh: FAILED: the device program's .data+.bss, $STATIC_RAM B, is over the RAM budget of $RAM_BUDGET B" >&2
  exit 1
fi
