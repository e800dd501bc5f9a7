#!/usr/bin/env bash
# The web role (the Procfile's `web`): nginx on $PORT in front of gunicorn on a private unix socket.
#
# gunicorn's gthread worker hands a connection to a thread as soon as its first bytes arrive, and
# the thread then blocks until the request is complete: a hundred clients trickling their headers
# park every thread and the server stops answering. nginx reads each request whole (headers
# within WEB_HEADER_TIMEOUT seconds, the body with at most WEB_BODY_TIMEOUT seconds between reads)
# before passing it on, so gunicorn's threads only ever see complete requests.
#
# Settings (environment): PORT (8000), WEB_HOST (0.0.0.0), WEB_CONCURRENCY (3 gunicorn processes),
# WEB_THREADS (16 per process), WEB_HEADER_TIMEOUT (10), WEB_BODY_TIMEOUT (10),
# WEB_MAX_CONNECTIONS (1024 client connections held by nginx), IMAGE_MAX_UPLOAD_BYTES (the body
# limit, plus 512 KB), TRUSTED_PROXY_COUNT (proxies in front of this server; nginx adds itself).
set -euo pipefail
cd "$(dirname "$0")/.."

NGINX=${NGINX:-$(command -v nginx || echo /usr/sbin/nginx)}
[ -x "$NGINX" ] || { echo "web: nginx is not installed (run scripts/nginx.sh)" >&2; exit 1; }

run=$(mktemp -d "${TMPDIR:-/tmp}/photomania-web.XXXXXX")
chmod 755 "$run"  # nginx's workers may run as another user: they reach the socket through it

outer_proxies=${TRUSTED_PROXY_COUNT:-0}
# With a proxy in front, X-Forwarded-Proto is that proxy's; without one, it is this connection's
# own scheme (a client's header is overwritten, so it cannot claim HTTPS).
case "${SECURE_PROXY_SSL_HEADER:-}" in
  [Tt]rue|1|[Yy]es|[Oo]n) forwarded_proto='$http_x_forwarded_proto' ;;
  *) if [ "$outer_proxies" -gt 0 ]; then forwarded_proto='$http_x_forwarded_proto'; else forwarded_proto='$scheme'; fi ;;
esac
max_connections=${WEB_MAX_CONNECTIONS:-1024}
sed -e "s|@RUN@|$run|g" \
    -e "s|@HOST@|${WEB_HOST:-0.0.0.0}|" \
    -e "s|@PORT@|${PORT:-8000}|" \
    -e "s|@NGINX_WORKERS@|${WEB_NGINX_WORKERS:-1}|" \
    -e "s|@NGINX_CONNECTIONS@|$max_connections|" \
    -e "s|@NGINX_FILES@|$((max_connections * 2 + 64))|" \
    -e "s|@HEADER_TIMEOUT@|${WEB_HEADER_TIMEOUT:-10}|" \
    -e "s|@BODY_TIMEOUT@|${WEB_BODY_TIMEOUT:-10}|" \
    -e "s|@MAX_BODY@|$(( ${IMAGE_MAX_UPLOAD_BYTES:-15728640} + 524288 ))|" \
    -e "s|@FORWARDED_PROTO@|$forwarded_proto|" \
    scripts/nginx.conf.template > "$run/nginx.conf"

# nginx is one more proxy in front of the app: the client's address is one hop further back, and
# X-Forwarded-Proto (set or passed on by nginx, above) is believed.
export TRUSTED_PROXY_COUNT=$((outer_proxies + 1))

gunicorn photomania.wsgi --config gunicorn.conf.py --bind "unix:$run/gunicorn.sock" \
  --workers "${WEB_CONCURRENCY:-3}" --worker-class gthread --threads "${WEB_THREADS:-16}" \
  --access-logfile - &
gunicorn_pid=$!
"$NGINX" -c "$run/nginx.conf" -p "$run" -e stderr &
nginx_pid=$!

stop() {
  trap - TERM INT
  kill -TERM "$gunicorn_pid" 2>/dev/null || true  # graceful: finishes the requests in flight
  kill -QUIT "$nginx_pid" 2>/dev/null || true     # graceful: closes idle connections, then exits
  wait "$gunicorn_pid" "$nginx_pid" 2>/dev/null || true
  rm -rf "$run"
}
trap 'stop; exit 0' TERM INT
# Either one exiting on its own takes the other down: the platform restarts the role.
status=0
wait -n "$gunicorn_pid" "$nginx_pid" || status=$?
echo "web: $([ -d /proc/$gunicorn_pid ] && echo nginx || echo gunicorn) exited (status $status)" >&2
stop
exit "$status"
