#!/usr/bin/env bash
# Declares a project's public API from what Microsoft.CodeAnalysis.PublicApiAnalyzers report: symbols that are
# public but undeclared (RS0016) go into PublicAPI.Unshipped.txt, declared ones that are gone (RS0017) leave both
# files. Review the diff: the point of the files is that every change to the public API of Results, Engine and
# Gate is a visible decision. `--ship` then moves Unshipped into Shipped (at a release).
#   src/update-public-api.sh src/LoadBench.Engine [--ship]
set -euo pipefail
project_dir=${1:?usage: src/update-public-api.sh src/LoadBench.PROJECT [--ship]}
shipped="$project_dir/PublicAPI.Shipped.txt"; unshipped="$project_dir/PublicAPI.Unshipped.txt"
for f in "$shipped" "$unshipped"; do [ -f "$f" ] || echo '#nullable enable' > "$f"; done

# Writes "#nullable enable" and then the sorted, unique symbols of stdin into $1.
write_api() { { echo '#nullable enable'; { grep -v '^#nullable' || true; } | sed '/^$/d' | LC_ALL=C sort -u; } > "$1.tmp"; mv "$1.tmp" "$1"; }

if [ "${2:-}" = --ship ]; then
  cat "$shipped" "$unshipped" | write_api "$shipped"; echo '#nullable enable' > "$unshipped"
else
  log=$(dotnet build "$project_dir" -c Release -nologo -v quiet 2>&1 || true)
  added=$(sed -n "s/.*RS0016: Symbol '\(.*\)' is not part of the declared public API.*/\1/p" <<<"$log" | sort -u)
  gone=$(sed -n "s/.*RS0017: Symbol '\(.*\)' is part of the declared API, but is either not public or could not be found.*/\1/p" <<<"$log" | sort -u)
  drop_gone() { if [ -n "$gone" ]; then grep -vxF -f <(echo "$gone") || true; else cat; fi; }
  drop_gone < "$shipped" | write_api "$shipped"
  { drop_gone < "$unshipped"; echo "$added"; } | write_api "$unshipped"
fi
echo "$project_dir: $(grep -vc '^#nullable' "$shipped") shipped, $(grep -vc '^#nullable' "$unshipped") unshipped symbols"
