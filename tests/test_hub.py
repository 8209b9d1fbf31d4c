"""The shipped hub configuration end to end: real Unix users, configurable-http-proxy, JupyterHub.

Throwaway Unix users (an instructor and three trainees from a roster) and Unix groups are created
the administrator's way, with deploy/setup-hub.sh add-course and add-trainees; JupyterHub runs
deploy/jupyterhub_config.py on 127.0.0.1 (free ports) with LocalProcessSpawner. Everything
then goes over HTTP as the users would: the instructor generates and releases the quiz exam in
formgrader, each trainee fetches it from the Assignments service, answers through the sidecar
file (written with the contents API, as the widgets would) and submits; the instructor collects
and grades with ``cadrekit grade``, then generates and releases feedback in formgrader, and each
trainee fetches it from the Assignments service. Then: exact scores, in the gradebook and in
each trainee's feedback, no key in feedback, 403 for a trainee's token on other servers and on
formgrader, Unix permissions that keep submissions, feedback, the instructor's course folder and
the gradebook away from other trainees, and a password login through PAM. Users and processes
are removed also on failure.
"""

from __future__ import annotations

import contextlib
import html
import http.cookiejar
import json
import os
import pwd
import re
import secrets
import shutil
import signal
import struct
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from cadrekit.bank.model import Item

from .conftest import KIT, require
from .servers import call, free_port, running
from .test_assessment import expected_quiz_score, keys_of, planned_response

BIN = Path(sys.executable).parent
COURSE = "lunxun"
EXAM = "sanhui-exam"
PLANS = ("t001", "t002", "t003")  # answer plans of tests/test_assessment.py, one per trainee


# -- Unix users --------------------------------------------------------------------------------
@dataclass
class Accounts:
    suffix: str = field(default_factory=lambda: secrets.token_hex(3))
    users: list[str] = field(default_factory=list)
    groups: list[str] = field(default_factory=list)

    @property
    def instructor(self) -> str:
        return f"ck-inst-{self.suffix}"

    @property
    def trainees(self) -> list[str]:
        return [f"ck-t{n}-{self.suffix}" for n in (1, 2, 3)]

    @property
    def instructor_group(self) -> str:
        return f"cki-{self.suffix}"

    @property
    def trainee_group(self) -> str:
        return f"ckt-{self.suffix}"

    def create(self, kit: Path, env: dict[str, str], folder: Path) -> dict[str, str]:
        """Accounts made the administrator's way (deploy/setup-hub.sh); trainees' initial passwords."""
        self.users = [self.instructor, *self.trainees]  # known first: removed even if creation stops midway
        self.groups = [self.instructor_group, self.trainee_group]
        setup = kit / "deploy" / "setup-hub.sh"
        sh("bash", setup, "add-course", self.instructor, env=env)
        roster = folder / "名单.csv"
        names = ("张红", "李明", "王芳")
        roster.write_text("学号,姓名,单位,社区/组织,类别\n" + "".join(
            f"{t},{n},东城街道,幸福里社区,社区党务干部\n" for t, n in zip(self.trainees, names, strict=True)),
            encoding="utf-8")
        sh("bash", setup, "add-trainees", roster, env=env)
        accounts = next(folder.glob("cadrekit-accounts-*.csv")).read_text(encoding="utf-8").splitlines()[1:]
        return {row.split(",")[1]: row.split(",")[3] for row in accounts}

    def remove(self) -> None:
        uids = {pwd.getpwnam(u).pw_uid for u in self.users if exists(u)}
        kill_processes_of(uids)
        for user in self.users:
            subprocess.run(["userdel", "-r", user], capture_output=True)
        for group in self.groups:
            subprocess.run(["groupdel", group], capture_output=True)


def sh(*args: str | Path, user: str | None = None, env: dict[str, str] | None = None,
       check: bool = True) -> subprocess.CompletedProcess:
    command = [str(a) for a in args]
    if user:
        command = ["runuser", "-u", user, "--", "env", *[f"{k}={v}" for k, v in (env or {}).items()], *command]
    # As a user: from their home, as after a login (the test's own folder may be closed to them).
    result = subprocess.run(command, capture_output=True, text=True, timeout=300, cwd=home(user) if user else None,
                            env=None if user else {**os.environ, **(env or {})})
    if check and result.returncode != 0:
        raise AssertionError(f"{command} failed ({result.returncode}):\n"
                             f"{result.stdout[-3000:]}\n{result.stderr[-3000:]}")
    return result


def exists(user: str) -> bool:
    try:
        pwd.getpwnam(user)
    except KeyError:
        return False
    return True


def home(user: str) -> Path:
    return Path(pwd.getpwnam(user).pw_dir)


def kill_processes_of(uids: set[int]) -> None:
    """Kill, by process id, what still runs as the throwaway users (servers the hub left behind)."""
    for _ in range(20):
        pids = [int(p.name) for p in Path("/proc").iterdir() if p.name.isdigit() and owner(p) in uids]
        if not pids:
            return
        for pid in pids:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
        time.sleep(0.2)


def owner(proc: Path) -> int | None:
    try:
        return proc.stat().st_uid
    except OSError:
        return None


def readable_by_others(path: Path) -> str | None:
    """The first folder on the way to ``path`` that other users cannot enter, if any."""
    for folder in [*reversed(path.parents), path]:
        if not folder.stat().st_mode & 0o001:
            return str(folder)
    return None


# -- HTTP ---------------------------------------------------------------------------------------
@dataclass
class Hub:
    url: str
    admin_token: str
    log: Path
    tokens: dict[str, str] = field(default_factory=dict)

    def api(self, method: str, path: str, body: object = None) -> tuple[int, object]:
        return call(f"{self.url}/hub/api{path}", self.admin_token, method, body)

    def as_user(self, user: str, method: str, path: str, body: object = None, owner: str | None = None):
        """Request ``/user/<owner>/<path>`` with ``user``'s token (owner defaults to the user)."""
        return call(f"{self.url}/user/{owner or user}/{path}", self.tokens[user], method, body)

    def ok(self, user: str, method: str, path: str, body: object = None):
        status, answer = self.as_user(user, method, path, body)
        assert status in (200, 201), f"{method} /user/{user}/{path}: {status} {answer}\n{self.tail()}"
        return answer

    def tail(self) -> str:
        return self.log.read_text(errors="replace")[-4000:]


def start_servers(hub: Hub, users: list[str]) -> None:
    for user in users:
        status, body = hub.api("POST", f"/users/{user}/server")
        assert status in (201, 202), f"spawn {user}: {status} {body}\n{hub.tail()}"
    deadline = time.monotonic() + 180
    waiting = set(users)
    while waiting:
        for user in sorted(waiting):
            status, model = hub.api("GET", f"/users/{user}")
            if status == 200 and model["servers"].get("", {}).get("ready"):
                waiting.discard(user)
        assert time.monotonic() < deadline, f"servers not ready: {waiting}\n{hub.tail()}"
        time.sleep(0.5)


def create_tokens(hub: Hub, users: list[str]) -> None:
    for user in users:
        status, body = hub.api("POST", f"/users/{user}/tokens", {"note": "cadrekit test", "expires_in": 3600})
        assert status in (200, 201), body
        hub.tokens[user] = body["token"]


# -- the hub ------------------------------------------------------------------------------------
@dataclass
class Site:
    base: Path  # world-traversable: the exchange and the system nbgrader config live here
    accounts: Accounts
    exchange: Path
    env: dict[str, str]
    outputs: dict[str, str] = field(default_factory=dict)
    keys: list[Item] = field(default_factory=list)
    passwords: dict[str, str] = field(default_factory=dict)
    hub: Hub | None = None
    kit: Path = KIT  # the checkout the hub runs from, with its venv
    bin: Path = BIN

    @property
    def course(self) -> Path:
        return home(self.accounts.instructor) / COURSE


def make_site(base: Path, accounts: Accounts, kit: Path) -> Site:
    base.chmod(0o755)
    bin_dir = kit / ".venv" / "bin" if kit != KIT else BIN
    exchange = base / "exchange"
    exchange.mkdir()
    exchange.chmod(0o1777)
    system_config = base / "etc-jupyter"
    system_config.mkdir()
    shutil.copy(kit / "deploy" / "nbgrader_config.py", system_config / "nbgrader_config.py")
    system_config.joinpath("nbgrader_config.py").chmod(0o644)
    state = base / "state"
    state.mkdir(mode=0o700)
    env = {
        "CADREKIT_COURSE": COURSE,
        "CADREKIT_EXCHANGE": str(exchange),
        "CADREKIT_INSTRUCTOR_GROUP": accounts.instructor_group,
        "CADREKIT_TRAINEE_GROUP": accounts.trainee_group,
        "CADREKIT_HUB_STATE": str(state),
        "CADREKIT_SYSTEM_CONFIG": str(system_config),
        "CADREKIT_HUB_LOCAL_CONFIG": "",
        "CADREKIT_PREFIX": str(kit),
        "CADREKIT_ACCOUNTS_DIR": str(state),
        "CADREKIT_HUB_ENV": "",  # setup-hub.sh: never this machine's /etc/cadrekit/hub.env
        "PATH": os.pathsep.join([str(bin_dir), os.environ.get("PATH", "/usr/bin:/bin")]),
    }
    return Site(base=base, accounts=accounts, exchange=exchange, env=env, kit=kit, bin=bin_dir)


def hub_config(site: Site, token: str, ports: dict[str, int]) -> Path:
    """The shipped config, moved to free loopback ports, plus an admin service for the test."""
    path = site.base / "state" / "jupyterhub_config.py"
    path.write_text(f'''
load_subconfig({str(site.kit / "deploy" / "jupyterhub_config.py")!r})
c.JupyterHub.bind_url = "http://127.0.0.1:{ports["public"]}"
c.JupyterHub.hub_bind_url = "http://127.0.0.1:{ports["hub"]}"
c.ConfigurableHTTPProxy.api_url = "http://127.0.0.1:{ports["proxy_api"]}"
c.JupyterHub.services.append({{"name": "cadrekit-test", "api_token": {token!r}}})
c.JupyterHub.load_roles.append({{"name": "cadrekit-test", "services": ["cadrekit-test"],
    "scopes": ["admin:users", "admin:servers", "tokens", "list:groups", "read:groups"]}})
''', encoding="utf-8")
    return path


@contextlib.contextmanager
def running_hub(site: Site, log: Path) -> Iterator[Hub]:
    token = secrets.token_hex(32)
    ports = {name: free_port() for name in ("public", "hub", "proxy_api")}
    config = hub_config(site, token, ports)
    command = [str(site.bin / "jupyterhub"), "-f", str(config)]
    try:
        with running(command, port=ports["public"], env=site.env, log=log, ready_path="/hub/api/",
                     token=token, timeout=120, cwd=site.base / "state") as server:
            yield Hub(url=server.url, admin_token=token, log=log)
    finally:
        stop_proxy(site.base / "state" / "jupyterhub-proxy.pid")


def stop_proxy(pid_file: Path) -> None:
    """The hub starts the proxy in a session of its own; stop it if the hub could not."""
    with contextlib.suppress(OSError, ValueError):
        pid = int(pid_file.read_text())
        if b"configurable-http-proxy" in Path(f"/proc/{pid}/cmdline").read_bytes():
            os.kill(pid, signal.SIGTERM)


def check_prerequisites() -> None:
    require(hasattr(os, "geteuid") and os.geteuid() == 0, "the hub test creates Unix users: run as root")
    require(shutil.which("configurable-http-proxy") is not None,
            "configurable-http-proxy is not on PATH (bash scripts/system-deps.sh installs it from npm)")
    require(all(shutil.which(t) for t in ("useradd", "userdel", "groupadd", "runuser")), "needs useradd and runuser")


def kit_for_hub(base: Path) -> Path:
    """This checkout when every user can run its venv; else a copy installed as setup-hub.sh does."""
    blocked = readable_by_others(Path(sys.prefix).resolve()) or readable_by_others(KIT) or \
        readable_by_others(Path(os.path.realpath(sys.executable)))
    if blocked is None:
        return KIT
    require(Path("/usr/bin/python3").exists(), f"other users cannot enter {blocked} and /usr/bin/python3 is missing")
    print(f"\ncadrekit: other users cannot enter {blocked}, so the hub's servers (run as each user) cannot use "
          f"this checkout's venv; installing a copy in {base / 'kit'} the way deploy/setup-hub.sh does")
    copy = base / "kit"
    shutil.copytree(KIT, copy, ignore=shutil.ignore_patterns(".venv", ".git", ".cadrekit", "test-artifacts",
                                                             ".pytest_cache", ".ruff_cache", "gradebook.db"))
    sh("bash", copy / "scripts" / "setup.sh", env={"PYTHON": "/usr/bin/python3"})
    sh("chmod", "-R", "a+rX", copy)
    return copy


# -- the cycle ----------------------------------------------------------------------------------
def instructor_step(site: Site, action: str) -> dict:
    hub, inst = site.hub, site.accounts.instructor
    result = hub.ok(inst, "POST", f"formgrader/api/assignment/{EXAM}/{action}")
    assert result.get("success"), f"{action}: {result}"
    site.outputs[action] = json.dumps(result, ensure_ascii=False)
    return result


def assignment_status(site: Site, trainee: str) -> dict[str, str]:
    listing = site.hub.ok(trainee, "GET", f"assignments?course_id={COURSE}")
    assert listing["success"], listing
    return {a["assignment_id"]: a["status"] for a in listing["value"]}


def quiz_id_of(notebook: dict) -> str:
    import ast

    cell = next(c for c in notebook["cells"] if "cadrekit-quiz" in c["metadata"].get("tags", []))
    source = "".join(cell["source"]) if isinstance(cell["source"], list) else cell["source"]
    call_node = next(n for n in ast.walk(ast.parse(source)) if isinstance(n, ast.Call)
                     and getattr(n.func, "id", "") == "exam")
    return ast.literal_eval(call_node.args[0])


def answer_as_trainee(site: Site, trainee: str, plan: str) -> None:
    """Fetch, answer into the sidecar the widgets would write, and submit — all over HTTP."""
    hub = site.hub
    body = {"course_id": COURSE, "assignment_id": EXAM}
    hub.ok(trainee, "POST", "assignments/fetch", body)
    assert assignment_status(site, trainee)[EXAM] == "fetched"
    notebook = hub.ok(trainee, "GET", f"api/contents/{EXAM}/{EXAM}.ipynb")["content"]
    quiz = quiz_id_of(notebook)
    answers = {}
    for position, item in enumerate(site.keys):
        response = planned_response(plan, position, item)
        if response is not None:
            answers[item.id] = response
    sidecar = {"format": "cadrekit-answers/1", "quiz": quiz, "student": trainee,
               "saved_at": "2026-11-28T10:00:00+00:00", "answers": answers}
    hub.ok(trainee, "PUT", f"api/contents/{EXAM}/{quiz}.answers.json",
           {"type": "file", "format": "text", "content": json.dumps(sidecar, ensure_ascii=False)})
    result = hub.ok(trainee, "POST", "assignments/submit", body)
    assert result["success"], result
    assert assignment_status(site, trainee)[EXAM] == "submitted"


def grade_as_instructor(site: Site) -> str:
    inst = site.accounts.instructor
    role_config = site.kit / "deploy" / "jupyter" / "instructor"  # as the hub sets it for instructors
    env = {**site.env, "HOME": str(home(inst)), "USER": inst,
           "JUPYTER_CONFIG_PATH": f"{role_config}:{site.env['CADREKIT_SYSTEM_CONFIG']}"}
    result = sh(site.bin / "cadrekit", "grade", EXAM, "--course", site.course, "--workers", "2", user=inst, env=env)
    return result.stdout + result.stderr


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Iterator[Site]:
    check_prerequisites()
    logs = tmp_path_factory.mktemp("hub-logs")
    accounts = Accounts()
    base = Path(tempfile.mkdtemp(prefix="ck-hub-", dir="/tmp"))  # other users must reach it: not $TMPDIR
    try:
        run = make_site(base, accounts, kit_for_hub(base))
        run.passwords = accounts.create(run.kit, run.env, base / "state")
        run.env["CADREKIT_GRADEBOOK"] = f"sqlite:///{run.course / 'gradebook.db'}"  # the hub's setting
        run.keys = keys_of(run.course / "source" / EXAM / f"{EXAM}.ipynb")
        with running_hub(run, logs / "hub.log") as hub:
            run.hub = hub
            everyone = [accounts.instructor, *accounts.trainees]
            start_servers(hub, everyone)
            create_tokens(hub, everyone)
            instructor_step(run, "assign")
            instructor_step(run, "release")
            for trainee, plan in zip(accounts.trainees, PLANS, strict=True):
                answer_as_trainee(run, trainee, plan)
            instructor_step(run, "collect")
            run.outputs["grade"] = grade_as_instructor(run)
            yield run
    finally:
        accounts.remove()
        shutil.rmtree(base, ignore_errors=True)


def test_scores_over_http_are_exact(site: Site):
    submissions = site.hub.ok(site.accounts.instructor, "GET", f"formgrader/api/submissions/{EXAM}")
    scores = {s["student"]: s["score"] for s in submissions if s["submitted"]}
    expected = {t: expected_quiz_score(p, site.keys) for t, p in zip(site.accounts.trainees, PLANS, strict=True)}
    assert scores == pytest.approx(expected, abs=1e-9), site.outputs["grade"]
    assert expected[site.accounts.trainees[0]] > expected[site.accounts.trainees[2]] > 0


# -- feedback -----------------------------------------------------------------------------------
@dataclass
class Feedback:
    fetched: dict[str, str]  # trainee -> the feedback page their server serves from their home
    released: dict[str, Path]  # trainee -> the file in the exchange with the same bytes
    instructor_copy: dict[str, bytes]  # trainee -> what formgrader generated for them


def latest_submission(site: Site, trainee: str) -> dict:
    listing = site.hub.ok(trainee, "GET", f"assignments?course_id={COURSE}")
    assert listing["success"], listing
    submitted = [a for a in listing["value"] if a["assignment_id"] == EXAM and a["status"] == "submitted"]
    assert len(submitted) == 1, listing
    return submitted[0]["submissions"][-1]


def fetch_feedback_as_trainee(site: Site, trainee: str) -> str:
    """The Assignments service's fetch_feedback on the trainee's own server; the page it brought home."""
    before = latest_submission(site, trainee)
    assert before["has_exchange_feedback"] and not before["has_local_feedback"], before
    site.hub.ok(trainee, "POST", "assignments/fetch_feedback", {"course_id": COURSE, "assignment_id": EXAM})
    after = latest_submission(site, trainee)  # the action answers with the listing even when it failed
    assert after["has_local_feedback"] and not after["feedback_updated"], (after, site.hub.tail())
    folder = urllib.parse.quote(after["local_feedback_path"])  # <exam>/feedback/<submission time, with spaces>
    page = site.hub.ok(trainee, "GET", f"api/contents/{folder}/{EXAM}.html?format=text&type=file")
    return page["content"]


@pytest.fixture(scope="module")
def feedback(site: Site) -> Feedback:
    instructor_step(site, "generate_feedback")
    instructor_step(site, "release_feedback")
    generated = {t: (site.course / "feedback" / t / EXAM / f"{EXAM}.html").read_bytes() for t in site.accounts.trainees}
    fetched = {t: fetch_feedback_as_trainee(site, t) for t in site.accounts.trainees}
    exchange = {p: p.read_bytes() for p in (site.exchange / COURSE / "feedback").iterdir()}
    released = {}
    for trainee, page in generated.items():
        matches = [p for p, data in exchange.items() if data == page]
        assert len(matches) == 1, (trainee, sorted(exchange), site.outputs["release_feedback"])
        released[trainee] = matches[0]
    assert len(exchange) == len(site.accounts.trainees), sorted(exchange)
    return Feedback(fetched=fetched, released=released, instructor_copy=generated)


SCORE = re.compile(r"<h4>" + re.escape(EXAM) + r" \(Score: ([0-9.]+) / ([0-9.]+)\)</h4>")


def test_each_trainee_fetches_feedback_with_their_own_exact_score(site: Site, feedback: Feedback):
    expected = {t: expected_quiz_score(p, site.keys) for t, p in zip(site.accounts.trainees, PLANS, strict=True)}
    assert len(set(expected.values())) == len(expected)  # a page sent to the wrong trainee would show
    maximum = sum(item.points for item in site.keys)
    for trainee in site.accounts.trainees:
        page = feedback.fetched[trainee]
        assert page.encode("utf-8") == feedback.instructor_copy[trainee]  # their own, not another's
        header = SCORE.findall(page)
        assert len(header) == 1, page[:2000]
        assert float(header[0][0]) == pytest.approx(expected[trainee], abs=0.005 + 1e-9)  # shown to 2 decimals
        assert float(header[0][1]) == pytest.approx(maximum, abs=0.005 + 1e-9)
        pages = list((home(trainee) / EXAM / "feedback").rglob("*.html"))
        assert len(pages) == 1 and pages[0].read_text(encoding="utf-8") == page, pages
        assert pages[0].stat().st_uid == pwd.getpwnam(trainee).pw_uid


def test_feedback_holds_no_key(site: Site, feedback: Feedback):
    secrets_ = ["cadrekit-quiz-key", "BEGIN HIDDEN TESTS"]
    for item in site.keys:
        key = json.dumps(item.to_dict(), ensure_ascii=False, sort_keys=True)
        secrets_ += [key, html.escape(key), html.escape(key, quote=False)]
    assert len(feedback.fetched) == len(site.accounts.trainees)
    for trainee, page in feedback.fetched.items():
        for secret in secrets_:
            assert secret not in page, (trainee, secret)


def test_trainees_cannot_read_each_others_feedback_on_disk(site: Site, feedback: Feedback):
    t1, t2, t3 = site.accounts.trainees
    folder = site.exchange / COURSE / "feedback"
    for trainee in (t1, t2, t3):  # controls: each reads their own released page
        assert sh("cat", feedback.released[trainee], user=trainee).stdout.encode("utf-8") == \
            feedback.instructor_copy[trainee]
    assert cannot(t1, "ls", folder)
    assert cannot(t1, "cat", feedback.released[t2])
    assert cannot(t1, "cat", feedback.released[t3])
    assert cannot(t2, "cat", feedback.released[t1])
    assert cannot(t1, "ls", home(t2) / EXAM / "feedback")
    for trainee, path in feedback.released.items():
        assert path.stat().st_mode & 0o007 == 0, (trainee, oct(path.stat().st_mode))


def test_feedback_is_not_released_to_a_trainee_without_unix_account(tmp_path: Path):
    """No hub needed: the fail-closed path of PrivateExchangeReleaseFeedback, then a release to ``nobody``."""
    from nbgrader.coursedir import CourseDirectory
    from nbgrader.exchange import ExchangeError
    from traitlets.config import Config

    from cadrekit.grading.exchange import PrivateExchangeReleaseFeedback

    for student in ("ck-no-such-user", "nobody"):
        folder = tmp_path / "course" / "feedback" / student / EXAM
        folder.mkdir(parents=True)
        (folder / f"{EXAM}.html").write_text(f"<p>{student}</p>", encoding="utf-8")
        (folder / "timestamp.txt").write_text("2026-11-28 10:00:00.000000 UTC", encoding="utf-8")
        (folder / "submission_secret.txt").write_text(secrets.token_hex(16), encoding="utf-8")
    config = Config()
    config.CourseDirectory.root = str(tmp_path / "course")
    config.CourseDirectory.course_id = COURSE
    config.Exchange.root = str(tmp_path / "exchange")
    (tmp_path / "exchange").mkdir()
    (tmp_path / "exchange").chmod(0o1777)  # as setup-hub.sh makes it
    released = tmp_path / "exchange" / COURSE / "feedback"

    def release(exclude: str) -> None:
        coursedir = CourseDirectory(config=config, assignment_id=EXAM, student_id="*", student_id_exclude=exclude)
        PrivateExchangeReleaseFeedback(coursedir=coursedir, config=config).start()

    with pytest.raises(ExchangeError, match="ck-no-such-user"):
        release("")
    assert list(released.iterdir()) == []  # stops at the first trainee it cannot restrict to
    release("ck-no-such-user")
    (page,) = released.iterdir()
    assert page.read_text(encoding="utf-8") == "<p>nobody</p>"
    assert page.stat().st_mode & 0o777 == 0o640  # group bits show the ACL mask; the file's group has none
    acl = os.getxattr(page, "system.posix_acl_access")
    assert (2, 4, pwd.getpwnam("nobody").pw_uid) in [struct.unpack_from("<HHI", acl, 4 + 8 * n) for n in range(5)]


def test_trainee_token_is_refused_elsewhere(site: Site):
    hub, (t1, t2, _t3) = site.hub, site.accounts.trainees
    inst = site.accounts.instructor
    assert hub.as_user(t1, "GET", "api/contents", owner=t2)[0] == 403
    assert hub.as_user(t1, "GET", f"formgrader/api/submissions/{EXAM}", owner=inst)[0] == 403
    assert hub.as_user(t1, "GET", "formgrader/api/status", owner=inst)[0] == 403
    assert hub.as_user(t1, "GET", "formgrader/api/status")[0] == 404  # no formgrader in a trainee's server
    assert hub.as_user(inst, "GET", "formgrader/api/status")[0] == 200
    assert call(f"{hub.url}/hub/api/users", hub.tokens[t1])[0] == 403


def test_hub_groups_come_from_unix_groups(site: Site):
    status, groups = site.hub.api("GET", "/groups")
    assert status == 200
    members = {g["name"]: sorted(g["users"]) for g in groups}
    assert members[f"formgrade-{COURSE}"] == [site.accounts.instructor]
    assert members[f"nbgrader-{COURSE}"] == sorted(site.accounts.trainees)


def cannot(user: str, *command: str | Path) -> bool:
    """True when ``command`` run as ``user`` fails for lack of permission (not for another reason)."""
    result = sh(*command, user=user, check=False)
    return result.returncode != 0 and "Permission denied" in result.stderr


def test_trainees_cannot_reach_others_files_on_disk(site: Site):
    t1, t2, _t3 = site.accounts.trainees
    inbound = site.exchange / COURSE / "inbound"
    theirs = next(p for p in inbound.iterdir() if p.name.startswith(f"{t2}+"))
    outbound = site.exchange / COURSE / "outbound" / EXAM / f"{EXAM}.ipynb"
    sh("cat", outbound, user=t1)  # controls: the released exam and the trainee's own files are readable
    sh("ls", home(t1) / EXAM, user=t1)
    assert cannot(t1, "ls", inbound)
    assert cannot(t1, "ls", theirs)
    assert cannot(t1, "cat", theirs / f"{EXAM}.ipynb")
    assert cannot(t1, "ls", home(t2))
    assert cannot(t1, "cat", home(t2) / EXAM / f"{EXAM}.ipynb")
    assert cannot(t1, "ls", site.course / "source")
    assert cannot(t1, "cat", site.course / "source" / EXAM / f"{EXAM}.ipynb")
    assert cannot(t1, "cat", site.course / "gradebook.db")
    assert (site.course / "gradebook.db").exists()
    for user in site.accounts.users:
        assert home(user).stat().st_mode & 0o777 == 0o700


def test_submission_is_private_to_trainee_and_instructors(site: Site):
    inbound = site.exchange / COURSE / "inbound"
    for folder in inbound.iterdir():
        assert folder.stat().st_mode & 0o777 == 0o770, folder
        assert folder.stat().st_gid == pwd.getpwnam(site.accounts.instructor).pw_gid
    collected = site.course / "submitted" / site.accounts.trainees[0] / EXAM / f"{EXAM}.ipynb"
    assert collected.exists(), site.outputs["collect"]


def page_config(site: Site, user: str) -> dict:
    status, html = site.hub.as_user(user, "GET", "lab")
    assert status == 200, html
    start = html.index('id="jupyter-config-data"')
    data = html[html.index(">", start) + 1:html.index("</script>", start)]
    return json.loads(data)


def test_lab_is_chinese_and_shows_formgrader_to_instructors_only(site: Site):
    instructor_plugins = ("@jupyter/nbgrader:formgrader", "@jupyter/nbgrader:create-assignment")
    trainee = page_config(site, site.accounts.trainees[0])
    instructor = page_config(site, site.accounts.instructor)
    for plugin in instructor_plugins:
        assert plugin in trainee["disabledExtensions"]
        assert plugin not in instructor["disabledExtensions"]
    assert "@jupyter/nbgrader:assignment-list" not in trainee["disabledExtensions"]
    status, settings = site.hub.as_user(site.accounts.trainees[0], "GET",
                                        "lab/api/settings/@jupyterlab/translation-extension:plugin")
    assert status == 200, settings
    default = settings["schema"]["properties"]["locale"]["default"]  # overrides.json of the kit's venv
    assert settings["settings"].get("locale", default) == "zh_CN", settings
    trainee_name = site.accounts.trainees[0]
    request = urllib.request.Request(f"{site.hub.url}/user/{trainee_name}/",
                                     headers={"Authorization": f"token {site.hub.tokens[trainee_name]}"})
    with urllib.request.urlopen(request, timeout=60) as response:  # the default URL is JupyterLab
        assert response.geturl() == f"{site.hub.url}/user/{trainee_name}/lab"


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def log_in(hub_url: str, user: str, password: str) -> int:
    """Submit the hub's login form as a browser would; the HTTP status of the answer."""
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()), _NoRedirect)
    page = opener.open(f"{hub_url}/hub/login", timeout=60).read().decode("utf-8")
    xsrf = re.search(r'name="_xsrf" value="([^"]+)"', page).group(1)
    form = urllib.parse.urlencode({"username": user, "password": password, "_xsrf": xsrf}).encode("ascii")
    try:
        with opener.open(f"{hub_url}/hub/login", form, timeout=120) as response:
            return response.status
    except urllib.error.HTTPError as exc:
        return exc.code


def test_trainee_logs_in_with_the_password_from_add_trainees(site: Site):
    trainee = site.accounts.trainees[0]
    assert set(site.passwords) == set(site.accounts.trainees)
    assert log_in(site.hub.url, trainee, site.passwords[trainee]) == 302  # on to the trainee's server
    assert log_in(site.hub.url, trainee, site.passwords[trainee] + "x") == 403


def server_environment(user: str) -> dict[str, str]:
    """The environment of ``user``'s single-user server process, as the spawner gave it."""
    uid = pwd.getpwnam(user).pw_uid
    for proc in Path("/proc").iterdir():
        if proc.name.isdigit() and owner(proc) == uid:
            with contextlib.suppress(OSError):
                if b"jupyterhub-singleuser" in (proc / "cmdline").read_bytes():
                    pairs = (proc / "environ").read_bytes().decode("utf-8", "replace").split("\0")
                    return dict(p.split("=", 1) for p in pairs if "=" in p)
    raise AssertionError(f"no server process of {user}")


def test_gradebook_address_reaches_instructors_only(site: Site):
    assert server_environment(site.accounts.instructor)["CADREKIT_GRADEBOOK"] == site.env["CADREKIT_GRADEBOOK"]
    for trainee in site.accounts.trainees:
        env = server_environment(trainee)
        assert "CADREKIT_GRADEBOOK" not in env
        assert env["JUPYTER_CONFIG_PATH"].startswith(str(site.kit / "deploy" / "jupyter" / "trainee"))
