#!/usr/bin/env bash
# Create or update .venv in the checkout from requirements.lock.
# Sourced by start.sh and test.sh; safe to run again (a second run only checks a stamp).
set -euo pipefail

KIT_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VENV="$KIT_ROOT/.venv"
UV_VERSION="0.13.9"

pick_python() {
    # /usr/bin/python3 first: a venv built from it is readable by every user of a shared hub.
    for candidate in "${PYTHON:-}" /usr/bin/python3 python3 python3.11; do
        [ -n "$candidate" ] || continue
        if command -v "$candidate" >/dev/null 2>&1 &&
            "$candidate" -c 'import sys, venv, ensurepip; sys.exit(sys.version_info < (3, 11))' 2>/dev/null; then
            command -v "$candidate"
            return 0
        fi
    done
    return 1
}

ensure_venv() {
    if [ -x "$VENV/bin/python" ]; then
        return 0
    fi
    local py
    if ! py="$(pick_python)"; then
        if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
            echo "cadrekit: 安装 python3-venv（Debian 软件包）…" >&2
            apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3 python3-venv >/dev/null
            py="$(pick_python)" || { echo "cadrekit: 需要 Python >= 3.11 及 venv 模块" >&2; exit 1; }
        else
            echo "cadrekit: 需要 Python >= 3.11 及 venv 模块。Debian 上请以 root 运行: apt-get install python3-venv" >&2
            exit 1
        fi
    fi
    echo "cadrekit: 用 $py 创建 $VENV" >&2
    "$py" -m venv "$VENV"
}

lock_digest() {
    cat "$KIT_ROOT/requirements.lock" "$KIT_ROOT/pyproject.toml" | sha256sum | cut -d' ' -f1
}

ensure_packages() {
    local stamp="$VENV/.cadrekit-lock" digest
    digest="$(lock_digest)"
    if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$digest" ]; then
        return 0
    fi
    if ! "$VENV/bin/python" -m uv --version 2>/dev/null | grep -q "$UV_VERSION"; then
        "$VENV/bin/python" -m pip install -q --disable-pip-version-check "uv==$UV_VERSION"
    fi
    echo "cadrekit: 按 requirements.lock 安装依赖…" >&2
    # Bytecode compiled now: on a hub the venv is read-only for trainees, so their kernels could
    # never cache it and would compile every import from source at each start.
    "$VENV/bin/python" -m uv pip install -q --compile-bytecode --python "$VENV/bin/python" \
        -r "$KIT_ROOT/requirements.lock"
    "$VENV/bin/python" -m uv pip install -q --python "$VENV/bin/python" --no-deps -e "$KIT_ROOT"
    "$VENV/bin/python" -m compileall -q "$KIT_ROOT/src" >/dev/null
    "$VENV/bin/cadrekit" lab-defaults
    echo "$digest" >"$stamp"
}

ensure_venv
ensure_packages
