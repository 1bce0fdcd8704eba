#!/usr/bin/env bash
# The floor under any fan-out figure on this machine: N loopback TCP pairs in one C process, one 300-byte
# write to each sender, then every receiver read through epoll. No framework, no HTTP, no parsing: what is
# left is the kernel's cost per delivery. Usage: scenarios/bench/loopback-fanout-floor.sh [pairs, default 8000]
# (a pair takes two descriptors; one process may hold 20,000 here, so 8,000 pairs is about the most).
set -euo pipefail
cd "$(dirname "$0")"
out="$(mktemp -d)"
trap 'rm -rf "$out"' EXIT
gcc -O2 -o "$out/floor" loopback-fanout-floor.c
"$out/floor" "${1:-8000}"
