"""JupyterHub for one district server (up to a few hundred trainees): deploy/README.md, step by step.

Unix accounts log in with their password (PAM). Members of the Unix group of instructors become
the JupyterHub group formgrade-<course> and get nbgrader's formgrader; members of the trainee
group become nbgrader-<course> and see only the Assignments panel. Every server runs as its own
Unix user (LocalProcessSpawner) from the kit's virtualenv, opens /lab in Chinese, and is stopped
after an hour without activity.

Site settings come from the environment (deploy/setup-hub.sh writes them to /etc/cadrekit/hub.env,
which the systemd unit reads); a file /etc/cadrekit/jupyterhub_config_local.py, when present, is
loaded last for anything else (HTTPS certificate, admin users, another spawner).
"""

import grp
import os
import sys
from pathlib import Path

c = get_config()  # noqa: F821  (provided by traitlets)


def setting(name: str, default: str) -> str:
    return os.environ.get(f"CADREKIT_{name}", default)


KIT = Path(__file__).resolve().parents[1]  # the cadrekit checkout this file ships in
BIN = Path(sys.executable).parent  # the kit's virtualenv: the hub runs from it
COURSE = setting("COURSE", "lunxun")
EXCHANGE = setting("EXCHANGE", "/srv/nbgrader/exchange")
INSTRUCTORS = setting("INSTRUCTOR_GROUP", "cadrekit-instructors")  # Unix groups
TRAINEES = setting("TRAINEE_GROUP", "cadrekit-trainees")
STATE = Path(setting("HUB_STATE", "/var/lib/cadrekit-hub"))  # hub database, cookie secret
SYSTEM_CONFIG = setting("SYSTEM_CONFIG", "/etc/jupyter")  # holds deploy/nbgrader_config.py
ROLE_CONFIG = KIT / "deploy" / "jupyter"  # per-role server and JupyterLab settings
IDLE_SECONDS = int(setting("IDLE_TIMEOUT", "3600"))
GRADERS = f"formgrade-{COURSE}"  # nbgrader's JupyterHub group names
STUDENTS = f"nbgrader-{COURSE}"


def unix_members(group: str) -> list[str]:
    try:
        return sorted(grp.getgrnam(group).gr_mem)
    except KeyError:
        return []


# -- the hub itself --------------------------------------------------------------------------
c.JupyterHub.bind_url = setting("BIND_URL", "http://:8000")
c.JupyterHub.hub_bind_url = setting("HUB_BIND_URL", "http://127.0.0.1:8081")  # internal: proxy and servers to hub
if proxy_api := setting("PROXY_API_URL", ""):  # internal: hub to proxy (JupyterHub's default 127.0.0.1:8001)
    c.ConfigurableHTTPProxy.api_url = proxy_api
c.JupyterHub.db_url = f"sqlite:///{STATE / 'jupyterhub.sqlite'}"
c.JupyterHub.cookie_secret_file = str(STATE / "jupyterhub_cookie_secret")
c.ConfigurableHTTPProxy.pid_file = str(STATE / "jupyterhub-proxy.pid")
if cert := setting("SSL_CERT", ""):
    c.JupyterHub.ssl_cert = cert
    c.JupyterHub.ssl_key = setting("SSL_KEY", "")

# -- who may log in, and in which role -------------------------------------------------------
c.JupyterHub.authenticator_class = "pam"
c.PAMAuthenticator.allowed_groups = {INSTRUCTORS, TRAINEES}
c.LocalAuthenticator.create_system_users = False  # accounts come from setup-hub.sh
c.JupyterHub.load_groups = {
    GRADERS: {"users": unix_members(INSTRUCTORS)},
    STUDENTS: {"users": unix_members(TRAINEES)},
}
c.JupyterHub.load_roles = [
    # A server's token carries its owner's permissions: nbgrader asks the hub for the owner's groups.
    {"name": "server", "scopes": ["inherit"]},
    # Instructors may enrol trainees from formgrader (nbgrader adds them to nbgrader-<course>).
    {"name": "cadrekit-instructor", "groups": [GRADERS],
     "scopes": ["list:groups", f"read:groups!group={STUDENTS}", f"groups!group={STUDENTS}"]},
    {"name": "idle-culler", "services": ["idle-culler"],
     "scopes": ["list:users", "read:users:activity", "read:servers", "delete:servers"]},
]
c.JupyterHub.services = [{
    "name": "idle-culler",
    "command": [sys.executable, "-m", "jupyterhub_idle_culler", f"--timeout={IDLE_SECONDS}"],
}]

# -- each user's server ----------------------------------------------------------------------
c.JupyterHub.spawner_class = "localprocess"
c.Spawner.cmd = [str(BIN / "jupyterhub-singleuser")]
c.Spawner.default_url = "/lab"
c.Spawner.notebook_dir = "~"
c.Spawner.mem_limit = setting("MEM_LIMIT", "1G")  # enforced by SystemdSpawner and Kubernetes, not by local processes
c.Spawner.http_timeout = 120  # many trainees log in at once when an exam starts; 2 cores start them in turn
c.Spawner.start_timeout = 120
c.Spawner.args = [
    "--MappingKernelManager.cull_idle_timeout=1800",  # an idle kernel (~52 MiB) goes after 30 minutes
    "--MappingKernelManager.cull_interval=300",
]
c.Spawner.environment = {
    "PATH": os.pathsep.join([str(BIN), "/usr/local/bin", "/usr/bin", "/bin"]),
    "LANG": "C.UTF-8",
    "CADREKIT_ROOT": str(KIT),
    "CADREKIT_COURSE": COURSE,
    "CADREKIT_EXCHANGE": EXCHANGE,
}


def role_of(spawner) -> str:
    groups = {group.name for group in spawner.user.groups}
    return "instructor" if GRADERS in groups else "trainee"


def configure_role(spawner) -> None:
    """Formgrader and the gradebook address for instructors; the Assignments panel for everyone."""
    role = role_of(spawner)
    env = {"JUPYTER_CONFIG_PATH": os.pathsep.join([str(ROLE_CONFIG / role), SYSTEM_CONFIG])}
    if role == "instructor" and os.environ.get("CADREKIT_GRADEBOOK"):
        env["CADREKIT_GRADEBOOK"] = os.environ["CADREKIT_GRADEBOOK"]  # never handed to trainees
    spawner.environment = {**spawner.environment, **env}


c.Spawner.pre_spawn_hook = configure_role

local = setting("HUB_LOCAL_CONFIG", "/etc/cadrekit/jupyterhub_config_local.py")
if local and Path(local).is_file():
    load_subconfig(local)  # noqa: F821  (provided by traitlets)
