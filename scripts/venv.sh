# Sourced by the other scripts: make .venv and install a lock file into it once (again only
# when the locks change). The locks (requirements.lock, requirements-dev.lock) pin every package
# with its hashes and come from requirements*.txt through `make lock`; an install refuses to
# start when a requirements file pins something its lock does not (scripts/check_lock.py).
ensure_venv() {
    local lock="$1"
    local python="${PYTHON:-python3}"
    "$python" scripts/check_lock.py
    if [ ! -x .venv/bin/python ]; then
        echo "==> creating .venv"
        "$python" -m venv .venv
    fi
    local stamp=".venv/.installed-$(basename "$lock")"
    local wanted
    wanted="$(cat requirements*.lock | sha256sum | cut -d' ' -f1)"
    if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$wanted" ]; then
        echo "==> installing $lock (hashes checked)"
        .venv/bin/pip install --quiet --disable-pip-version-check --require-hashes -r "$lock"
        echo "$wanted" > "$stamp"
    fi
}

as_root() {
    if [ "$(id -u)" = "0" ]; then "$@"; elif command -v sudo >/dev/null; then sudo "$@"; else
        echo "need root to run: $*" >&2; return 1; fi
}

apt_install() {
    # apt_install PACKAGE...: install Debian packages, updating the lists once.
    if [ -z "${APT_UPDATED:-}" ]; then
        as_root env DEBIAN_FRONTEND=noninteractive apt-get update -qq
        APT_UPDATED=1
    fi
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >/dev/null
}

free_port() {
    .venv/bin/python -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}
