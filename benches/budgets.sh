#!/usr/bin/env bash
# Runs the codec bench and prints the issue-3 budget table from criterion's estimates:
# our MB/s next to quick-xml tokenizing and the crates.io `cwmp` crate, and the ratios.
#
# Usage:
#   benches/budgets.sh                  # cargo bench --bench codec -- --noplot, then the table
#   benches/budgets.sh --quick          # shorter warm-up/measurement (1 s / 3 s per bench)
#   benches/budgets.sh --report-only    # only the table, from target/criterion of an earlier run
#
# Budgets (issue 3): full decode >= 1.0x quick-xml tokenizing the same bytes; encode >= 1.5 GB/s;
# >= 20x the `cwmp` crate in both directions. MB/s are bytes of the message per second (10^6).
set -euo pipefail
cd "$(dirname "$0")/.."

mode="${1:-}"
case "$mode" in
  --report-only) ;;
  --quick) cargo bench -p cwmp-benches --bench codec -- --noplot --warm-up-time 1 --measurement-time 3 ;;
  "") cargo bench -p cwmp-benches --bench codec -- --noplot ;;
  *) echo "usage: $0 [--quick|--report-only]" >&2; exit 2 ;;
esac

CRIT="${CARGO_TARGET_DIR:-target}/criterion"
python3 - "$CRIT" <<'PY'
import json, os, sys

crit = sys.argv[1]
fixtures = ["inform_10", "gpv_response_200", "spv_20", "gpn_response_1000"]

def mbps(group, impl, fx):
    d = os.path.join(crit, group, impl, fx)
    try:
        est = json.load(open(os.path.join(d, "new", "estimates.json")))
        bench = json.load(open(os.path.join(d, "new", "benchmark.json")))
    except OSError:
        return None, None
    ns = est["mean"]["point_estimate"]
    nbytes = (bench.get("throughput") or {}).get("Bytes")
    if not nbytes:
        return None, None
    return nbytes / (ns * 1e-9) / 1e6, nbytes

def fmt(x):
    return "      n/a" if x is None else f"{x:9.1f}"

def ratio(a, b):
    return None if a is None or b is None or b == 0 else a / b

def rfmt(x):
    return "    n/a" if x is None else f"{x:6.2f}x"

misses = []
print("Decode (decode + full walk) vs quick-xml tokenizing and the cwmp crate; MB/s of message bytes")
print("('decode only': the validating pass alone, arrays left lazy; not a budget, for the why)")
print(f"{'fixture':<20}{'bytes':>8} {'ours':>9} {'quick-xml':>9} {'cwmp':>9}  {'vs qx':>7} {'vs cwmp':>7} {'decode only':>11} {'vs qx':>7}")
for fx in fixtures:
    ours, n = mbps("decode", "cwmp-codec", fx)
    only, _ = mbps("decode", "cwmp-codec-decode-only", fx)
    qx, _ = mbps("decode", "quick-xml-tokenize", fx)
    cw, _ = mbps("decode", "cwmp-crate-parse", fx)
    r1, r2 = ratio(ours, qx), ratio(ours, cw)
    print(f"{fx:<20}{n or 0:>8} {fmt(ours)} {fmt(qx)} {fmt(cw)}  {rfmt(r1)} {rfmt(r2)} {fmt(only):>11} {rfmt(ratio(only, qx))}")
    if r1 is not None and r1 < 1.0:
        misses.append(f"decode {fx}: {r1:.2f}x quick-xml (budget >= 1.0x)")
    if r2 is not None and r2 < 20.0:
        misses.append(f"decode {fx}: {r2:.1f}x the cwmp crate (budget >= 20x)")

print()
print("Encode (into a reused Vec) and encoded_len vs cwmp::generate; MB/s of message bytes")
print(f"{'fixture':<20}{'bytes':>8} {'ours':>9} {'len pass':>9} {'cwmp':>9}  {'vs cwmp':>7} {'GB/s':>6}")
for fx in fixtures:
    ours, n = mbps("encode", "cwmp-codec", fx)
    lp, _ = mbps("encode", "cwmp-codec-encoded_len", fx)
    cw, _ = mbps("encode", "cwmp-crate-generate", fx)
    r = ratio(ours, cw)
    gb = None if ours is None else ours / 1000
    print(f"{fx:<20}{n or 0:>8} {fmt(ours)} {fmt(lp)} {fmt(cw)}  {rfmt(r)} {'   n/a' if gb is None else f'{gb:6.2f}'}")
    if gb is not None and gb < 1.5:
        misses.append(f"encode {fx}: {gb:.2f} GB/s (budget >= 1.5 GB/s, {1.5 / gb:.1f}x short)")
    if r is not None and r < 20.0:
        misses.append(f"encode {fx}: {r:.1f}x the cwmp crate (budget >= 20x)")

print()
if misses:
    print("Budgets missed:")
    for m in misses:
        print("  - " + m)
else:
    print("All budgets met.")
PY
