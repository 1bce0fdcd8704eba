#!/usr/bin/env bash
# Renders loadbench.conf.template into an nginx configuration for one proxy in front of LoadBench replicas.
#   deploy/nginx/render.sh --listen 127.0.0.1:8080 --prefix /tmp/lb-nginx --upstream 127.0.0.1:5081 --upstream 127.0.0.1:5082 [--workers 6] [--config NAME]
# NAME is a configuration beside this script, NAME.conf.template (default: loadbench, the push-ready one; the others
# show proxy pitfalls). The engine renders the same templates itself for a scenario's "via"; this script is for you.
# writes PREFIX/nginx.conf (and makes PREFIX); start it with: nginx -p PREFIX -c PREFIX/nginx.conf
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
listen=""; prefix=""; workers=6; upstreams=(); config=loadbench
while [ $# -gt 0 ]; do
  case "$1" in
    --listen) listen="$2"; shift 2 ;;
    --prefix) prefix="$2"; shift 2 ;;
    --upstream) upstreams+=("$2"); shift 2 ;;
    --workers) workers="$2"; shift 2 ;;
    --config) config="$2"; shift 2 ;;
    *) echo "render.sh: unknown option $1" >&2; exit 2 ;;
  esac
done
if [ -z "$listen" ] || [ -z "$prefix" ] || [ ${#upstreams[@]} = 0 ]; then
  echo "render.sh: needs --listen HOST:PORT, --prefix DIR and at least one --upstream HOST:PORT" >&2; exit 2
fi
host_port='^[]A-Za-z0-9.:[-]+:[0-9]+$'
for u in "${upstreams[@]}" "$listen"; do
  [[ "$u" =~ $host_port ]] || { echo "render.sh: '$u' is not HOST:PORT" >&2; exit 2; }
done
[[ "$workers" =~ ^[1-9][0-9]*$ ]] || { echo "render.sh: --workers must be a whole number ≥ 1" >&2; exit 2; }
[[ "$prefix" =~ ^/[A-Za-z0-9._/-]*$ ]] || { echo "render.sh: --prefix must be an absolute path of plain characters" >&2; exit 2; }
[[ "$config" =~ ^[a-z0-9-]+$ ]] && [ -f "$here/$config.conf.template" ] || {
  echo "render.sh: no configuration '$config' (there are: $(cd "$here" && ls *.conf.template | sed 's/.conf.template//' | tr '\n' ' '))" >&2; exit 2; }
mkdir -p "$prefix"
servers=""
for u in "${upstreams[@]}"; do
  # One failure takes a dead replica out for 2 s; nginx then tries it again.
  servers+="        server $u max_fails=1 fail_timeout=2s;\n"
done
sed -e "s|@LISTEN@|$listen|g" -e "s|@PREFIX@|$prefix|g" -e "s|@WORKERS@|$workers|g" \
    -e "s|@UPSTREAMS@|${servers%\\n}|" "$here/$config.conf.template" > "$prefix/nginx.conf"
echo "$prefix/nginx.conf"
