"""The answers sidecar: one JSON file beside the notebook, rewritten atomically on every change.

nbgrader collects the whole assignment folder, so the sidecar travels with the submission and the
grader scores it; re-running the notebook restores the widgets from it. Nothing that cannot be
read is ever overwritten before a backup copy of it exists.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from cadrekit.jsonfile import atomic_write_json, backup, read_document

FORMAT = "cadrekit-answers/1"
SUFFIX = ".answers.json"
SIDECAR_GLOB = "*.answers*.json"
"""Sidecars and the backups of unreadable ones."""


def sidecar_path(quiz_id: str, folder: str | Path = ".") -> Path:
    return Path(folder) / f"{quiz_id}{SUFFIX}"


def read_sidecar(path: Path) -> dict[str, Any]:
    """Parse a sidecar; raise ValueError with a plain reason when it is not one."""
    data = read_document(path, FORMAT)
    if not isinstance(data.get("answers"), dict):
        raise ValueError("缺少 answers 对象")
    return data


class AnswerStore:
    """Answers of one quiz, keyed by item id, mirrored to ``path`` after every change.

    With ``path=None`` answers live only in memory (the 错题本 asks afresh every time).
    """

    def __init__(self, path: str | Path | None, quiz_id: str, student: str | None = None):
        self.path = Path(path) if path is not None else None
        self.quiz_id = quiz_id
        self.student = student
        self.answers: dict[str, Any] = {}
        self.warnings: list[str] = []
        self.saved_at: datetime | None = None
        self.save_error: str | None = None
        self._writable = True
        self._load()

    def _load(self) -> None:
        if self.path is None or not self.path.exists():
            return
        try:
            data = read_sidecar(self.path)
        except (OSError, ValueError) as exc:
            self.keep_backup(f"答案文件 {self.path.name} 无法读取（{exc}）")
            return
        if data.get("quiz") != self.quiz_id:
            self.keep_backup(f"答案文件 {self.path.name} 属于另一份测验（{data.get('quiz')}）")
            return
        self.answers = data["answers"]

    def keep_backup(self, reason: str) -> Path | None:
        """Copy the current file aside and record why; block saving if no copy could be made."""
        try:
            copy = backup(self.path)
        except OSError as exc:
            self._writable = False
            self.warnings.append(f"{reason}；也无法备份（{exc}），为免覆盖，本次作答不会保存。请联系教员。")
            return None
        self.warnings.append(f"{reason}；原文件已备份为 {copy.name}，请联系教员核对。")
        return copy

    def get(self, item_id: str) -> Any:
        return self.answers.get(item_id)

    def set(self, item_id: str, response: Any) -> bool:
        """Record a response and save at once; False (and ``save_error``) when saving failed."""
        self.answers[item_id] = response
        return self.save()

    def save(self) -> bool:
        if self.path is None:
            return True
        if not self._writable:
            self.save_error = "答案文件无法读取也无法备份，已停止保存以免覆盖"
            return False
        document = {
            "format": FORMAT,
            "quiz": self.quiz_id,
            "student": self.student,
            "saved_at": datetime.now(UTC).isoformat(timespec="seconds"),
            "answers": self.answers,
        }
        try:
            atomic_write_json(self.path, document)
        except OSError as exc:
            self.save_error = f"答案保存失败：{exc.strerror or exc}（{self.path}）"
            return False
        self.saved_at = datetime.now()
        self.save_error = None
        return True
