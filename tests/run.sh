#!/usr/bin/env bash
# The test command (README, .ci/run). Works on a fresh machine: installs what the tests need, builds,
# runs every test project, and ends with one plain line "N passed, N failed" summed from the TRX files.
set -euo pipefail
cd "$(dirname "$0")/.."

as_root() {
  if [ "$(id -u)" = 0 ]; then "$@"
  elif command -v sudo >/dev/null 2>&1; then sudo "$@"
  else echo "tests/run.sh: installing needs root or sudo: $*" >&2; echo "0 passed, 1 failed"; exit 1
  fi
}

# Debian packages the tests use: chromium (the demo page's browser test), fonts and fontconfig (ScottPlot
# draws text through Skia), nats-server and nginx (below). Installed only when missing; apt-get needs its lists
# fetched first.
missing=()
command -v chromium >/dev/null 2>&1 || missing+=(chromium)
[ -e /usr/share/fonts/truetype/dejavu/DejaVuSans.ttf ] || missing+=(fonts-dejavu-core)
# dpkg, not ldconfig: ldconfig is in /usr/sbin, off a normal user's PATH, and `ldconfig -p | grep -q` can
# fail under pipefail when grep exits first.
dpkg -s libfontconfig1 >/dev/null 2>&1 || missing+=(libfontconfig1)
# nats-server (JetStream) and nginx: the load-agent and scaled-out feed tests start their own on loopback ports,
# with their own configuration in a temp folder, never the system service. Debian puts them in /usr/sbin, off a
# normal user's PATH.
PATH="$PATH:/usr/sbin"
command -v nats-server >/dev/null 2>&1 || missing+=(nats-server)
command -v nginx >/dev/null 2>&1 || missing+=(nginx)
if [ ${#missing[@]} -gt 0 ]; then
  echo "tests/run.sh: installing ${missing[*]}"
  as_root apt-get update -qq
  DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi
if [ "${CI:-}" = true ]; then
  # Under CI a missing tool is a failure said loudly here, not a surprise deep inside a test.
  for tool in nats-server nginx; do
    command -v "$tool" >/dev/null 2>&1 || { echo "tests/run.sh: $tool is missing after installing it" >&2; echo "0 passed, 1 failed"; exit 1; }
  done
fi

results_dir="$(pwd)/TestResults"
rm -rf "$results_dir"
if ! dotnet build LoadBench.sln -c Release -nologo -v quiet; then
  # CI reads one closing line: a build that breaks is a failure, said the same way.
  echo "0 passed, 1 failed"
  exit 1
fi
status=0
dotnet test LoadBench.sln -c Release --no-build -nologo \
  --logger "trx" --logger "console;verbosity=normal" --results-directory "$results_dir" \
  --blame-hang-timeout 8m || status=$?

# dotnet test prints one summary per project; CI reads one line, so sum the TRX counters ourselves.
passed=0; failed=0; files=0
for trx in "$results_dir"/*.trx; do
  [ -e "$trx" ] || continue
  files=$((files + 1))
  counters=$(grep -o '<Counters [^>]*>' "$trx" | head -n 1 || true)
  p=$(sed -n 's/.* passed="\([0-9]*\)".*/\1/p' <<<"$counters"); f=$(sed -n 's/.* failed="\([0-9]*\)".*/\1/p' <<<"$counters")
  e=$(sed -n 's/.* error="\([0-9]*\)".*/\1/p' <<<"$counters"); t=$(sed -n 's/.* timeout="\([0-9]*\)".*/\1/p' <<<"$counters")
  a=$(sed -n 's/.* aborted="\([0-9]*\)".*/\1/p' <<<"$counters")
  passed=$((passed + ${p:-0})); failed=$((failed + ${f:-0} + ${e:-0} + ${t:-0} + ${a:-0}))
done
if [ "$files" = 0 ] || { [ "$status" != 0 ] && [ "$failed" = 0 ]; }; then
  # The run broke before or beside the tests (build, crash, hang): never report that as green.
  failed=$((failed + 1))
fi
echo "$passed passed, $failed failed"
[ "$failed" = 0 ]
