#!/usr/bin/env bash
# `make test`: the whole test suite against a real PostgreSQL 15 and Redis.
# Creates the virtualenv and installs; runs ruff (lint and format check) first; starts throwaway servers on loopback unless
# DATABASE_URL / REDIS_URL are set; installs Debian's chromium for the browser tests when
# missing; runs pytest (arguments are passed on) and names the folder of the browser flows'
# screenshots; stops the servers, also on failure.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/venv.sh
source scripts/services.sh

ensure_venv requirements-dev.lock
echo "==> ruff check and ruff format --check"
.venv/bin/ruff check .
.venv/bin/ruff format --check .
if [ ! -x /usr/bin/chromium ]; then
    echo "==> installing chromium for the browser tests"
    apt_install chromium
fi
# wrk loads gunicorn in the benchmarks' smoke run (tests/bench).
command -v wrk >/dev/null 2>&1 || { echo "==> installing wrk"; apt_install wrk; }
start_services

export DJANGO_SETTINGS_MODULE=config.settings
unset SECRET_KEY DEBUG
export SCREENSHOT_DIR="${SCREENSHOT_DIR:-$PWD/var/screenshots}"
status=0
.venv/bin/python -m pytest "$@" || status=$?
if compgen -G "$SCREENSHOT_DIR/*.png" >/dev/null; then
    echo "==> screenshots of the browser flows' last pages: $SCREENSHOT_DIR"
fi
exit "$status"
