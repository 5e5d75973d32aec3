# bench/service.sh - sourced: how deploy/holdfast-worker.service runs the worker, read from the
# unit itself so that a bench measures what is shipped. Sets SERVICE_ENV (the malloc settings)
# and SERVICE_HEAP (the -Xms/-Xmx options).
SERVICE=$(dirname "${BASH_SOURCE[0]}")/../deploy/holdfast-worker.service
read -r -a SERVICE_ENV <<< "$(sed -n 's/^Environment=\(MALLOC_.*\)/\1/p' "$SERVICE")"
read -r -a SERVICE_HEAP <<< "$(grep '^ExecStart=' "$SERVICE" | grep -o -- '-Xm[sx][0-9]*[kmg]' | tr '\n' ' ')"
if [ ${#SERVICE_ENV[@]} -eq 0 ] || [ ${#SERVICE_HEAP[@]} -eq 0 ]; then
  echo "cannot read $SERVICE" >&2
  exit 1
fi
