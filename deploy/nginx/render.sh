#!/usr/bin/env bash
# Renders loadbench.conf.template into an nginx configuration for one proxy in front of LoadBench replicas.
#   deploy/nginx/render.sh --listen 127.0.0.1:8080 --prefix /tmp/lb-nginx --upstream 127.0.0.1:5081 --upstream 127.0.0.1:5082 [--workers 6] [--config NAME]
#                          [--ssl-certificate CERT.pem --ssl-certificate-key KEY.pem] [--http2]
# NAME is a configuration beside this script, NAME.conf.template (default: loadbench, the push-ready one; the others
# show proxy pitfalls). The engine renders the same templates itself for a scenario's "via"; this script is for you.
# --ssl-certificate/--ssl-certificate-key serve TLS and --http2 HTTP/2 (with TLS by ALPN, without it cleartext h2 by
# prior knowledge only) on the client ↔ nginx leg; nginx still speaks HTTP/1.x to the upstreams.
# writes PREFIX/nginx.conf (and makes PREFIX); start it with: nginx -p PREFIX -c PREFIX/nginx.conf
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
listen=""; prefix=""; workers=6; upstreams=(); config=loadbench; certificate=""; key=""; http2=false
while [ $# -gt 0 ]; do
  case "$1" in
    --listen) listen="$2"; shift 2 ;;
    --prefix) prefix="$2"; shift 2 ;;
    --upstream) upstreams+=("$2"); shift 2 ;;
    --workers) workers="$2"; shift 2 ;;
    --config) config="$2"; shift 2 ;;
    --ssl-certificate) certificate="$2"; shift 2 ;;
    --ssl-certificate-key) key="$2"; shift 2 ;;
    --http2) http2=true; shift ;;
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
if [ -n "$certificate$key" ]; then
  [ -n "$certificate" ] && [ -n "$key" ] || { echo "render.sh: TLS needs both --ssl-certificate and --ssl-certificate-key" >&2; exit 2; }
  for f in "$certificate" "$key"; do
    [[ "$f" =~ ^/[A-Za-z0-9._/-]*$ ]] || { echo "render.sh: '$f' must be an absolute path of plain characters" >&2; exit 2; }
  done
fi
mkdir -p "$prefix"
# The client leg: ssl and http2 on the listen line, their directives in place of @CLIENT_LEG@ (the same lines the
# engine's NginxConfigurations.Render writes; 1000 streams is a scenario's streamsPerConnection at most).
flags=""; leg=""
if [ -n "$certificate" ]; then
  flags+=" ssl"
  leg+="        ssl_certificate $certificate;\n        ssl_certificate_key $key;\n        ssl_protocols TLSv1.2 TLSv1.3;\n"
fi
if [ "$http2" = true ]; then
  flags+=" http2"
  leg+="        http2_max_concurrent_streams 1000;\n"
fi
if [ -n "$leg" ]; then leg_edit="s|^@CLIENT_LEG@\$|${leg%\\n}|"; else leg_edit="/^@CLIENT_LEG@\$/d"; fi
servers=""
for u in "${upstreams[@]}"; do
  # One failure takes a dead replica out for 2 s; nginx then tries it again.
  servers+="        server $u max_fails=1 fail_timeout=2s;\n"
done
sed -e "s|@LISTEN@|$listen$flags|g" -e "$leg_edit" -e "s|@PREFIX@|$prefix|g" -e "s|@WORKERS@|$workers|g" \
    -e "s|@UPSTREAMS@|${servers%\\n}|" "$here/$config.conf.template" > "$prefix/nginx.conf"
echo "$prefix/nginx.conf"
