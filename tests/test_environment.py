"""environment.yml lists exactly the dependencies of pyproject.toml; the lock pins all of them."""

import subprocess
import sys
import tomllib

import yaml
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

from .conftest import KIT


def normalized(spec: str) -> tuple[str, str]:
    req = Requirement(spec)
    return canonicalize_name(req.name), ",".join(sorted(str(s) for s in req.specifier))


def pyproject_dependencies() -> set[tuple[str, str]]:
    project = tomllib.loads((KIT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    specs = project["dependencies"] + [d for extra in project["optional-dependencies"].values() for d in extra]
    return {normalized(s) for s in specs}


def environment_dependencies() -> set[tuple[str, str]]:
    env = yaml.safe_load((KIT / "environment.yml").read_text(encoding="utf-8"))
    assert env["channels"] == ["conda-forge"]
    specs = []
    for entry in env["dependencies"]:
        if isinstance(entry, dict):
            specs += [s for s in entry["pip"] if not s.startswith("-e")]
        elif normalized(entry)[0] not in ("python", "pip"):
            specs.append(entry)
    return {normalized(s) for s in specs}


def test_environment_yml_matches_pyproject():
    assert environment_dependencies() == pyproject_dependencies()


def test_lock_pins_every_dependency_exactly():
    pins = {}
    for line in (KIT / "requirements.lock").read_text(encoding="utf-8").splitlines():
        if line and not line.startswith((" ", "#")):
            req = Requirement(line)
            pins[canonicalize_name(req.name)] = str(req.specifier)
    for name, _spec in pyproject_dependencies():
        assert pins.get(name, "").startswith("=="), f"{name} is not pinned in requirements.lock"


def test_quiz_import_stays_light():
    code = ("import sys, cadrekit.quiz; heavy = {'pandas', 'numpy', 'jsonschema', 'nbgrader'} & "
            "{m.split('.')[0] for m in sys.modules}; print(sorted(heavy))")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "[]"
