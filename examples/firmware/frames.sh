#!/usr/bin/env bash
# Static cross-check of the stack depths run.sh measures: reads a release ELF's machine code
# (llvm-objdump) and prints the largest stack frames (`push`/`vpush` + `sub sp`), then for each
# ROOT (a substring of a demangled function name) the deepest path of direct calls below it.
# BIN picks the program: stack_depth (the default; the codec measured alone) or
# cwmp-firmware-example (the device program; its Session phases).
#
#   bash examples/firmware/frames.sh                       # 25 largest frames; decode, encode
#   BIN=cwmp-firmware-example bash examples/firmware/frames.sh 40 'Cpe<_, _, _>>::export' power_up
#
# Approximate: calls through pointers (`blx rN`: dyn Write, ItemSource, fmt) are not followed
# and marked `*`, identical generic copies share a name, and tail calls are counted as calls.
# Paths into the panic handler are left out. Needs llvm-objdump (PATH or rustup's llvm-tools).
set -euo pipefail
cd "$(dirname "$0")"

TARGET=thumbv7em-none-eabihf
ELF="target/$TARGET/release/${BIN:-stack_depth}"
TOP="${1:-25}"
shift || true
[ $# -gt 0 ] || set -- 'cwmp_codec::message::envelope::decode' 'cwmp_codec::message::envelope::Envelope::encode'

OBJDUMP="$(command -v llvm-objdump || ls "$(rustc --print sysroot)"/lib/rustlib/*/bin/llvm-objdump 2>/dev/null | head -n1 || true)"
if [ -z "$OBJDUMP" ]; then
  rustup component add llvm-tools >/dev/null 2>&1 || true
  OBJDUMP="$(ls "$(rustc --print sysroot)"/lib/rustlib/*/bin/llvm-objdump 2>/dev/null | head -n1 || true)"
fi
[ -n "$OBJDUMP" ] || { echo "frames.sh: no llvm-objdump" >&2; exit 1; }

rustup target add "$TARGET" >/dev/null 2>&1 || true
# sha2's compact SHA-256, as in .cargo/config.toml (an exported RUSTFLAGS replaces its rustflags).
export RUSTFLAGS="${RUSTFLAGS:+$RUSTFLAGS }--cfg sha2_backend_soft=\"compact\""
# The device program is a CPE-only build; stack_depth measures what only an ACS decodes too, so
# it is built with both roles (its required feature) first, then the device program alone.
cargo build --release --locked --quiet --features both-roles --bin stack_depth
cargo build --release --locked --quiet --bin cwmp-firmware-example

"$OBJDUMP" -d -C --no-show-raw-insn "$ELF" | awk -v top="$TOP" -v roots="$(printf '%s\n' "$@")" '
  function short(s) { sub(/::h[0-9a-f]+$/, "", s); return length(s) > 110 ? substr(s, 1, 107) "..." : s }
  # A function header: "0001c998 <name>:" (mapping symbols $t/$d continue the function).
  /^[0-9a-f]+ <.*>:$/ {
    name = substr($0, index($0, "<") + 1); name = substr(name, 1, length(name) - 2)
    if (name ~ /^\$/) next
    fn = name; frame[fn] = 0; subbed[fn] = 0; next
  }
  fn == "" { next }
  /\t(push|push\.w|vpush)\t\{/ && !subbed[fn] {
    regs = $0; sub(/.*\{/, "", regs); sub(/\}.*/, "", regs)
    frame[fn] += (($0 ~ /vpush/) ? 8 : 4) * split(regs, r, ",")
  }
  /\tsub(\.w|w)?\tsp, (sp, )?#/ {
    n = $0; sub(/.*#/, "", n); sub(/[^0-9a-fx].*/, "", n)
    frame[fn] += (n ~ /^0x/) ? strtonum_hex(n) : n + 0; subbed[fn] = 1
  }
  /\tblx\tr[0-9]/ { indirect[fn] = 1 }
  /\t(bl|b|b\.w)\t0x[0-9a-f]+ </ {
    c = substr($0, index($0, "<") + 1); sub(/>.*/, "", c); sub(/\+0x[0-9a-f]+$/, "", c)
    if (c != fn && !((fn SUBSEP c) in edge)) { edge[fn, c] = 1; ncalls[fn]++; callee[fn, ncalls[fn]] = c }
  }
  function strtonum_hex(h,   i, v, d) {
    v = 0; h = tolower(substr(h, 3))
    for (i = 1; i <= length(h); i++) { d = index("0123456789abcdef", substr(h, i, 1)) - 1; v = v * 16 + d }
    return v
  }
  # Deepest path below f (memoized; cycles and the panic machinery cut).
  function worst(f,   i, c, d, best, bc) {
    if (f in memo) return memo[f]
    if (f in onpath || f ~ /panic|rust_begin_unwind|hstdout|_fail$|assert_failed/) return 0
    onpath[f] = 1; best = 0; bc = ""
    for (i = 1; i <= ncalls[f]; i++) { c = callee[f, i]; d = worst(c); if (d > best) { best = d; bc = c } }
    delete onpath[f]
    next_on[f] = bc; memo[f] = frame[f] + best
    return memo[f]
  }
  END {
    printf "largest stack frames (bytes; push + sub sp) in %s:\n", FILENAME == "-" ? "the ELF" : FILENAME
    cmd = "sort -rn | head -n " top
    for (f in frame) if (frame[f] > 0) printf "  %6d  %s\n", frame[f], short(f) | cmd
    close(cmd)
    n = split(roots, want, "\n")
    for (k = 1; k <= n; k++) {
      if (want[k] == "") continue
      found = 0
      for (f in frame) {
        if (index(f, want[k]) == 0 || found >= 2) continue
        found++
        printf "\ndeepest direct-call path below %s: %d bytes (* = also calls through pointers)\n", short(f), worst(f)
        for (g = f; g != ""; g = next_on[g]) printf "  %6d %s %s\n", frame[g], (g in indirect) ? "*" : " ", short(g)
      }
      if (!found) printf "\n%s: no such function\n", want[k]
    }
  }'
