"""Small JSON documents that must never be lost: atomic writes and backups of unreadable files.

Used by the answers sidecar and the self-study log. Light imports only: trainee kernels use it.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from datetime import datetime
from pathlib import Path
from typing import Any


def read_document(path: Path, fmt: str) -> dict[str, Any]:
    """Parse a JSON document tagged ``"format": fmt``; ValueError with a plain reason otherwise."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except UnicodeDecodeError as exc:
        raise ValueError("文件不是 UTF-8 文本") from exc
    except json.JSONDecodeError as exc:
        raise ValueError(f"JSON 格式错误（第 {exc.lineno} 行第 {exc.colno} 列）") from exc
    if not isinstance(data, dict) or data.get("format") != fmt:
        raise ValueError(f"缺少 \"format\": \"{fmt}\"")
    return data


def backup(path: Path) -> Path:
    """Copy ``path`` aside as ``<name>.unreadable-<time>.json``; OSError if that is impossible."""
    stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
    target = path.with_name(f"{path.name.removesuffix('.json')}.unreadable-{stamp}.json")
    shutil.copy2(path, target)
    return target


def atomic_write_json(path: Path, document: Any) -> None:
    """Write JSON to a temporary file in the same folder, fsync it, then rename over ``path``."""
    text = json.dumps(document, ensure_ascii=False, indent=2) + "\n"
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        if path.exists():
            shutil.copymode(path, tmp)
        else:
            os.chmod(tmp, 0o666 & ~_umask())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask
