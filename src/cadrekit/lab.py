"""Start JupyterLab on the course with the kit's defaults (zh_CN UI, the course's nbgrader config)."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

from cadrekit.paths import data_dir, kit_root

LAB_DEFAULTS = {
    "@jupyterlab/translation-extension:plugin": {"locale": "zh_CN"},
    # offline: never ask to fetch Jupyter news or look for updates on the internet
    "@jupyterlab/apputils-extension:notification": {"fetchNews": "false", "checkForUpdates": False},
}


def write_lab_defaults(prefix: str | Path = sys.prefix) -> Path:
    """Make the kit's settings (Chinese UI, no internet look-ups) this environment's defaults.

    JupyterLab reads ``overrides.json`` from ``{prefix}/share/jupyter/lab/settings``; other
    settings in that file are kept.
    """
    path = Path(prefix) / "share" / "jupyter" / "lab" / "settings" / "overrides.json"
    settings = json.loads(path.read_text(encoding="utf-8")) if path.exists() else {}
    wanted = {plugin: {**settings.get(plugin, {}), **values} for plugin, values in LAB_DEFAULTS.items()}
    if any(settings.get(plugin) != values for plugin, values in wanted.items()):
        settings.update(wanted)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(settings, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    return path


def prepare_exchange(root: Path) -> Path:
    """The local nbgrader exchange, world-writable with the sticky bit as nbgrader expects."""
    root.mkdir(parents=True, exist_ok=True)
    root.chmod(0o1777)
    return root


def lab_environment() -> dict[str, str]:
    """Environment for the server: nbgrader finds the course config through JUPYTER_CONFIG_PATH."""
    env = dict(os.environ)
    grading = str(kit_root() / "grading")
    env["JUPYTER_CONFIG_PATH"] = os.pathsep.join(p for p in (grading, env.get("JUPYTER_CONFIG_PATH")) if p)
    env.setdefault("CADREKIT_EXCHANGE", str(data_dir() / "exchange"))
    return env


def lab_command(root_dir: Path, *, port: int | None = None, ip: str = "127.0.0.1",
                open_browser: bool = True, extra: list[str] = ()) -> list[str]:
    command = [sys.executable, "-m", "jupyter", "lab", f"--ServerApp.root_dir={root_dir}",
               f"--ServerApp.ip={ip}", f"--ServerApp.open_browser={open_browser}"]
    if port:
        command.append(f"--ServerApp.port={port}")
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        command.append("--allow-root")
    return command + [a for a in extra if a != "--"]


def start_lab(root_dir: Path, *, port: int | None = None, ip: str = "127.0.0.1", open_browser: bool = True,
              extra: list[str] = ()) -> None:
    """Replace this process with JupyterLab on ``root_dir`` (courses/ to study, the kit to teach)."""
    write_lab_defaults()
    env = lab_environment()
    prepare_exchange(Path(env["CADREKIT_EXCHANGE"]))
    command = lab_command(root_dir, port=port, ip=ip, open_browser=open_browser, extra=extra)
    print("cadrekit: 正在启动 JupyterLab（按 Ctrl+C 停止）…", file=sys.stderr)
    os.chdir(root_dir)  # nbgrader fetches assignments into the server's working folder
    os.execve(command[0], command, env)
