"""Offline self-study: modules opened, time studied (学时), practice results and the 错题本.

Kept in one JSON file in the user's data folder (``$CADREKIT_STUDY_DIR`` or
``~/.local/share/cadrekit``), never in the course folder, so a course update cannot wipe it.
Every change re-reads the file under a lock and writes it atomically, so several open notebooks
do not overwrite each other. Runs in trainee kernels: no pandas.
"""

from __future__ import annotations

import contextlib
import html
import os
from collections.abc import Callable, Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

from cadrekit.jsonfile import atomic_write_json, backup, read_document

FORMAT = "cadrekit-study/1"
MINUTES_PER_HOUR = 45  # one 学时 is 45 minutes
HEARTBEAT_SECONDS = 60
MASTERED_AFTER = 2  # a mistake leaves the 错题本 after this many right answers in a row

try:
    import fcntl
except ImportError:  # Windows: no advisory locks; single-notebook use is still safe
    fcntl = None


def study_dir() -> Path:
    if env := os.environ.get("CADREKIT_STUDY_DIR"):
        return Path(env)
    base = os.environ.get("XDG_DATA_HOME") or Path.home() / ".local" / "share"
    return Path(base) / "cadrekit"


def _now() -> str:
    return datetime.now().isoformat(timespec="seconds")


class StudyLog:
    """The trainee's study record. Read with ``data``; change only through the methods."""

    def __init__(self, folder: Path | None = None):
        self.folder = folder or study_dir()
        self.path = self.folder / "study.json"
        self.warnings: list[str] = []
        self.data = self._read()

    def _empty(self) -> dict[str, Any]:
        return {"format": FORMAT, "modules": {}, "quizzes": {}, "mistakes": {}}

    def _read(self) -> dict[str, Any]:
        if not self.path.exists():
            return self._empty()
        try:
            data = read_document(self.path, FORMAT)
            for key in ("modules", "quizzes", "mistakes"):
                if not isinstance(data.get(key), dict):
                    raise ValueError(f"缺少 {key}")
            return data
        except (OSError, ValueError) as exc:
            copy = backup(self.path)  # raises if even a copy is impossible: then nothing is written
            self.warnings.append(f"学习记录 {self.path} 无法读取（{exc}），已备份为 {copy.name}，重新开始记录。")
            atomic_write_json(self.path, self._empty())
            return self._empty()

    @contextlib.contextmanager
    def _change(self) -> Iterator[dict[str, Any]]:
        """Re-read, let the caller change, write back: all under the lock."""
        self.folder.mkdir(parents=True, exist_ok=True)
        with open(self.folder / ".study.lock", "w") as lock:
            if fcntl:
                fcntl.flock(lock, fcntl.LOCK_EX)
            self.data = self._read()
            yield self.data
            atomic_write_json(self.path, self.data)

    # -- events ---------------------------------------------------------------------------
    def open_module(self, module: str, title: str, hours: float) -> None:
        with self._change() as data:
            entry = data["modules"].setdefault(module, {"title": title, "hours": hours, "seconds": 0,
                                                        "first_opened": _now(), "sessions": 0})
            entry.update(title=title, hours=hours, last_opened=_now())
            entry["sessions"] += 1

    def add_time(self, module: str, seconds: int) -> None:
        with self._change() as data:
            if module in data["modules"]:
                data["modules"][module]["seconds"] += seconds

    def record_answer(self, quiz_id: str, module: str | None, bank: str, item_id: str, correct: bool,
                      earned: float, possible: float) -> None:
        """One practice result: update the quiz tally and the 错题本."""
        with self._change() as data:
            quiz = data["quizzes"].setdefault(quiz_id, {"module": module, "items": {}})
            quiz["items"][item_id] = {"earned": earned, "possible": possible, "at": _now()}
            quiz["updated"] = _now()
            mistake = data["mistakes"].get(item_id)
            if not correct:
                data["mistakes"][item_id] = {"bank": bank, "wrong": (mistake or {}).get("wrong", 0) + 1,
                                             "streak": 0, "last_wrong": _now()}
            elif mistake is not None:
                mistake["streak"] += 1
                if mistake["streak"] >= MASTERED_AFTER:
                    del data["mistakes"][item_id]

    # -- views ----------------------------------------------------------------------------
    def mistakes(self) -> dict[str, dict[str, Any]]:
        return dict(self.data["mistakes"])

    def module_rows(self) -> list[dict[str, Any]]:
        rows = []
        for module, entry in sorted(self.data["modules"].items()):
            quizzes = [q for q in self.data["quizzes"].values() if q.get("module") == module]
            items = [i for q in quizzes for i in q["items"].values()]
            rows.append({
                "module": module, "title": entry["title"], "first": entry["first_opened"][:10],
                "last": entry.get("last_opened", entry["first_opened"])[:10],
                "minutes": entry["seconds"] // 60,
                "study_hours": round(entry["seconds"] / 60 / MINUTES_PER_HOUR, 1),
                "planned_hours": entry["hours"],
                "practiced": len(items),
                "score": sum(i["earned"] for i in items), "possible": sum(i["possible"] for i in items),
            })
        return rows


def record_html(log: StudyLog, student: str) -> str:
    """A printable 学习记录 page (self-contained HTML, no external resources)."""
    rows = log.module_rows()
    body = "".join(
        f"<tr><td>{html.escape(r['title'])}</td><td>{r['first']}</td><td>{r['last']}</td>"
        f"<td>{r['minutes']}</td><td>{r['study_hours']:g} / {r['planned_hours']:g}</td>"
        f"<td>{r['practiced']}</td><td>{r['score']:g} / {r['possible']:g}</td></tr>" for r in rows)
    total_minutes = sum(r["minutes"] for r in rows)
    total = round(total_minutes / MINUTES_PER_HOUR, 1)
    return (
        "<!DOCTYPE html><html lang='zh-CN'><head><meta charset='utf-8'><title>学习记录</title>"
        "<style>body{font-family:'Noto Sans CJK SC','Microsoft YaHei',sans-serif;margin:2em}"
        "table{border-collapse:collapse}td,th{border:1px solid #999;padding:.3em .6em}</style></head><body>"
        f"<h1>学习记录</h1><p>学员：{html.escape(student)}　生成时间：{_now().replace('T', ' ')}</p>"
        "<table><tr><th>模块</th><th>首次学习</th><th>最近学习</th><th>学习时长（分钟）</th>"
        "<th>折合学时 / 计划学时</th><th>练习题数</th><th>练习得分</th></tr>"
        f"{body}</table><p>合计学习 {total_minutes} 分钟，折合 {total:g} 学时（每学时 {MINUTES_PER_HOUR} 分钟）。"
        f"错题本中还有 {len(log.mistakes())} 道题。</p></body></html>")


def practice_recorder(quiz_id: str, module: str | None, banks: dict[str, str]) -> Callable[[Any, Any], None]:
    """A Quiz ``on_result`` callback that writes practice results into the study log.

    ``banks`` maps item id to the bank file's stem, where the 错题本 finds the item again.
    """
    def record(item, result) -> None:
        with contextlib.suppress(OSError):  # a full disk must not break the quiz itself
            StudyLog().record_answer(quiz_id, module, banks[item.id], item.id, result.status == "correct",
                                     result.earned, result.possible)
    return record


# -- widgets for the course notebooks ------------------------------------------------------------
def track(module: str, title: str, hours: float):
    """Record that a module was opened and count time while its page stays open (one tick a minute)."""
    import ipywidgets as w

    status = w.HTML()
    try:
        log = StudyLog()
        log.open_module(module, title, hours)
    except OSError as exc:
        status.value = f"⚠ 学习记录无法保存（{html.escape(str(exc))}），不影响学习。"
        return status

    def show() -> None:
        seconds = log.data["modules"][module]["seconds"]
        notes = "".join(f"<br>⚠ {html.escape(m)}" for m in log.warnings)
        status.value = (f"<span style='color:#555'>⏱ 本模块累计学习 {seconds // 60} 分钟"
                        f"（计划 {hours:g} 学时）；学习时间在本页面打开期间自动记录。</span>{notes}")

    beat = w.Play(value=0, min=0, max=10**9, step=1, interval=HEARTBEAT_SECONDS * 1000, playing=True,
                  layout=w.Layout(display="none"))

    def tick(_change) -> None:
        with contextlib.suppress(OSError):
            log.add_time(module, HEARTBEAT_SECONDS)
        show()

    beat.observe(tick, names="value")
    show()
    return w.VBox([status, beat])


def study_record(student: str | None = None):
    """The 学习记录 view with a button that saves it as a printable HTML page beside the notebook."""
    import ipywidgets as w

    from cadrekit.quiz import current_student

    student = student or current_student()
    log = StudyLog()
    page = record_html(log, student)
    view = w.HTML(page[page.index("<h1>"):page.index("</body>")])
    saved = w.HTML()
    button = w.Button(description="保存为网页（可打印）", icon="print", button_style="info")

    def save(_button) -> None:
        target = Path("学习记录.html")
        try:
            target.write_text(record_html(StudyLog(), student), encoding="utf-8")
        except OSError as exc:
            saved.value = f"⚠ 保存失败：{html.escape(str(exc))}"
            return
        saved.value = f"已保存为 {target.resolve().name}：在左侧文件浏览器中右键 → “在新浏览器标签中打开”，即可打印。"

    button.on_click(save)
    return w.VBox([view, button, saved])


def mistakes_quiz(quizzes: str | Path = "../quizzes"):
    """The 错题本: the trainee's wrongly answered items, asked afresh until right twice in a row."""
    import ipywidgets as w

    from cadrekit.bank.loader import load_items
    from cadrekit.quiz import Quiz

    log = StudyLog()
    wanted = log.mistakes()
    if not wanted:
        return w.HTML("<b>错题本是空的。</b>练习中答错的题目会自动收入这里，连续答对两次后移出。")
    items, banks, missing = [], {}, []
    for bank in sorted({entry["bank"] for entry in wanted.values()}):
        path = Path(quizzes) / f"{bank}.yaml"
        by_id = {item.id: item for item in load_items(path)} if path.exists() else {}
        for item_id, entry in wanted.items():
            if entry["bank"] != bank:
                continue
            if item_id in by_id:
                items.append(by_id[item_id])
                banks[item_id] = bank
            else:
                missing.append(item_id)
    if not items:
        return w.HTML(f"错题本中的 {len(missing)} 道题已不在题库中（题库已更新），无需再练。")
    quiz = Quiz("cuotiben", items, title=f"错题本（{len(items)} 道）", folder=None,
                on_result=practice_recorder("cuotiben", None, banks))
    return quiz
