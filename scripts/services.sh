# Sourced by test.sh and bench.sh: start a throwaway PostgreSQL and Redis on loopback unless
# DATABASE_URL / REDIS_URL are given, and stop them on exit (also on failure). PostgreSQL is the
# machine's (15 on the project's machines) when installed, else the embedded one (scripts/postgres.sh).

SERVICES_DIR=""
REDIS_PID=""

source scripts/postgres.sh

start_postgres() {
    # The machine's PostgreSQL when it has one, else the embedded one from the virtualenv.
    system_pg_bin || embedded_pg_bin
    pg_account
    [ -z "$PG_USER" ] || chown "$PG_USER" "$SERVICES_DIR"
    pg_reachable "$SERVICES_DIR"
    local port
    port="$(free_port)"
    run_as_pg "$PG_BIN/initdb" -D "$SERVICES_DIR/pg" -U postgres --auth=trust -E UTF8 --no-sync >/dev/null
    run_as_pg "$PG_BIN/pg_ctl" -D "$SERVICES_DIR/pg" -l "$SERVICES_DIR/pg.log" -w -t 60 \
        -o "-p $port -k $SERVICES_DIR -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=300 -c shared_buffers=256MB" \
        start >/dev/null
    run_as_pg "$PG_BIN/createdb" -h 127.0.0.1 -p "$port" -U postgres coach
    export DATABASE_URL="postgres://postgres@127.0.0.1:$port/coach"
    echo "==> PostgreSQL $(pg_version) on 127.0.0.1:$port"
}

start_redis() {
    if ! command -v redis-server >/dev/null 2>&1; then
        echo "==> installing redis-server"
        apt_install redis-server
    fi
    local port
    port="$(free_port)"
    redis-server --port "$port" --bind 127.0.0.1 --save "" --appendonly no \
        --dir "$SERVICES_DIR" --logfile "$SERVICES_DIR/redis.log" &
    REDIS_PID=$!
    for _ in $(seq 50); do
        redis-cli -p "$port" ping >/dev/null 2>&1 && break
        sleep 0.1
    done
    export REDIS_URL="redis://127.0.0.1:$port/0"
    echo "==> Redis $(redis-server --version | awk '{print $3}') on 127.0.0.1:$port"
}

stop_services() {
    if [ -n "$PG_BIN" ] && [ -d "$SERVICES_DIR/pg" ]; then
        run_as_pg "$PG_BIN/pg_ctl" -D "$SERVICES_DIR/pg" -m immediate stop >/dev/null 2>&1 || true
    fi
    if [ -n "$REDIS_PID" ]; then
        kill "$REDIS_PID" 2>/dev/null || true
        wait "$REDIS_PID" 2>/dev/null || true
    fi
    [ -n "$SERVICES_DIR" ] && rm -rf "$SERVICES_DIR"
}

start_services() {
    SERVICES_DIR="$(mktemp -d /tmp/coach-services.XXXXXX)"
    chmod 755 "$SERVICES_DIR"
    trap stop_services EXIT
    trap 'exit 130' INT TERM
    [ -n "${DATABASE_URL:-}" ] || start_postgres
    [ -n "${REDIS_URL:-}" ] || start_redis
}
