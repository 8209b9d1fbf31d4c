"""deploy/values-z2jh.yaml and deploy/ngshare/ (past one server) checked without a Kubernetes cluster.

- Structure: the values, coalesced over the chart's defaults the way helm does, validate against the
  Zero to JupyterHub chart's own schema (tests/fixtures/z2jh/, chart 4.4.0, the JupyterHub 5 series);
  every key the schema constrains is shown to be checked by misspelling it in a copy.
- Behaviour: hub.config loads into the real JupyterHub and LDAPAuthenticator classes; hub.extraConfig is
  executed as the chart's jupyterhub_config.py executes it, and its spawn hook is called for an
  instructor and a trainee; every file of the kit that the values name exists.
- ngshare: a real JupyterHub (users and tokens through its REST API; nobody logs in, no server is
  spawned, the proxy is left out) and a real ngshare registered as the values register it; the exam
  goes out and comes back through nbgrader with deploy/ngshare/nbgrader_config.py, each user running
  with the JUPYTER_CONFIG_PATH that the spawn hook gives them.
"""

from __future__ import annotations

import contextlib
import copy
import importlib
import json
import os
import re
import secrets
import shutil
import subprocess
import sys
import textwrap
import urllib.parse
from pathlib import Path
from types import SimpleNamespace

import jsonschema
import pytest
import yaml
from traitlets.config import Config

from .conftest import FIXTURES, KIT, require
from .servers import call, free_port, running

VALUES_FILE = KIT / "deploy" / "values-z2jh.yaml"
NGSHARE_CONFIG = KIT / "deploy" / "ngshare" / "nbgrader_config.py"
CHART = FIXTURES / "z2jh"
BIN = Path(sys.executable).parent

# Where the chart's schema lets any key through (hub.config is traitlets configuration, checked against
# the real classes below; extraEnv and extraFiles.*.data are free by nature; services and loadRoles are
# JupyterHub's own dicts, run for real in the ngshare test) and names the values choose themselves.
FREE_FORM = ("hub.config", "hub.services", "hub.loadRoles", "hub.extraEnv", "hub.extraConfig",
             "singleuser.extraEnv", "singleuser.extraFiles.kernel-culling.data")
CHOSEN_NAMES = ("singleuser.extraFiles.kernel-culling",)


def read_yaml(path: Path):
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def chart_tag() -> str:
    header = (CHART / "values.schema.yaml").read_text(encoding="utf-8").splitlines()[0]
    return re.search(r"at tag (\S+) ", header).group(1)


def coalesce(defaults, values):
    """helm's merge of user values over a chart's values.yaml: maps merge, anything else replaces, null deletes."""
    if not (isinstance(defaults, dict) and isinstance(values, dict)):
        return copy.deepcopy(values)
    merged = copy.deepcopy(defaults)
    for key, value in values.items():
        if value is None:
            merged.pop(key, None)
        else:
            merged[key] = coalesce(merged.get(key), value)
    return merged


def schema_errors(values: dict) -> list[str]:
    schema = read_yaml(CHART / "values.schema.yaml")
    validator = jsonschema.Draft7Validator(schema)
    merged = coalesce(read_yaml(CHART / "values.yaml"), values)
    return [f"{'.'.join(map(str, e.absolute_path))}: {e.message}" for e in validator.iter_errors(merged)]


def key_paths(tree: dict, prefix: str = "") -> list[str]:
    paths = []
    for key, value in tree.items():
        path = f"{prefix}{key}"
        paths.append(path)
        if isinstance(value, dict) and not path.startswith(FREE_FORM):
            paths += key_paths(value, path + ".")
    return paths


CHECKED_KEYS = [p for p in key_paths(read_yaml(VALUES_FILE)) if p not in CHOSEN_NAMES]


def test_values_name_the_chart_version_of_the_schema():
    header = VALUES_FILE.read_text(encoding="utf-8").split("\n\n")[0]
    assert f"--version {chart_tag()} " in header


def test_values_validate_against_the_chart_schema():
    assert schema_errors(read_yaml(VALUES_FILE)) == []


@pytest.mark.parametrize("path", CHECKED_KEYS)
def test_a_misspelt_key_fails_the_schema(path):
    values = read_yaml(VALUES_FILE)
    *parents, last = path.split(".")
    parent = values
    for key in parents:
        parent = parent[key]
    wrong = last[:-1] + last[-1].swapcase() + "x"  # e.g. hub.extraConfig -> hub.extraConfiGx
    parent[wrong] = parent.pop(last)
    errors = schema_errors(values)
    assert any(wrong in error for error in errors), errors


def test_placeholders_are_strings_where_the_schema_takes_them():
    lines = VALUES_FILE.read_text(encoding="utf-8").splitlines()
    placeholders = set(re.findall(r"<[^<>\n]+>", "\n".join(line.split("#")[0] for line in lines)))
    assert placeholders  # the file has some; each must have parsed as (part of) a string, not broken the YAML

    def strings(node):
        if isinstance(node, dict):
            for value in node.values():
                yield from strings(value)
        elif isinstance(node, list):
            for value in node:
                yield from strings(value)
        elif isinstance(node, str):
            yield node

    parsed = list(strings(read_yaml(VALUES_FILE)))
    for placeholder in placeholders:
        assert any(placeholder in s for s in parsed), placeholder


# -- behaviour ------------------------------------------------------------------------------------------

def chart_values() -> dict:
    return coalesce(read_yaml(CHART / "values.yaml"), read_yaml(VALUES_FILE))


def hub_config_section(values: dict) -> Config:
    return Config(copy.deepcopy(values["hub"]["config"]))


def test_hub_config_is_real_configuration_of_jupyterhub_and_ldapauthenticator():
    from jupyterhub.app import JupyterHub
    from ldapauthenticator import LDAPAuthenticator

    config = hub_config_section(chart_values())
    classes = {"JupyterHub": JupyterHub, "LDAPAuthenticator": LDAPAuthenticator}
    assert set(config) <= set(classes)
    for section, settings in config.items():
        traits = classes[section].class_traits(config=True)
        assert set(settings) <= set(traits), f"{section}: {set(settings) - set(traits)}"
    hub = JupyterHub(config=config)  # traitlets validates every value on loading
    assert hub.authenticator_class is LDAPAuthenticator
    ldap = LDAPAuthenticator(config=config)
    assert ldap.bind_dn_template == config.LDAPAuthenticator.bind_dn_template


def course_of(values: dict) -> str:
    return values["singleuser"]["extraEnv"]["CADREKIT_COURSE"]


def test_hub_groups_are_nbgraders_groups_for_the_course():
    values = chart_values()
    groups = values["hub"]["config"]["JupyterHub"]["load_groups"]
    course = course_of(values)
    assert set(groups) == {f"formgrade-{course}", f"nbgrader-{course}"}


def exec_extra_config(values: dict) -> Config:
    """hub.extraConfig as the chart's jupyterhub_config.py runs it: exec in sorted key order, with the
    traitlets config as c and the chart's get_config(dotted key, default) reading the values."""

    def get_config(key, default=None):
        node = values
        for part in key.split("."):
            if not isinstance(node, dict) or part not in node:
                return default
            node = node[part]
        return copy.deepcopy(node)

    c = Config()
    c.KubeSpawner.environment = copy.deepcopy(values["singleuser"]["extraEnv"])  # what the chart sets
    for key, source in sorted(values["hub"]["extraConfig"].items()):
        exec(compile(source, f"hub.extraConfig.{key}", "exec"), {"c": c, "get_config": get_config})
    return c


@contextlib.contextmanager
def hub_environment(env: dict[str, str]):
    """The hub process's environment (hub.extraEnv) while its hook runs."""
    saved = {key: os.environ.get(key) for key in env}
    os.environ.update(env)
    try:
        yield
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


def spawn_environment(config: Config, groups: list[str], hub_env: dict[str, str]) -> dict[str, str]:
    """The spawn hook called on a spawner whose user is in ``groups``; the environment it leaves."""
    spawner = SimpleNamespace(user=SimpleNamespace(name="someone", groups=[SimpleNamespace(name=g) for g in groups]),
                              environment=dict(config.KubeSpawner.environment))
    with hub_environment(hub_env):
        config.KubeSpawner.pre_spawn_hook(spawner)
    return spawner.environment


def kit_path(path: str, values: dict) -> Path:
    """A path inside the single-user image mapped into this checkout (the image has the kit at CADREKIT_ROOT
    and deploy/ngshare/nbgrader_config.py as /etc/jupyter/nbgrader_config.py)."""
    root = values["singleuser"]["extraEnv"]["CADREKIT_ROOT"].rstrip("/") + "/"
    if path.startswith(root):
        return KIT / path[len(root):]
    if path == "/etc/jupyter":
        return NGSHARE_CONFIG.parent
    raise AssertionError(f"{path} is neither in the kit nor /etc/jupyter")


HUB_GRADEBOOK = "postgresql://cadrekit:secret@db.example:5432/cadrekit"


def test_spawn_hook_gives_the_gradebook_and_formgrader_to_instructors_only():
    from jupyterhub.spawner import Spawner

    values = chart_values()
    assert "pre_spawn_hook" in Spawner.class_traits(config=True)  # KubeSpawner inherits it
    assert "CADREKIT_GRADEBOOK" in values["hub"]["extraEnv"]  # the hub has it (from a secret) ...
    assert "CADREKIT_GRADEBOOK" not in values["singleuser"]["extraEnv"]  # ... not every server
    assert "CADREKIT_GRADEBOOK" not in Spawner.class_traits()["env_keep"].default()  # the hub's env stays there
    config = exec_extra_config(values)
    course = course_of(values)
    hub_env = {"CADREKIT_GRADEBOOK": HUB_GRADEBOOK}

    instructor = spawn_environment(config, [f"formgrade-{course}"], hub_env)
    trainee = spawn_environment(config, [f"nbgrader-{course}"], hub_env)
    nobody = spawn_environment(config, [], hub_env)
    assert instructor["CADREKIT_GRADEBOOK"] == HUB_GRADEBOOK
    assert "CADREKIT_GRADEBOOK" not in trainee
    assert "CADREKIT_GRADEBOOK" not in nobody
    assert trainee["JUPYTER_CONFIG_PATH"] == nobody["JUPYTER_CONFIG_PATH"]
    for env in (instructor, trainee):  # the values' own environment survives the hook
        assert {k: env[k] for k in values["singleuser"]["extraEnv"]} == values["singleuser"]["extraEnv"]

    folders = {role: [kit_path(p, values) for p in env["JUPYTER_CONFIG_PATH"].split(":")]
               for role, env in (("instructor", instructor), ("trainee", trainee))}
    for role, (role_folder, system_folder) in folders.items():
        assert role_folder == KIT / "deploy" / "jupyter" / role
        assert (role_folder / "jupyter_server_config.json").is_file()
        assert system_folder == NGSHARE_CONFIG.parent
    servers = {role: json.loads((f[0] / "jupyter_server_config.json").read_text()) for role, f in folders.items()}
    extensions = {role: s["ServerApp"]["jpserver_extensions"] for role, s in servers.items()}
    assert extensions["instructor"]["nbgrader.server_extensions.formgrader"] is True
    assert extensions["trainee"]["nbgrader.server_extensions.formgrader"] is False


def test_every_kit_file_the_values_name_exists():
    values = chart_values()
    text = VALUES_FILE.read_text(encoding="utf-8") + NGSHARE_CONFIG.read_text(encoding="utf-8")
    named = set(re.findall(r"(?<![\w/.])((?:deploy|tests|scripts|src|grading)/[\w./{}-]*[\w}])", text))
    named |= {m for m in re.findall(r"\b(requirements\.lock)\b", text)}
    root = values["singleuser"]["extraEnv"]["CADREKIT_ROOT"].rstrip("/") + "/"
    named |= {m for m in re.findall(re.escape(root) + r"([\w./{}-]*[\w}])", text)}
    assert {"deploy/README.md", "deploy/ngshare/nbgrader_config.py", "requirements.lock"} <= named
    missing = []
    for path in named:
        expanded = [path.replace("{role}", role) for role in ("instructor", "trainee")] if "{" in path else [path]
        missing += [p for p in expanded if not (KIT / p).exists()]
    assert missing == []
    commands = re.findall(r"`cadrekit ([\w-]+)`", text)
    assert commands
    for command in commands:
        subprocess.run([str(BIN / "cadrekit"), command, "--help"], check=True, capture_output=True)


def test_ngshare_config_loads_and_points_nbgrader_at_ngshare_exchange(tmp_path, monkeypatch):
    """The shipped file through traitlets' config loader; the classes it sets are ngshare_exchange's."""
    monkeypatch.setenv("JUPYTERHUB_USER", "someone")  # ngshare_exchange reads it on import, as in every server
    import ngshare_exchange
    from nbgrader.exchange.abc import Exchange

    values = chart_values()
    env = {"CADREKIT_COURSE": course_of(values), "JUPYTERHUB_USER": "someone"}
    code = textwrap.dedent(f"""
        import json
        from traitlets.config.loader import PyFileConfigLoader
        config = PyFileConfigLoader({NGSHARE_CONFIG.name!r}, path={str(NGSHARE_CONFIG.parent)!r}).load_config()
        factory = config.ExchangeFactory
        print(json.dumps({{
            "course": config.CourseDirectory.course_id,
            "classes": {{k: f"{{v.__module__}}.{{v.__qualname__}}" for k, v in factory.items()}},
            "url": factory.exchange._ngshare_url,
        }}))
    """)
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("CADREKIT_", "JUPYTERHUB_"))}
    out = json.loads(subprocess.run([sys.executable, "-c", code], env={**clean, **env}, capture_output=True,
                                    text=True, check=True, cwd=tmp_path).stdout)
    assert out["course"] == course_of(values)
    nbgrader_factory = {"exchange", "fetch_assignment", "fetch_feedback", "release_assignment",
                        "release_feedback", "list", "submit", "collect"}
    assert set(out["classes"]) == nbgrader_factory
    for kind, dotted in out["classes"].items():
        module, name = dotted.rsplit(".", 1)
        assert module.split(".")[0] == "ngshare_exchange", kind
        cls = getattr(importlib.import_module(module), name)
        assert cls is getattr(ngshare_exchange, cls.__name__)
    assert issubclass(ngshare_exchange.Exchange, Exchange)
    # Without CADREKIT_NGSHARE_URL the exchange talks to the ngshare service the hub registers.
    service = urllib.parse.urlsplit(values["hub"]["services"]["ngshare"]["url"])
    default = urllib.parse.urlsplit(out["url"])
    assert (default.scheme, default.netloc) == (service.scheme, service.netloc)
    assert default.path == "/services/ngshare"


# -- ngshare, live ------------------------------------------------------------------------------------

NO_PROXY = '''
from jupyterhub.proxy import Proxy


class RoutesInMemory(Proxy):
    """No HTTP proxy: these tests reach the hub's API and ngshare directly, as the pods do in Kubernetes."""

    should_start = False
    routes = {}

    async def add_route(self, routespec, target, data):
        self.routes[routespec] = {"routespec": routespec, "target": target, "data": data}

    async def delete_route(self, routespec):
        self.routes.pop(routespec, None)

    async def get_all_routes(self):
        return dict(self.routes)


c.JupyterHub.proxy_class = RoutesInMemory
'''

# ngshare listens on every interface (for the Kubernetes service); here it is kept on loopback.
NGSHARE_ON_LOOPBACK = (
    "import sys, tornado.tcpserver as t; listen = t.TCPServer.listen; "
    "t.TCPServer.listen = lambda self, port, address='', **kw: listen(self, port, '127.0.0.1', **kw); "
    "from ngshare.ngshare import main; main(sys.argv[1:])"
)

INSTRUCTOR, TRAINEES, OUTSIDER = "jiaoyuan1", ("xy001", "xy002"), "xy999"
EXAM = "mixed-exam"
NGSHARE_REQUIREMENTS = KIT / "deploy" / "ngshare" / "requirements.txt"


def ngshare_python(folder: Path) -> Path:
    """ngshare runs in a pod of its own: its Python environment, from deploy/ngshare/requirements.txt."""
    uv = [sys.executable, "-m", "uv"]
    found = subprocess.run([*uv, "--version"], capture_output=True).returncode == 0
    require(found, "uv (scripts/setup.sh installs it)")
    subprocess.run([*uv, "venv", "-q", "--python", sys.executable, str(folder)], check=True)
    python = folder / "bin" / "python"
    subprocess.run([*uv, "pip", "install", "-q", "--python", str(python), "-r", str(NGSHARE_REQUIREMENTS)], check=True)
    return python


def test_ngshare_server_pins_are_compiled_from_their_input():
    wanted = [line.split("#")[0].strip() for line in NGSHARE_REQUIREMENTS.with_suffix(".in").read_text().splitlines()]
    pins = dict(line.split("==") for line in NGSHARE_REQUIREMENTS.read_text().splitlines() if "==" in line)
    pins = {name.lower(): version for name, version in pins.items()}
    from packaging.requirements import Requirement

    for spec in filter(None, wanted):
        requirement = Requirement(spec)
        assert requirement.specifier.contains(pins[requirement.name.lower()]), spec


@pytest.fixture(scope="module")
def ngshare_site(tmp_path_factory):
    values = chart_values()
    course = course_of(values)
    base = tmp_path_factory.mktemp("ngshare-site")
    ports = {name: free_port() for name in ("public", "hub", "ngshare")}
    admin_token, ngshare_token = secrets.token_hex(16), secrets.token_hex(16)
    ngshare_url = f"http://127.0.0.1:{ports['ngshare']}"

    hub = values["hub"]
    services = []
    for name, service in hub["services"].items():  # as the chart turns the dict into JupyterHub's list
        assert service["url"].startswith("http://") and service["api_token"].startswith("<")
        services.append({**service, "name": name, "url": ngshare_url, "api_token": ngshare_token})
    roles = [{**role, "name": name} for name, role in hub["loadRoles"].items()]
    # hub.config as the chart applies it (LDAPAuthenticator included: nobody logs in, so no LDAP server is asked)
    hub_config = json.loads(json.dumps(hub["config"]).replace("<instructor-1>", INSTRUCTOR))
    assert INSTRUCTOR in hub_config["JupyterHub"]["load_groups"][f"formgrade-{course}"]["users"]
    config = base / "jupyterhub_config.py"
    config.write_text(NO_PROXY + textwrap.dedent(f"""
        c.JupyterHub.bind_url = "http://127.0.0.1:{ports['public']}"
        c.JupyterHub.hub_bind_url = "http://127.0.0.1:{ports['hub']}"
        c.JupyterHub.db_url = "sqlite:///{base / 'jupyterhub.sqlite'}"
        c.JupyterHub.cookie_secret_file = "{base / 'cookie_secret'}"
        for section, settings in {hub_config!r}.items():
            for key, value in settings.items():
                setattr(c[section], key, value)
        c.JupyterHub.services = {services!r} + [{{"name": "cadrekit-test", "api_token": {admin_token!r}}}]
        c.JupyterHub.load_roles = {roles!r} + [{{"name": "cadrekit-test", "services": ["cadrekit-test"],
                                               "scopes": ["admin:users", "tokens", "groups"]}}]
    """), encoding="utf-8")
    hub_env = {"CADREKIT_GRADEBOOK": f"sqlite:///{base / 'gradebook.db'}"}  # stands for the PostgreSQL secret
    ngshare_env = {
        "JUPYTERHUB_API_URL": f"http://127.0.0.1:{ports['hub']}/hub/api",
        "JUPYTERHUB_API_TOKEN": ngshare_token,
        "JUPYTERHUB_CLIENT_ID": "service-ngshare",
        "JUPYTERHUB_SERVICE_PREFIX": "/services/ngshare/",
        "JUPYTERHUB_SERVICE_URL": ngshare_url,
    }
    ngshare_command = [str(ngshare_python(base / "ngshare-venv")), "-c", NGSHARE_ON_LOOPBACK,
                       "--database", f"sqlite:///{base / 'ngshare.db'}", "--storage", str(base / "ngshare-files"),
                       "--admins", INSTRUCTOR]
    with (running([str(BIN / "jupyterhub"), "-f", str(config)], port=ports["hub"], env=hub_env, cwd=base,
                  log=base / "hub.log", ready_path="/hub/api/", token=admin_token) as hub_server,
          running(ngshare_command, port=ports["ngshare"], env=ngshare_env, cwd=base, log=base / "ngshare.log",
                  ready_path="/healthz", token=admin_token)):
        api = f"http://127.0.0.1:{ports['hub']}/hub/api"
        tokens = {}
        for user in (INSTRUCTOR, *TRAINEES, OUTSIDER):
            status, _ = call(f"{api}/users/{user}", admin_token, "POST", {})
            assert status in (201, 409), (status, (base / "hub.log").read_text()[-2000:])  # 409: in load_groups
            status, body = call(f"{api}/users/{user}/tokens", admin_token, "POST", {"note": "stands for the server"})
            assert status == 201, body
            tokens[user] = body["token"]
        config_values = exec_extra_config(values)
        yield SimpleNamespace(base=base, values=values, course=course, tokens=tokens, api=api, hub=hub_server,
                              ngshare=f"{ngshare_url}/services/ngshare", config=config_values, hub_env=hub_env)


def user_env(site, user: str) -> dict[str, str]:
    """A user's server as the chart spawns it: the values' environment, the hook's additions, the hub's token."""
    status, model = call(f"{site.api}/users/{user}", site.hub.token)
    assert status == 200, model
    env = spawn_environment(site.config, model["groups"], site.hub_env)
    env["JUPYTER_CONFIG_PATH"] = os.pathsep.join(str(kit_path(p, site.values))
                                                 for p in env["JUPYTER_CONFIG_PATH"].split(":"))
    env["CADREKIT_ROOT"] = str(KIT)
    home = site.base / "home" / user
    home.mkdir(parents=True, exist_ok=True)
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("CADREKIT_", "JUPYTER", "NBGRADER"))}
    return {**clean, **env, "HOME": str(home), "USER": user, "JUPYTERHUB_USER": user,
            "JUPYTERHUB_API_TOKEN": site.tokens[user], "CADREKIT_NGSHARE_URL": site.ngshare,
            "JUPYTER_CONFIG_DIR": str(home / ".jupyter"), "JUPYTER_DATA_DIR": str(home / ".local/share/jupyter"),
            "JUPYTER_RUNTIME_DIR": str(home / ".local/share/jupyter/runtime"), "PATH": f"{BIN}:{os.environ['PATH']}"}


def run_as(site, user: str, *args: str, cwd: Path | None = None) -> subprocess.CompletedProcess:
    env = user_env(site, user)
    return subprocess.run([str(BIN / args[0]), *args[1:]], env=env, cwd=cwd or env["HOME"],
                          capture_output=True, text=True, timeout=300)


def answered(notebook: Path, marker: str) -> None:
    nb = json.loads(notebook.read_text(encoding="utf-8"))
    nb["cells"].append({"cell_type": "markdown", "metadata": {}, "source": [marker]})
    notebook.write_text(json.dumps(nb, ensure_ascii=False), encoding="utf-8")


def test_exam_goes_out_and_comes_back_through_ngshare(ngshare_site):
    site = ngshare_site
    home = site.base / "home"
    course_dir = home / INSTRUCTOR / site.course  # ~/lunxun, as deploy/jupyter/instructor/nbgrader_config.py says
    course_dir.mkdir(parents=True)
    shutil.copy(KIT / "grading" / "nbgrader_config.py", course_dir)  # the course folder add-course makes
    shutil.copytree(KIT / "grading" / "source", course_dir / "source")
    instructor_env = user_env(site, INSTRUCTOR)
    assert instructor_env["CADREKIT_GRADEBOOK"] == site.hub_env["CADREKIT_GRADEBOOK"]

    # An ngshare administrator (here the instructor) makes the course; the instructor enrols the trainees.
    roster = course_dir / "ngshare-students.csv"
    roster.write_text("student_id,first_name,last_name,email\n" + "".join(f"{t},,{t},\n" for t in TRAINEES))
    steps = [("ngshare-course-management", "create_course", site.course, INSTRUCTOR),
             ("ngshare-course-management", "add_students", site.course, str(roster), "--no-gb"),
             ("nbgrader", "generate_assignment", EXAM), ("nbgrader", "release_assignment", EXAM)]
    for step in steps:
        result = run_as(site, INSTRUCTOR, *step, cwd=course_dir)
        assert result.returncode == 0, (step, result.stdout, result.stderr)
    assert (course_dir / "release" / EXAM / f"{EXAM}.ipynb").is_file()

    for trainee in TRAINEES:
        result = run_as(site, trainee, "nbgrader", "fetch_assignment", EXAM)
        fetched = home / trainee / EXAM / f"{EXAM}.ipynb"
        assert fetched.is_file(), (result.stdout, result.stderr)
        assert json.loads(fetched.read_text(encoding="utf-8"))["cells"]
        answered(fetched, f"{trainee} 的答卷")
        result = run_as(site, trainee, "nbgrader", "submit", EXAM)
        assert result.returncode == 0, (result.stdout, result.stderr)

    outsider = run_as(site, OUTSIDER, "nbgrader", "fetch_assignment", EXAM)
    assert not (home / OUTSIDER / EXAM).exists(), outsider.stderr

    result = run_as(site, INSTRUCTOR, "nbgrader", "collect", EXAM, cwd=course_dir)
    assert result.returncode == 0, (result.stdout, result.stderr)
    for trainee in TRAINEES:
        submitted = course_dir / "submitted" / trainee / EXAM / f"{EXAM}.ipynb"
        text = submitted.read_text(encoding="utf-8")
        assert f"{trainee} 的答卷" in text
        assert all(f"{other} 的答卷" not in text for other in TRAINEES if other != trainee)

    # A trainee cannot collect, nor download another trainee's submission from ngshare.
    first, second = TRAINEES
    own_course = home / first / site.course
    own_course.mkdir()
    run_as(site, first, "nbgrader", "collect", EXAM, cwd=own_course)
    assert not list(home.joinpath(first).rglob(f"submitted/{second}")), "a trainee collected others' work"
    url = f"{site.ngshare}/submission/{site.course}/{EXAM}/{second}"
    status, body = call(url, site.tokens[first])
    assert status == 403 and not (isinstance(body, dict) and body.get("files")), (status, body)
    status, body = call(url, site.tokens[INSTRUCTOR])
    assert status == 200 and body["success"] and body["files"], (status, body)
    status, body = call(f"{site.ngshare}/submissions/{site.course}/{EXAM}", site.tokens[first])
    assert status == 403, body
