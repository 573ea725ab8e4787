#!/usr/bin/env bash
# `make run`: the product on its embedded default (SQLite, filesystem broker), on one machine.
# Creates the virtualenv, installs, migrates, seeds the demo, then runs web, worker and beat
# together. Ctrl-C stops all three.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/venv.sh

ensure_venv requirements.lock
export DJANGO_SETTINGS_MODULE=config.settings
PORT="${PORT:-8000}"
mkdir -p var/broker/queue var/broker/control var/cache

echo "==> migrating"
.venv/bin/python manage.py migrate --no-input
echo "==> seeding the demo"
.venv/bin/python manage.py seed_demo

pids=()
stop() {
    trap - INT TERM EXIT
    echo "==> stopping"
    kill -TERM "${pids[@]}" 2>/dev/null || true
    for _ in $(seq 40); do
        alive=0
        for pid in "${pids[@]}"; do kill -0 "$pid" 2>/dev/null && alive=1; done
        [ "$alive" = 0 ] && break
        sleep 0.25
    done
    kill -KILL "${pids[@]}" 2>/dev/null || true
    pkill -KILL -P "$$" 2>/dev/null || true
}
trap stop INT TERM EXIT

.venv/bin/celery -A config worker --loglevel=INFO --concurrency=2 --hostname="worker@%h" &
pids+=($!)
.venv/bin/celery -A config beat --loglevel=INFO --pidfile= &
pids+=($!)
.venv/bin/python manage.py runserver "127.0.0.1:${PORT}" &
pids+=($!)

echo "==> web http://127.0.0.1:${PORT}/admin/  docs http://127.0.0.1:${PORT}/api/v1/docs/  (Ctrl-C stops all)"
wait -n "${pids[@]}"
