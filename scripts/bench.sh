#!/usr/bin/env bash
# `make bench ARGS="NAME [options]"`: run bench/NAME.py against real PostgreSQL and Redis,
# started like the test command's (throwaway, loopback) unless DATABASE_URL / REDIS_URL are set.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/venv.sh
source scripts/services.sh

ensure_venv requirements-dev.lock
# wrk (a C load generator) loads HTTP endpoints without taking the CPU from the server.
command -v wrk >/dev/null 2>&1 || { echo "==> installing wrk"; apt_install wrk; }
start_services
export DJANGO_SETTINGS_MODULE=config.settings
# Production-like: DEBUG off (no query log), plain HTTP on loopback.
export DEBUG=0 SECURE_SSL_REDIRECT=0 ALLOWED_HOSTS="localhost,127.0.0.1,testserver"
export SECRET_KEY="${SECRET_KEY:-$(.venv/bin/python -c 'import secrets; print(secrets.token_urlsafe(50))')}"
.venv/bin/python -m bench "$@"
