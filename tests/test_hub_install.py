"""deploy/setup-hub.sh install, end to end, on a fresh Debian 12 root (slow: several minutes, needs root).

The administrator's path of deploy/README.md, for real, in a throwaway root made with
``debootstrap --variant=minbase bookworm`` from the mirror this machine's apt uses:

1. the checkout is copied to /root/cadrekit in that root (as ``git clone`` would leave it) and
   ``bash /root/cadrekit/deploy/setup-hub.sh install`` runs inside it as root: apt installs Python's
   venv, Node.js and npm, npm installs configurable-http-proxy, the kit goes to /opt/cadrekit with a
   venv built from that root's /usr/bin/python3, and /etc/cadrekit/hub.env, the nbgrader config and
   the systemd unit are written;
2. ``add-course`` makes an instructor (whose password is then set, as README tells the administrator),
   ``add-trainees`` creates trainees from a roster with all-digit 学号 and a username prefix;
3. the hub is started the way the installed systemd unit starts it (ExecStart, WorkingDirectory,
   EnvironmentFile and Environment parsed from the unit), after the administrator's kind of edit
   to hub.env that moves it to free loopback ports;
4. over HTTP, as a browser: trainee and instructor log in through the PAM login form with their
   passwords, their servers spawn as their own Unix users inside the root, formgrader answers the
   instructor, and the trainee is refused on the instructor's server;
5. the permissions the README promises are checked on disk, and ``install`` runs a second time.

The root shares this machine's network (so it needs the Debian, PyPI and npm registries, as the
README says). What the machine needs to reach them is carried over as an administrator on the
same network would set it up: /etc/resolv.conf, the locally added CA certificates
(/usr/local/share/ca-certificates) and the variables that point TLS clients at the system bundle.
Everything started inside the root is killed and every mount is removed at the end, also on failure.
"""

from __future__ import annotations

import contextlib
import http.cookiejar
import json
import os
import re
import secrets
import shlex
import shutil
import signal
import subprocess
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from .conftest import KIT, require
from .servers import free_port, running

pytestmark = pytest.mark.timeout(1800)  # slow: debootstrap, apt, npm and a venv from PyPI (~5 minutes)

SUITE = "bookworm"
PREFIX = "/opt/cadrekit"  # setup-hub.sh defaults, as README describes them
ENV_FILE = "/etc/cadrekit/hub.env"
UNIT = "/etc/systemd/system/cadrekit-hub.service"
EXCHANGE = "/srv/nbgrader/exchange"
COURSE = "lunxun"
INSTRUCTOR = "jiaoyuan1"
USER_PREFIX = "xy"  # README: all-digit 学号 get a prefix
ROSTER = (("20260001", "张红"), ("20260002", "李明"))
ARTIFACTS = KIT / "test-artifacts" / "hub-install"
PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"  # root's login PATH on Debian
TLS_VARIABLES = ("SSL_CERT_FILE", "SSL_CERT_DIR", "REQUESTS_CA_BUNDLE", "PIP_CERT", "CURL_CA_BUNDLE",
                 "NODE_EXTRA_CA_CERTS")
EXCLUDED = (".venv", ".git", ".cadrekit", "test-artifacts", ".pytest_cache", ".ruff_cache", "gradebook.db")


# -- the mirror ---------------------------------------------------------------------------------
def apt_mirror(sources: Path = Path("/etc/apt")) -> str | None:
    """The first enabled ``deb`` source of this machine's apt that serves ``bookworm main``."""
    files = [sources / "sources.list"] if (sources / "sources.list").is_file() else []
    part = sources / "sources.list.d"
    if part.is_dir():
        files += sorted(p for p in part.iterdir() if p.suffix in (".list", ".sources"))
    for path in files:
        text = path.read_text(encoding="utf-8", errors="replace")
        if path.suffix == ".sources":
            for paragraph in re.split(r"\n\s*\n", text):
                fields: dict[str, str] = {}
                for line in paragraph.splitlines():
                    if line.strip() and not line.lstrip().startswith("#") and ":" in line and line[0] not in " \t":
                        key, value = line.split(":", 1)
                        fields[key.strip().lower()] = value.strip()
                if (fields.get("enabled", "yes").lower() != "no" and "deb" in fields.get("types", "").split()
                        and SUITE in fields.get("suites", "").split() and "main" in fields.get("components", "").split()
                        and fields.get("uris")):
                    return fields["uris"].split()[0]
        else:
            for line in text.splitlines():
                words = re.sub(r"\[[^]]*\]", " ", line.split("#", 1)[0]).split()
                if len(words) >= 4 and words[0] == "deb" and words[2] == SUITE and "main" in words[3:]:
                    return words[1]
    return None


# -- the root -----------------------------------------------------------------------------------
@dataclass
class Root:
    path: Path
    logs: Path
    timings: dict[str, float] = field(default_factory=dict)
    mounts: list[Path] = field(default_factory=list)

    def __truediv__(self, inside: str) -> Path:
        return self.path / inside.lstrip("/")

    def env(self) -> list[str]:
        """A root login shell's environment, plus the machine's TLS trust settings."""
        pairs = {"PATH": PATH, "HOME": "/root", "USER": "root", "LOGNAME": "root", "LANG": "C.UTF-8"}
        pairs.update({k: os.environ[k] for k in TLS_VARIABLES if os.environ.get(k, "").startswith("/etc/ssl/")})
        return [f"{k}={v}" for k, v in pairs.items()]

    def run(self, *command: str, phase: str, check: bool = True, timeout: float = 900) -> subprocess.CompletedProcess:
        """Run ``command`` as root inside the root; its output goes to <phase>.log, its duration to timings."""
        started = time.monotonic()
        result = subprocess.run(["chroot", str(self.path), "/usr/bin/env", "-i", *self.env(), *command],
                                capture_output=True, text=True, timeout=timeout)
        self.timings[phase] = round(time.monotonic() - started, 1)
        (self.logs / f"{phase}.log").write_text(f"$ {shlex.join(command)}\n{result.stdout}\n{result.stderr}",
                                                encoding="utf-8")
        if check and result.returncode != 0:
            raise AssertionError(f"{command} failed ({result.returncode}) in {phase}:\n"
                                 f"{result.stdout[-3000:]}\n{result.stderr[-4000:]}")
        return result

    def mount(self, *args: str, target: str) -> None:
        where = self / target
        where.mkdir(parents=True, exist_ok=True)
        subprocess.run(["mount", *args, str(where)], check=True, capture_output=True)
        self.mounts.append(where)
        if "--bind" in args:  # nothing mounted or unmounted under it may reach this machine's own /dev
            subprocess.run(["mount", "--make-rslave", str(where)], check=True, capture_output=True)

    def passwd(self) -> dict[str, tuple[int, str]]:
        """user -> (uid, home) from the root's own /etc/passwd."""
        entries = {}
        for line in (self / "/etc/passwd").read_text(encoding="utf-8").splitlines():
            name, _pw, uid, _gid, _gecos, home, _shell = line.split(":")
            entries[name] = (int(uid), home)
        return entries

    def group_members(self, group: str) -> list[str]:
        for line in (self / "/etc/group").read_text(encoding="utf-8").splitlines():
            name, _pw, _gid, members = line.split(":")
            if name == group:
                return sorted(m for m in members.split(",") if m)
        raise AssertionError(f"no group {group} in the root's /etc/group")

    def processes(self) -> list[int]:
        """Processes whose root directory is this root (everything started inside it)."""
        inside = []
        for proc in Path("/proc").iterdir():
            if proc.name.isdigit():
                with contextlib.suppress(OSError):
                    root = os.readlink(proc / "root")
                    if root == str(self.path) or root.startswith(f"{self.path}/"):
                        inside.append(int(proc.name))
        return inside

    def kill_all(self) -> None:
        for attempt in range(50):
            pids = self.processes()
            if not pids:
                return
            for pid in pids:
                with contextlib.suppress(ProcessLookupError):
                    os.kill(pid, signal.SIGTERM if attempt < 10 else signal.SIGKILL)
            time.sleep(0.2)

    def still_mounted(self) -> list[str]:
        mounted = []
        for line in Path("/proc/self/mountinfo").read_text().splitlines():
            point = line.split()[4].replace("\\040", " ")
            if point == str(self.path) or point.startswith(f"{self.path}/"):
                mounted.append(point)
        return mounted

    def unmount_all(self) -> None:
        for where in reversed(self.mounts):
            if subprocess.run(["umount", "-R", str(where)], capture_output=True).returncode != 0:
                subprocess.run(["umount", "-R", "-l", str(where)], capture_output=True)
        for point in sorted(self.still_mounted(), key=len, reverse=True):  # e.g. mounted by a package script
            subprocess.run(["umount", "-l", point], capture_output=True)


@contextlib.contextmanager
def fresh_root(base: Path, mirror: str, logs: Path, timings: dict[str, float]) -> Iterator[Root]:
    """A minimal Debian 12 from ``mirror``, ready for chroot; processes and mounts gone afterwards."""
    root = Root(base / "root", logs, timings)
    try:
        started = time.monotonic()
        result = subprocess.run(["debootstrap", "--variant=minbase", SUITE, str(root.path), mirror],
                                capture_output=True, text=True, timeout=900)
        root.timings["debootstrap"] = round(time.monotonic() - started, 1)
        (logs / "debootstrap.log").write_text(result.stdout + result.stderr, encoding="utf-8")
        assert result.returncode == 0, f"debootstrap failed:\n{result.stdout[-3000:]}\n{result.stderr[-3000:]}"
        root.mount("-t", "proc", "proc", target="/proc")
        root.mount("-t", "sysfs", "-o", "ro", "sysfs", target="/sys")
        root.mount("--bind", "/dev", target="/dev")
        root.mount("--bind", "/dev/pts", target="/dev/pts")
        if Path("/dev/shm").is_mount():
            root.mount("-t", "tmpfs", "-o", "mode=1777", "tmpfs", target="/dev/shm")
        shutil.copy("/etc/resolv.conf", root / "/etc/resolv.conf")
        local_cas = root / "/usr/local/share/ca-certificates"  # the site's CAs, added when ca-certificates installs
        local_cas.mkdir(parents=True, exist_ok=True)
        for cert in Path("/usr/local/share/ca-certificates").glob("*.crt"):
            shutil.copy(cert, local_cas / cert.name)
        yield root
    finally:
        started = time.monotonic()
        root.kill_all()
        root.unmount_all()
        timings["cleanup"] = round(time.monotonic() - started, 1)
        if left := root.still_mounted():
            # never delete through a mount: /dev inside the root is this machine's /dev
            raise AssertionError(f"still mounted, {root.path} kept: {left}")
        shutil.rmtree(base, ignore_errors=True)


def copy_checkout(root: Root, inside: str) -> None:
    """The checkout as ``git clone`` leaves it: no venv, caches or test output."""
    shutil.copytree(KIT, root / inside, ignore=shutil.ignore_patterns(*EXCLUDED, "__pycache__"), symlinks=True)


# -- the systemd unit ---------------------------------------------------------------------------
@dataclass
class Unit:
    exec_start: list[str]
    working_directory: str
    environment_file: str
    environment: dict[str, str]
    user: str


def read_unit(text: str) -> Unit:
    service: dict[str, list[str]] = {}
    section = ""
    for line in text.splitlines():
        line = line.strip()
        if line.startswith("[") and line.endswith("]"):
            section = line[1:-1]
        elif section == "Service" and "=" in line and not line.startswith(("#", ";")):
            key, value = line.split("=", 1)
            service.setdefault(key, []).append(value)
    environment = {}
    for value in service.get("Environment", []):
        for pair in shlex.split(value):
            key, val = pair.split("=", 1)
            environment[key] = val
    (exec_start,) = service["ExecStart"]
    (working_directory,) = service["WorkingDirectory"]
    (environment_file,) = service["EnvironmentFile"]
    return Unit(shlex.split(exec_start), working_directory, environment_file.lstrip("-"), environment,
                service.get("User", ["root"])[0])


def read_environment_file(text: str) -> dict[str, str]:
    """systemd's EnvironmentFile: KEY=VALUE lines, # and ; comments, optional quotes."""
    values = {}
    for line in text.splitlines():
        line = line.strip()
        if not line or line.startswith(("#", ";")) or "=" not in line:
            continue
        key, value = line.split("=", 1)
        value = value.strip()
        if len(value) >= 2 and value[0] == value[-1] and value[0] in "'\"":
            value = value[1:-1]
        values[key.strip()] = value
    return values


def set_in_env_file(path: Path, settings: dict[str, str]) -> None:
    """Edit hub.env as an administrator would: change a line, or add it."""
    lines = path.read_text(encoding="utf-8").splitlines()
    for key, value in settings.items():
        numbers = [n for n, line in enumerate(lines) if line.startswith(f"{key}=")]
        if numbers:
            lines[numbers[-1]] = f"{key}={value}"
        else:
            lines.append(f"{key}={value}")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def unit_environment(root: Root, unit: Unit) -> dict[str, str]:
    """The environment systemd gives the unit's process."""
    env = {"PATH": "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin", "LANG": "C.UTF-8"}  # systemd's own
    home = root.passwd()[unit.user][1]
    env.update({"HOME": home, "USER": unit.user, "LOGNAME": unit.user, "SHELL": "/bin/bash"})  # from User=
    env.update(read_environment_file((root / unit.environment_file).read_text(encoding="utf-8")))
    env.update(unit.environment)  # Environment= comes after EnvironmentFile= and wins
    return env


@contextlib.contextmanager
def hub_running(root: Root, argv: list[str], env: dict[str, str], cwd: str, port: int, log: Path) -> Iterator[str]:
    """Run ``argv`` in ``cwd`` inside the root with exactly ``env``; the hub's URL once /hub/api/ answers."""
    command = ["chroot", str(root.path), "/usr/bin/env", "-i", *[f"{k}={v}" for k, v in env.items()],
               "/bin/sh", "-c", 'cd "$0" && exec "$@"', cwd, *argv]
    with running(command, port=port, env={}, log=log, ready_path="/hub/api/", timeout=120) as hub:
        yield hub.url


def tail(log: Path) -> str:
    return log.read_text(encoding="utf-8", errors="replace")[-4000:]


# -- a browser ----------------------------------------------------------------------------------
class Browser:
    """Cookies and redirects, as a browser handles them; no token anywhere."""

    def __init__(self, hub: str):
        self.hub = hub
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar))

    def open(self, path: str, data: bytes | None = None,
             headers: dict[str, str] | None = None) -> tuple[int, str, str]:
        """(status, final URL, body) after following redirects."""
        request = urllib.request.Request(self.hub + path, data=data, headers=headers or {})
        try:
            with self.opener.open(request, timeout=120) as answer:
                return answer.status, answer.geturl(), answer.read().decode("utf-8", "replace")
        except urllib.error.HTTPError as exc:
            return exc.code, exc.geturl(), exc.read().decode("utf-8", "replace")

    def log_in(self, user: str, password: str) -> tuple[int, str]:
        """Submit the login form; (status, final URL)."""
        page = self.open("/hub/login")[2]
        xsrf = re.search(r'name="_xsrf" value="([^"]+)"', page).group(1)
        form = urllib.parse.urlencode({"username": user, "password": password, "_xsrf": xsrf}).encode("ascii")
        status, url, _ = self.open("/hub/login", form)
        return status, url

    def xsrf(self, path: str) -> dict[str, str]:
        """The header JupyterLab sends from the server's _xsrf cookie."""
        for cookie in self.jar:
            if cookie.name == "_xsrf" and path.startswith(cookie.path):
                return {"X-XSRFToken": cookie.value}
        return {}

    def api(self, user: str, path: str) -> tuple[int, object]:
        full = f"/user/{user}/{path}"
        status, _url, body = self.open(full, headers=self.xsrf(full))
        with contextlib.suppress(json.JSONDecodeError):
            return status, json.loads(body)
        return status, body

    def wait_for_lab(self, user: str, log: Path, timeout: float = 180) -> None:
        """Open the user's JupyterLab until it is there (the hub shows a spawn page meanwhile)."""
        deadline = time.monotonic() + timeout
        while True:
            status, url, _ = self.open(f"/user/{user}/lab")
            if status == 200 and urllib.parse.urlparse(url).path == f"/user/{user}/lab":
                return
            assert time.monotonic() < deadline, f"{user}'s server not ready ({status} {url}):\n{tail(log)}"
            time.sleep(1)


def server_processes(root: Root, uid: int) -> list[str]:
    """Command lines of jupyterhub-singleuser processes of ``uid`` running inside the root."""
    found = []
    for pid in root.processes():
        proc = Path(f"/proc/{pid}")
        with contextlib.suppress(OSError):
            cmdline = (proc / "cmdline").read_bytes().replace(b"\0", b" ").decode("utf-8", "replace")
            if "jupyterhub-singleuser" in cmdline and proc.stat().st_uid == uid:
                found.append(cmdline)
    return found


# -- the test -----------------------------------------------------------------------------------
@dataclass
class Site:
    root: Root
    install_output: str
    passwords: dict[str, str]  # username -> initial password from the accounts file

    @property
    def trainees(self) -> list[str]:
        return [f"{USER_PREFIX}{student}" for student, _name in ROSTER]


def check_prerequisites() -> str:
    require(hasattr(os, "geteuid") and os.geteuid() == 0, "debootstrap, chroot and mount need root")
    require(shutil.which("debootstrap") is not None,
            "debootstrap is not installed (bash scripts/system-deps.sh installs it as root)")
    require(all(shutil.which(t) for t in ("chroot", "mount", "umount")), "needs chroot, mount and umount")
    mirror = apt_mirror()
    require(mirror is not None, f"no apt source for {SUITE} main in /etc/apt/sources.list*")
    probe = Path(tempfile.mkdtemp(prefix="ck-mount-probe-"))
    try:
        mounted = subprocess.run(["mount", "-t", "tmpfs", "tmpfs", str(probe)], capture_output=True, text=True)
        require(mounted.returncode == 0, f"mounting is not allowed here: {mounted.stderr.strip()}")
        subprocess.run(["umount", str(probe)], check=True)
    finally:
        probe.rmdir()
    return mirror


@pytest.fixture(scope="module")
def site() -> Iterator[Site]:
    mirror = check_prerequisites()
    shutil.rmtree(ARTIFACTS, ignore_errors=True)
    ARTIFACTS.mkdir(parents=True)
    base = Path(tempfile.mkdtemp(prefix="ck-debian-", dir="/var/tmp"))
    timings: dict[str, float] = {}
    whole = time.monotonic()
    try:
        with fresh_root(base, mirror, ARTIFACTS, timings) as root:
            copy_checkout(root, "/root/cadrekit")
            install = root.run("bash", "/root/cadrekit/deploy/setup-hub.sh", "install", phase="install")
            root.run("bash", f"{PREFIX}/deploy/setup-hub.sh", "add-course", INSTRUCTOR, phase="add-course")
            (root / "/root/第三期名单.csv").write_text("学号,姓名,单位,社区/组织,类别\n" + "".join(
                f"{student},{name},东城街道,幸福里社区,社区党务干部\n" for student, name in ROSTER), encoding="utf-8")
            root.run("bash", f"{PREFIX}/deploy/setup-hub.sh", "add-trainees", "/root/第三期名单.csv", USER_PREFIX,
                     phase="add-trainees")
            (accounts,) = (root / "/root").glob("cadrekit-accounts-*.csv")
            assert accounts.stat().st_mode & 0o777 == 0o600
            rows = [line.split(",") for line in accounts.read_text(encoding="utf-8").splitlines()[1:]]
            passwords = {row[1]: row[3] for row in rows}
            yield Site(root, install.stdout + install.stderr, passwords)
    finally:
        timings["whole"] = round(time.monotonic() - whole, 1)
        report = json.dumps(timings, ensure_ascii=False)
        (ARTIFACTS / "timings.json").write_text(report + "\n", encoding="utf-8")
        print(f"\ncadrekit: setup-hub.sh on a fresh Debian root, seconds per phase: {report}")


def test_install_leaves_what_readme_promises(site: Site):
    root = site.root
    assert "安装系统软件包" in site.install_output  # a fresh root has none of them: apt ran
    assert "安装 configurable-http-proxy" in site.install_output
    assert (root / "/usr/local/bin/configurable-http-proxy").exists()
    cfg = (root / f"{PREFIX}/.venv/pyvenv.cfg").read_text(encoding="utf-8")
    assert re.search(r"^home = /usr/bin$", cfg, re.M), cfg  # built from the root's /usr/bin/python3
    version = root.run("/usr/bin/python3", "-c", "import sys; print(sys.version_info[:2])", phase="python").stdout
    assert version.strip() == "(3, 11)"
    assert (root / EXCHANGE).stat().st_mode & 0o7777 == 0o1777
    assert (root / ENV_FILE).stat().st_mode & 0o777 == 0o600
    assert (root / ENV_FILE).stat().st_uid == 0
    nbgrader = root / "/etc/jupyter/nbgrader_config.py"
    assert nbgrader.read_bytes() == (root / "/root/cadrekit/deploy/nbgrader_config.py").read_bytes()
    assert nbgrader.stat().st_mode & 0o777 == 0o644
    assert re.search(r"^HOME_MODE\s+0700$", (root / "/etc/login.defs").read_text(), re.M)
    assert (root / UNIT).is_file()
    accounts = root.passwd()
    assert root.group_members("cadrekit-instructors") == [INSTRUCTOR]
    assert root.group_members("cadrekit-trainees") == sorted(site.trainees)
    assert set(site.passwords) == set(site.trainees)
    for user in [INSTRUCTOR, *site.trainees]:
        home = root / accounts[user][1]
        assert home.stat().st_mode & 0o777 == 0o700, user
        assert home.stat().st_uid == accounts[user][0], user
    course = root / f"{accounts[INSTRUCTOR][1]}/{COURSE}"
    assert (course / "nbgrader_config.py").is_file() and (course / "exams").is_dir()
    assert course.stat().st_uid == accounts[INSTRUCTOR][0] and course.stat().st_mode & 0o777 == 0o700
    trainee = site.trainees[0]
    imported = root.run("runuser", "-u", trainee, "--", f"{PREFIX}/.venv/bin/python", "-c",
                        "import cadrekit, os; print(os.getuid(), cadrekit.__file__)", phase="import-as-trainee")
    uid, where = imported.stdout.split()
    assert int(uid) == accounts[trainee][0] and where.startswith(f"{PREFIX}/src/cadrekit/")
    refused = root.run("runuser", "-u", trainee, "--", "cat", ENV_FILE, phase="hub-env-as-trainee", check=False)
    assert refused.returncode != 0 and "Permission denied" in refused.stderr  # settings may hold a password


def test_hub_from_the_systemd_unit_serves_trainees_and_the_instructor(site: Site):
    root = site.root
    unit = read_unit((root / UNIT).read_text(encoding="utf-8"))
    assert unit.environment_file == ENV_FILE and unit.user == "root"
    ports = {key: free_port() for key in ("public", "hub", "proxy")}
    set_in_env_file(root / ENV_FILE, {  # the administrator's edit; the test's ports are free ones
        "CADREKIT_BIND_URL": f"http://127.0.0.1:{ports['public']}",
        "CADREKIT_HUB_BIND_URL": f"http://127.0.0.1:{ports['hub']}",
        "CADREKIT_PROXY_API_URL": f"http://127.0.0.1:{ports['proxy']}",
    })
    instructor_password = secrets.token_urlsafe(12)  # README: "再用 passwd 设密码"
    chpasswd = subprocess.run(["chroot", str(root.path), "chpasswd"], input=f"{INSTRUCTOR}:{instructor_password}\n",
                              text=True, capture_output=True)
    assert chpasswd.returncode == 0, chpasswd.stderr
    started = time.monotonic()
    log = root.logs / "hub.log"
    with hub_running(root, unit.exec_start, unit_environment(root, unit), unit.working_directory, ports["public"],
                     log) as hub:
        root.timings["hub ready"] = round(time.monotonic() - started, 1)
        trainee, other = site.trainees
        intruder = Browser(hub)
        assert intruder.log_in(trainee, site.passwords[trainee] + "x")[0] == 403  # PAM really checks
        assert intruder.log_in(trainee, site.passwords[other])[0] == 403

        student = Browser(hub)
        status, url = student.log_in(trainee, site.passwords[trainee])
        assert status == 200 and "/hub/login" not in url, (status, url, tail(log))
        student.wait_for_lab(trainee, log)
        status, answer = student.api(trainee, "api/status")
        assert status == 200 and "started" in answer, answer
        uid = root.passwd()[trainee][0]
        assert server_processes(root, uid), f"no server of {trainee} (uid {uid}) inside the root"
        assert student.api(trainee, "formgrader/api/status")[0] == 404  # trainees have no formgrader
        root.timings["trainee login to server"] = round(time.monotonic() - started - root.timings["hub ready"], 1)

        teacher = Browser(hub)
        status, url = teacher.log_in(INSTRUCTOR, instructor_password)
        assert status == 200 and "/hub/login" not in url, (status, url, tail(log))
        teacher.wait_for_lab(INSTRUCTOR, log)
        assert server_processes(root, root.passwd()[INSTRUCTOR][0])
        status, answer = teacher.api(INSTRUCTOR, "formgrader/api/status")
        assert status == 200, answer
        status, _url, page = teacher.open(f"/user/{INSTRUCTOR}/formgrader")
        assert status == 200 and "formgrader" in page.lower()

        # the trainee on the instructor's server: the hub refuses to authorize it (the pages go through OAuth)
        assert student.open(f"/user/{INSTRUCTOR}/lab")[0] == 403
        assert student.open(f"/user/{INSTRUCTOR}/formgrader")[0] == 403
        assert student.api(INSTRUCTOR, "formgrader/api/status")[0] == 403
        assert teacher.open(f"/user/{trainee}/lab")[0] == 403  # nor the instructor on a trainee's


def test_install_again_is_quick_and_keeps_the_settings(site: Site):
    root = site.root
    set_in_env_file(root / ENV_FILE, {"CADREKIT_IDLE_TIMEOUT": "5400"})
    edited = (root / ENV_FILE).read_bytes()
    apt_history = (root / "/var/log/apt/history.log").read_bytes()
    again = root.run("bash", "/root/cadrekit/deploy/setup-hub.sh", "install", phase="install-again")
    output = again.stdout + again.stderr
    assert root.timings["install-again"] < 60, output
    assert (root / ENV_FILE).read_bytes() == edited
    assert (root / ENV_FILE).stat().st_mode & 0o777 == 0o600
    assert (root / "/var/log/apt/history.log").read_bytes() == apt_history  # nothing installed again
    assert "安装系统软件包" not in output and "按 requirements.lock 安装依赖" not in output, output
    assert "setup-hub.sh run" in output  # no systemd here: told how to run it in the foreground
    trainee = site.trainees[0]
    root.run("runuser", "-u", trainee, "--", f"{PREFIX}/.venv/bin/python", "-c", "import cadrekit",
             phase="import-after-update")


def test_run_starts_the_hub_with_the_settings_of_hub_env(site: Site):
    """Without systemd, install points to ``setup-hub.sh run``: it must read hub.env as the unit does."""
    root = site.root
    ports = {key: free_port() for key in ("public", "hub", "proxy")}
    set_in_env_file(root / ENV_FILE, {
        "CADREKIT_BIND_URL": f"http://127.0.0.1:{ports['public']}",  # only hub.env says where to listen
        "CADREKIT_HUB_BIND_URL": f"http://127.0.0.1:{ports['hub']}",
        "CADREKIT_PROXY_API_URL": f"http://127.0.0.1:{ports['proxy']}",
    })
    admin = dict(pair.split("=", 1) for pair in root.env())
    command = ["bash", f"{PREFIX}/deploy/setup-hub.sh", "run"]
    with hub_running(root, command, admin, "/root", ports["public"], root.logs / "hub-run.log") as hub:
        status, url, page = Browser(hub).open("/hub/login")
        assert status == 200 and url.endswith("/hub/login") and 'name="_xsrf"' in page


def test_apt_mirror_reads_both_source_formats(tmp_path: Path):
    """How the test finds the mirror for debootstrap (runs everywhere, no root needed)."""
    (tmp_path / "sources.list.d").mkdir()
    (tmp_path / "sources.list.d" / "other.sources").write_text(
        "Types: deb\nURIs: http://security.example/debian-security\nSuites: bookworm-security\nComponents: main\n\n"
        "Enabled: no\nTypes: deb\nURIs: http://disabled.example/debian\nSuites: bookworm\nComponents: main\n",
        encoding="utf-8")
    (tmp_path / "sources.list.d" / "ignored.list.disabled").write_text(
        "deb http://ignored.example/debian bookworm main\n", encoding="utf-8")
    assert apt_mirror(tmp_path) is None
    (tmp_path / "sources.list.d" / "debian.sources").write_text(
        "Types: deb deb-src\n# URIs: http://commented.example/debian\nURIs: http://mirror.example/debian\n"
        "Suites: bookworm bookworm-updates\nComponents: main contrib\nSigned-By: /usr/share/keyrings/x.gpg\n",
        encoding="utf-8")
    assert apt_mirror(tmp_path) == "http://mirror.example/debian"
    (tmp_path / "sources.list").write_text(
        "# deb http://old.example/debian bookworm main\ndeb-src http://src.example/debian bookworm main\n"
        "deb [arch=amd64 signed-by=/k.gpg] http://list.example/debian bookworm main non-free\n", encoding="utf-8")
    assert apt_mirror(tmp_path) == "http://list.example/debian"  # sources.list is read first, as apt does
