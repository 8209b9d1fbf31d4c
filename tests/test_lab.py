"""The start command's server: real JupyterLab on the course, Chinese UI, nbgrader defaults."""

import json
import stat
import sys
from pathlib import Path

from cadrekit.lab import write_lab_defaults

from .conftest import KIT
from .servers import free_port, running


def test_lab_defaults_merge_and_keep_other_settings(tmp_path: Path):
    path = tmp_path / "share" / "jupyter" / "lab" / "settings" / "overrides.json"
    path.parent.mkdir(parents=True)
    path.write_text(json.dumps({"@jupyterlab/apputils-extension:themes": {"theme": "JupyterLab Dark"}}))
    assert write_lab_defaults(tmp_path) == path
    settings = json.loads(path.read_text())
    assert settings["@jupyterlab/translation-extension:plugin"]["locale"] == "zh_CN"
    assert settings["@jupyterlab/apputils-extension:themes"]["theme"] == "JupyterLab Dark"
    assert settings["@jupyterlab/apputils-extension:notification"] == {"fetchNews": "false", "checkForUpdates": False}
    before = path.stat().st_mtime_ns
    write_lab_defaults(tmp_path)
    assert path.stat().st_mtime_ns == before  # idempotent: nothing rewritten


def test_study_serves_the_course_in_chinese(tmp_path: Path):
    port = free_port()
    data = tmp_path / "data"
    env = {"CADREKIT_DATA": str(data), "JUPYTER_RUNTIME_DIR": str(tmp_path / "runtime"),
           "JUPYTERLAB_WORKSPACES_DIR": str(tmp_path / "workspaces")}
    command = [sys.executable, "-m", "cadrekit.cli", "study", "--no-browser", "--port", str(port)]
    with running(command, port=port, env=env, log=tmp_path / "lab.log") as lab:
        status, listing = lab.get("/api/contents/")
        assert status == 200
        names = {entry["name"] for entry in listing["content"]}
        assert {p.name for p in (KIT / "courses").glob("*.ipynb")} <= names
        status, setting = lab.get("/lab/api/settings/@jupyterlab/translation-extension:plugin")
        assert status == 200 and setting["schema"]["properties"]["locale"]["default"] == "zh_CN"
        status, pack = lab.get("/lab/api/translations/zh_CN")
        assert status == 200 and pack["data"], "zh-CN language pack is not installed"
        status, assignments = lab.get("/assignments?course_id=lunxun")
        assert status == 200 and assignments["success"], assignments
    exchange = data / "exchange"
    assert exchange.is_dir() and stat.S_IMODE(exchange.stat().st_mode) == 0o1777
