#!/usr/bin/env bash
# System packages the tests need: PostgreSQL (gradebook tests), Chromium and CJK fonts (browser
# tests), configurable-http-proxy from npm (multi-user hub test), debootstrap (deploy/setup-hub.sh
# install on a fresh Debian root: tests/test_hub_install.py).
# As root (CI runs as root) installs what is missing; otherwise prints what is missing and goes on.
# Safe to run again: when everything is present it changes nothing and touches no network.
set -euo pipefail

APT_PACKAGES=(postgresql chromium fonts-noto-cjk debootstrap)

chp_version() {
    # configurable-http-proxy 5 needs Node.js 20; Debian 12's own nodejs is 18.
    local major
    major="$(node -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0)"
    if [ "$major" -ge 20 ]; then echo 5.3.0; else echo 4.6.3; fi
}

missing_apt_packages() {
    local package
    for package in "${APT_PACKAGES[@]}"; do
        dpkg-query -W -f='${Status}\n' "$package" 2>/dev/null | grep -q "install ok installed" || echo "$package"
    done
    command -v npm >/dev/null 2>&1 || echo npm
}

install_apt() {
    echo "cadrekit: apt-get install $*" >&2
    apt-get -o DPkg::Lock::Timeout=600 update -qq
    DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600 install -y -qq "$@" >/dev/null
}

install_chp() {
    echo "cadrekit: npm install -g configurable-http-proxy@$(chp_version)" >&2
    npm install -g --silent --no-fund --no-audit "configurable-http-proxy@$(chp_version)" >/dev/null
}

main() {
    local missing
    mapfile -t missing < <(missing_apt_packages)
    local need_chp=0
    command -v configurable-http-proxy >/dev/null 2>&1 || need_chp=1
    if [ "${#missing[@]}" = 0 ] && [ "$need_chp" = 0 ]; then
        return 0
    fi
    if [ "$(id -u)" != 0 ] || ! command -v apt-get >/dev/null 2>&1; then
        echo "cadrekit: 缺少系统软件包（相关测试将跳过）：${missing[*]:-} $([ "$need_chp" = 1 ] && echo configurable-http-proxy)" >&2
        echo "cadrekit: 请管理员以 root 运行 bash scripts/system-deps.sh 安装。" >&2
        return 0
    fi
    if [ "${#missing[@]}" != 0 ]; then
        install_apt "${missing[@]}"
    fi
    if [ "$need_chp" = 1 ]; then
        install_chp
    fi
}

main
