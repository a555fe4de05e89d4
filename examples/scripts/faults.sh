#!/usr/bin/env bash
# Fault injection over real sockets (issue 13, item 7): 10,000 seeded Sessions of a CPE loop
# through a fault-injecting TCP proxy to the ACS server, with reboots and torn record writes.
# Prints sessions run, faults injected, events raised and delivered, duplicates beyond Table 8
# and events lost (must be 0); exits non-zero otherwise.
#
#   bash examples/scripts/faults.sh [SESSIONS] [SEED] [SHARDS]
set -euo pipefail
cd "$(dirname "$0")/../.."
exec nice -n 19 cargo run --quiet --locked -p cwmp-examples --example faults -- "${1:-10000}" "${2:-1}" "${3:-4}"
