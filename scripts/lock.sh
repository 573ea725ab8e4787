#!/usr/bin/env bash
# `make lock`: regenerate requirements.lock and requirements-dev.lock (every package, transitive
# ones too, pinned with the hashes of its files) from requirements.txt and requirements-dev.txt.
# Run it after changing either file (and when merging branches that did). It resolves against
# PyPI only: this machine's pip configuration (find-links, local indexes, constraints) is ignored,
# so the locks install the same anywhere.
set -euo pipefail
cd "$(dirname "$0")/.."

ensure_tools() {
    if [ ! -x .venv/bin/pip-compile ]; then
        [ -x .venv/bin/python ] || "${PYTHON:-python3}" -m venv .venv
        .venv/bin/pip install --quiet "$(grep -oE '^pip-tools==[^ #]+' requirements-dev.txt)"
    fi
}

compile() {
    # compile OUTPUT INPUT [EXTRA ARGS]
    local output="$1" input="$2"
    shift 2
    echo "==> $input -> $output"
    env -u PIP_FIND_LINKS -u PIP_EXTRA_INDEX_URL -u PIP_INDEX_URL -u PIP_CONSTRAINT \
        PIP_CONFIG_FILE=/dev/null \
        .venv/bin/pip-compile --quiet --generate-hashes --allow-unsafe --strip-extras \
        --no-emit-index-url --no-emit-find-links \
        --pip-args "--isolated" \
        --output-file "$output" "$@" "$input"
}

ensure_tools
# Runtime first; the dev lock is constrained to it, so both install the same runtime versions.
compile requirements.lock requirements.txt "$@"
compile requirements-dev.lock requirements-dev.txt --constraint requirements.lock "$@"
"${PYTHON:-python3}" scripts/check_lock.py
