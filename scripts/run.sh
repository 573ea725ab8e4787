#!/usr/bin/env bash
# `make run`: the product on its embedded default, on one machine: the embedded PostgreSQL
# (from the virtualenv; data in var/pgdata, kept across runs, reached only through a unix socket
# in that folder) and a Celery broker that keeps its queue in files under var/broker.
# Creates the virtualenv, installs, starts the database, migrates, seeds the demo, then runs web,
# worker and beat together. Ctrl-C stops all of them and the database.
# With DATABASE_URL set it uses that database instead and starts none.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/venv.sh
source scripts/postgres.sh

ensure_venv requirements.lock
export DJANGO_SETTINGS_MODULE=config.settings
PORT="${PORT:-8000}"
# The settings read the same folder: with no DATABASE_URL they connect to the socket in its pgdata.
export VAR_DIR="${VAR_DIR:-$PWD/var}"
PGDATA_DIR="$VAR_DIR/pgdata"
mkdir -p "$VAR_DIR/broker/queue" "$VAR_DIR/broker/control" "$VAR_DIR/cache"

start_embedded_postgres() {
    embedded_pg_bin
    pg_account
    mkdir -p "$PGDATA_DIR"
    chmod 700 "$PGDATA_DIR"
    [ -z "$PG_USER" ] || chown -R "$PG_USER" "$PGDATA_DIR"
    pg_reachable "$PGDATA_DIR"
    if [ "${#PGDATA_DIR}" -gt 90 ]; then
        echo "$PGDATA_DIR is too long a path for PostgreSQL's socket: set VAR_DIR to a shorter folder." >&2
        return 1
    fi
    if [ ! -f "$PGDATA_DIR/PG_VERSION" ]; then
        echo "==> creating the database in $PGDATA_DIR"
        run_as_pg "$PG_BIN/initdb" -D "$PGDATA_DIR" -U postgres --auth=trust -E UTF8 >/dev/null
    fi
    if ! run_as_pg "$PG_BIN/pg_ctl" -D "$PGDATA_DIR" status >/dev/null; then
        # No TCP at all: only the socket in the (owner-only) data folder.
        run_as_pg "$PG_BIN/pg_ctl" -D "$PGDATA_DIR" -l "$PGDATA_DIR/server.log" -w -t 60 \
            -o "-c listen_addresses='' -c unix_socket_directories='$PGDATA_DIR' -c unix_socket_permissions=0700" \
            start >/dev/null
    fi
    if [ -z "$(run_as_pg "$PG_BIN/psql" -h "$PGDATA_DIR" -U postgres -d postgres -tAc \
        "SELECT 1 FROM pg_database WHERE datname = 'coach'")" ]; then
        run_as_pg "$PG_BIN/createdb" -h "$PGDATA_DIR" -U postgres coach
    fi
    echo "==> PostgreSQL $(pg_version) (embedded), data and socket in $PGDATA_DIR"
}

stop_embedded_postgres() {
    [ -n "$PG_BIN" ] || return 0
    run_as_pg "$PG_BIN/pg_ctl" -D "$PGDATA_DIR" -m fast -w -t 30 stop >/dev/null 2>&1 || true
}

pids=()
stop() {
    # Runs to the end even when the terminal or a pipe reading the output is already gone.
    trap - INT TERM HUP EXIT
    trap '' PIPE
    set +e
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
    stop_embedded_postgres
}
trap stop INT TERM HUP EXIT

[ -n "${DATABASE_URL:-}" ] || start_embedded_postgres
echo "==> migrating"
.venv/bin/python manage.py migrate --no-input
echo "==> seeding the demo"
.venv/bin/python manage.py seed_demo

.venv/bin/celery -A config worker --loglevel=INFO --concurrency=2 --hostname="worker@%h" &
pids+=($!)
.venv/bin/celery -A config beat --loglevel=INFO --pidfile= &
pids+=($!)
.venv/bin/python manage.py runserver "127.0.0.1:${PORT}" &
pids+=($!)

echo "==> web http://127.0.0.1:${PORT}/admin/  docs http://127.0.0.1:${PORT}/api/v1/docs/  (Ctrl-C stops all)"
wait -n "${pids[@]}"
