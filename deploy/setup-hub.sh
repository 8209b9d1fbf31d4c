#!/usr/bin/env bash
# Stand up or maintain the cadrekit JupyterHub on one Debian server (run as root; safe to re-run).
#
#   bash deploy/setup-hub.sh install                 install or update the hub (kit, venv, groups, exchange, service)
#   bash deploy/setup-hub.sh add-course USER         make USER an instructor with the course folder ~USER/<course>
#   bash deploy/setup-hub.sh add-trainees ROSTER [PREFIX]
#                                                    Unix accounts for every 学号 of the roster (.xlsx/.csv)
#   bash deploy/setup-hub.sh run                     run the hub in the foreground as the systemd unit does
#                                                    (for machines without systemd)
#
# Settings (environment, or /etc/cadrekit/hub.env once installed): CADREKIT_COURSE, CADREKIT_EXCHANGE,
# CADREKIT_INSTRUCTOR_GROUP, CADREKIT_TRAINEE_GROUP, CADREKIT_PREFIX (where the kit goes).
set -euo pipefail

SOURCE="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
ENV_FILE="${CADREKIT_HUB_ENV-/etc/cadrekit/hub.env}"  # set it empty to ignore the file (tests do)

setting() {
    # KEY from the environment, else from hub.env (read, not sourced: values may hold any character), else DEFAULT
    local key="$1" default="$2" value="${!1:-}"
    if [ -z "$value" ] && [ -n "$ENV_FILE" ] && [ -f "$ENV_FILE" ]; then
        value="$(sed -n "s/^$key=//p" "$ENV_FILE" | tail -n 1)"
    fi
    echo "${value:-$default}"
}

PREFIX="$(setting CADREKIT_PREFIX /opt/cadrekit)"
COURSE="$(setting CADREKIT_COURSE lunxun)"
EXCHANGE="$(setting CADREKIT_EXCHANGE /srv/nbgrader/exchange)"
INSTRUCTORS="$(setting CADREKIT_INSTRUCTOR_GROUP cadrekit-instructors)"
TRAINEES="$(setting CADREKIT_TRAINEE_GROUP cadrekit-trainees)"
STATE="$(setting CADREKIT_HUB_STATE /var/lib/cadrekit-hub)"
# How the hub runs: the systemd unit and `run` share these.
HUB_PATH="$PREFIX/.venv/bin:/usr/local/bin:/usr/bin:/bin"
HUB_COMMAND=("$PREFIX/.venv/bin/jupyterhub" -f "$PREFIX/deploy/jupyterhub_config.py")

chp_version() {
    # configurable-http-proxy 5 needs Node.js 20; Debian 12's own nodejs is 18.
    local major
    major="$(node -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0)"
    if [ "$major" -ge 20 ]; then echo 5.3.0; else echo 4.6.3; fi
}

say() { echo "cadrekit: $*" >&2; }
die() { say "$*"; exit 1; }

need_root() {
    [ "$(id -u)" = 0 ] || die "请以 root 运行（sudo bash $0 $*）"
}

# -- install -------------------------------------------------------------------------------
install_system_packages() {
    local missing=()
    /usr/bin/python3 -c 'import venv, ensurepip' 2>/dev/null || missing+=(python3 python3-venv)
    command -v npm >/dev/null 2>&1 || missing+=(nodejs npm)  # keep a Node.js that is already there
    [ -f /etc/ssl/certs/ca-certificates.crt ] || missing+=(ca-certificates)  # pip and npm download over HTTPS
    if [ "${#missing[@]}" != 0 ]; then
        say "安装系统软件包：${missing[*]}"
        # Without recommends: npm would otherwise bring a C compiler, git and node-tap the hub never uses.
        apt-get update -qq || die "apt-get update 失败；请检查网络和 /etc/apt/sources.list 后重试"
        DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null ||
            die "安装系统软件包失败（错误信息见上方）；请检查网络和软件源后重试"
    fi
    if ! command -v configurable-http-proxy >/dev/null 2>&1; then
        say "安装 configurable-http-proxy（npm）"
        npm install -g --loglevel=error --no-fund --no-audit "configurable-http-proxy@$(chp_version)" >/dev/null ||
            die "npm 安装 configurable-http-proxy 失败（错误信息见上方）；请检查能否访问 npm 软件源（registry.npmjs.org）后重试"
    fi
}

install_kit() {
    # The venv is built from /usr/bin/python3 (scripts/setup.sh prefers it): a Python under a
    # private home would be unreadable for every other user.
    if [ "$SOURCE" != "$PREFIX" ]; then
        say "复制 cadrekit 到 $PREFIX"
        mkdir -p "$PREFIX"
        tar -C "$SOURCE" --exclude=./.venv --exclude=./.git --exclude=./.cadrekit --exclude=./test-artifacts \
            --exclude=./.pytest_cache --exclude=./.ruff_cache --exclude=./grading/gradebook.db -cf - . |
            tar -C "$PREFIX" -xf -
    fi
    PYTHON=/usr/bin/python3 bash "$PREFIX/scripts/setup.sh" ||
        die "建立虚拟环境 $PREFIX/.venv 失败（错误信息见上方）；请检查能否访问 PyPI 后重试"
    chmod -R a+rX "$PREFIX"
    chmod 0755 "$PREFIX"
}

install_groups_and_folders() {
    groupadd -f "$INSTRUCTORS"
    groupadd -f "$TRAINEES"
    install -d -m 0755 "$(dirname "$EXCHANGE")"
    install -d -m 1777 "$EXCHANGE"
    chmod 1777 "$EXCHANGE"
    install -d -m 0700 "$STATE"
    install -d -m 0755 /etc/jupyter /etc/cadrekit
    install -m 0644 "$PREFIX/deploy/nbgrader_config.py" /etc/jupyter/nbgrader_config.py
    # New homes private: useradd reads HOME_MODE, adduser reads DIR_MODE.
    if grep -q '^HOME_MODE' /etc/login.defs; then
        sed -i 's/^HOME_MODE.*/HOME_MODE\t0700/' /etc/login.defs
    else
        printf 'HOME_MODE\t0700\n' >>/etc/login.defs
    fi
    if [ -f /etc/adduser.conf ]; then
        sed -i 's/^#\?DIR_MODE=.*/DIR_MODE=0700/' /etc/adduser.conf
    fi
}

write_settings() {
    if [ ! -f "$ENV_FILE" ]; then
        install -m 0600 /dev/null "$ENV_FILE"
        cat >"$ENV_FILE" <<EOF
# cadrekit hub settings (read by the cadrekit-hub service and deploy/setup-hub.sh)
CADREKIT_PREFIX=$PREFIX
CADREKIT_COURSE=$COURSE
CADREKIT_EXCHANGE=$EXCHANGE
CADREKIT_INSTRUCTOR_GROUP=$INSTRUCTORS
CADREKIT_TRAINEE_GROUP=$TRAINEES
CADREKIT_HUB_STATE=$STATE
CADREKIT_BIND_URL=http://:8000
CADREKIT_MEM_LIMIT=1G
CADREKIT_IDLE_TIMEOUT=3600
# Internal ports on 127.0.0.1 (change only if another program already uses them):
# CADREKIT_HUB_BIND_URL=http://127.0.0.1:8081
# CADREKIT_PROXY_API_URL=http://127.0.0.1:8001
# CADREKIT_SSL_CERT=/etc/cadrekit/hub.crt
# CADREKIT_SSL_KEY=/etc/cadrekit/hub.key
# CADREKIT_GRADEBOOK=postgresql://cadrekit:密码@127.0.0.1/cadrekit   (only instructors' servers get it)
EOF
        say "已写入 $ENV_FILE（按需修改后 systemctl restart cadrekit-hub）"
    fi
}

install_service() {
    cat >/etc/systemd/system/cadrekit-hub.service <<EOF
[Unit]
Description=cadrekit JupyterHub
After=network.target

[Service]
User=root
WorkingDirectory=$STATE
EnvironmentFile=$ENV_FILE
Environment=PATH=$HUB_PATH
ExecStart=${HUB_COMMAND[*]}
Restart=on-failure

[Install]
WantedBy=multi-user.target
EOF
    if [ -d /run/systemd/system ]; then
        systemctl daemon-reload
        systemctl enable cadrekit-hub >/dev/null
        systemctl restart cadrekit-hub
        say "cadrekit-hub 已启动：systemctl status cadrekit-hub"
    else
        say "本机没有运行 systemd，未启动服务；请在前台运行（读取 $ENV_FILE 中的设置）：bash $PREFIX/deploy/setup-hub.sh run"
    fi
}

cmd_install() {
    need_root install
    install_system_packages
    install_kit
    install_groups_and_folders
    write_settings
    install_service
    say "完成。下一步：bash $PREFIX/deploy/setup-hub.sh add-course <教员用户名>"
}

cmd_run() {
    # The hub in the foreground with the unit's environment, for machines without systemd (containers, chroots).
    need_root run
    [ -f "$ENV_FILE" ] || die "没有设置文件 $ENV_FILE；请先运行 bash $0 install"
    local line
    while IFS= read -r line || [ -n "$line" ]; do  # systemd's EnvironmentFile: KEY=VALUE lines, # comments
        line="${line#"${line%%[![:space:]]*}"}"
        case "$line" in '' | '#'* | ';'*) continue ;; esac
        if [[ "$line" =~ ^[A-Za-z_][A-Za-z0-9_]*= ]]; then
            export "${line%%=*}=${line#*=}"
        fi
    done <"$ENV_FILE"
    export PATH="$HUB_PATH"
    cd "$STATE"
    exec "${HUB_COMMAND[@]}"
}

# -- add-course ----------------------------------------------------------------------------
home_of() { getent passwd "$1" | cut -d: -f6; }

cmd_add_course() {
    need_root add-course
    local user="${1:?用法：setup-hub.sh add-course <教员用户名>}"
    if ! id "$user" >/dev/null 2>&1; then
        useradd -m -s /bin/bash "$user"
        say "已创建用户 $user；请运行 passwd $user 设置密码"
    fi
    groupadd -f "$INSTRUCTORS"
    usermod -aG "$INSTRUCTORS" "$user"
    local home course
    home="$(home_of "$user")"
    chmod 0700 "$home"
    course="$home/$COURSE"
    if [ ! -d "$course" ]; then
        install -d -o "$user" -g "$(id -gn "$user")" -m 0700 "$course"
        cp -r "$PREFIX/grading/nbgrader_config.py" "$PREFIX/grading/exams" "$PREFIX/grading/source" "$course/"
        chown -R "$user:$(id -gn "$user")" "$course"
        say "课程文件夹：$course（考试源文件、考试配置、nbgrader_config.py）"
    else
        say "课程文件夹已存在，未改动：$course"
    fi
    say "$user 为教员。重启 hub 后生效：systemctl restart cadrekit-hub"
}

# -- add-trainees --------------------------------------------------------------------------
cmd_add_trainees() {
    need_root add-trainees
    local roster="${1:?用法：setup-hub.sh add-trainees <名单.xlsx|名单.csv> [用户名前缀]}" prefix="${2:-}"
    local python="$PREFIX/.venv/bin/python" stamp accounts
    stamp="$(date +%Y%m%d-%H%M%S)"
    accounts="${CADREKIT_ACCOUNTS_DIR:-/root}/cadrekit-accounts-$stamp.csv"
    groupadd -f "$TRAINEES"
    install -m 0600 /dev/null "$accounts"
    echo "学号,用户名,姓名,初始密码" >"$accounts"
    local list id name user password created=0
    list="$(mktemp)"
    if ! "$python" - "$roster" >"$list" <<'EOF'; then
import sys
from pathlib import Path

from cadrekit.roster import RosterError, read_roster

try:
    trainees = read_roster(Path(sys.argv[1]))
except RosterError as exc:
    for problem in exc.problems:
        print(f"{exc.path}: {problem}", file=sys.stderr)
    sys.exit(1)
for trainee in trainees:
    print(f"{trainee.id}\t{trainee.name}")
EOF
        rm -f "$list"
        die "名单有问题，未创建任何账号；请修改后重试。"
    fi
    while IFS=$'\t' read -r id name; do  # check every name before creating any account
        user="$(echo "$prefix$id" | tr '[:upper:]' '[:lower:]')"
        if ! [[ "$user" =~ ^[a-z_][a-z0-9_-]{0,31}$ ]]; then
            rm -f "$list"
            die "学号 $id 不能直接作 Unix 用户名（须以字母开头）；请加前缀重试，例如：setup-hub.sh add-trainees $roster xy"
        fi
    done <"$list"
    while IFS=$'\t' read -r id name; do
        user="$(echo "$prefix$id" | tr '[:upper:]' '[:lower:]')"
        if ! id "$user" >/dev/null 2>&1; then
            useradd -m -s /bin/bash -c "$name" "$user"
            password="$("$python" -c 'import secrets; print(secrets.token_urlsafe(9))')"
            echo "$user:$password" | chpasswd
            echo "$id,$user,$name,$password" >>"$accounts"
            created=$((created + 1))
        fi
        usermod -aG "$TRAINEES" "$user"
        chmod 0700 "$(home_of "$user")"
    done <"$list"
    rm -f "$list"
    say "新建账号 $created 个；账号与初始密码见 $accounts（仅 root 可读，发给学员后请删除）"
    if [ -n "$prefix" ]; then
        say "用户名带前缀 $prefix：导入成绩库前，请把名单的学号列改成用户名（见 $accounts）"
    fi
    say "重启 hub 后学员即可登录：systemctl restart cadrekit-hub"
}

case "${1:-install}" in
    install) cmd_install ;;
    add-course) shift; cmd_add_course "$@" ;;
    add-trainees) shift; cmd_add_trainees "$@" ;;
    run) cmd_run ;;
    *) die "未知的命令 $1；可用：install、add-course、add-trainees、run" ;;
esac
