"""Offline self-study: progress, 学时, the 错题本 and a corrupt local store."""

import json
from pathlib import Path

import ipywidgets as w

from cadrekit.quiz import Quiz, practice
from cadrekit.study import StudyLog, mistakes_quiz, record_html, study_record, track

from .conftest import SAMPLE_BANK


def test_modules_time_and_hours(study_dir: Path):
    log = StudyLog()
    log.open_module("01-三会一课", "三会一课", 2)
    for _ in range(45):
        log.add_time("01-三会一课", 60)
    log.open_module("01-三会一课", "三会一课", 2)
    row = StudyLog().module_rows()[0]
    assert (row["minutes"], row["study_hours"], row["planned_hours"]) == (45, 1.0, 2)
    assert json.loads((study_dir / "study.json").read_text(encoding="utf-8"))["modules"]["01-三会一课"]["sessions"] == 2


def test_mistakes_leave_after_two_right_answers_in_a_row():
    log = StudyLog()
    log.record_answer("q", "m", "bank", "i1", False, 0, 1)
    log.record_answer("q", "m", "bank", "i1", True, 1, 1)
    log.record_answer("q", "m", "bank", "i1", False, 0, 1)  # wrong again: the streak starts over
    log.record_answer("q", "m", "bank", "i1", True, 1, 1)
    assert log.mistakes()["i1"] == {**log.mistakes()["i1"], "wrong": 2, "streak": 1}
    log.record_answer("q", "m", "bank", "i1", True, 1, 1)
    assert "i1" not in StudyLog().mistakes()


def test_two_open_notebooks_do_not_overwrite_each_other():
    first, second = StudyLog(), StudyLog()
    first.open_module("a", "甲", 1)
    second.open_module("b", "乙", 1)
    first.add_time("a", 60)
    second.record_answer("q", "b", "bank", "i9", False, 0, 1)
    final = StudyLog()
    assert set(final.data["modules"]) == {"a", "b"}
    assert final.data["modules"]["a"]["seconds"] == 60 and "i9" in final.mistakes()


def test_corrupt_store_is_backed_up_and_reported(study_dir: Path):
    (study_dir / "study.json").write_text('{"format": "cadrekit-study/1", "modules": ', encoding="utf-8")
    log = StudyLog()
    backups = list(study_dir.glob("study.unreadable-*.json"))
    assert len(backups) == 1 and backups[0].read_text(encoding="utf-8").endswith('"modules": ')
    assert "无法读取" in log.warnings[0] and backups[0].name in log.warnings[0]
    log.open_module("a", "甲", 1)
    assert StudyLog().data["modules"]["a"]["title"] == "甲"
    widget = track("b", "乙", 1)
    assert "无法读取" not in widget.children[0].value  # the warning was shown once, the file is healthy now


def test_practice_results_feed_progress_and_mistakes(tmp_path: Path):
    quiz = practice(SAMPLE_BANK, quiz_id="m9", module="09-示例", folder=tmp_path)
    views = {v.item.id: v for v in quiz.views}
    views["s-single"].inputs[0].value = "A"  # wrong
    views["s-tf"].inputs[0].value = False  # right
    log = StudyLog()
    assert set(log.mistakes()) == {"s-single"} and log.mistakes()["s-single"]["bank"] == "sample"
    assert log.data["quizzes"]["m9"]["module"] == "09-示例"

    book = mistakes_quiz(SAMPLE_BANK.parent)
    assert isinstance(book, Quiz) and [v.item.id for v in book.views] == ["s-single"]
    assert book.store.path is None  # the 错题本 asks afresh every time
    for _ in range(2):
        book.views[0].inputs[0].value = None
        book.views[0].inputs[0].value = "B"
    assert StudyLog().mistakes() == {}
    assert "错题本是空的" in mistakes_quiz(SAMPLE_BANK.parent).value


def test_mistakes_of_retired_items_are_explained(study_dir: Path):
    StudyLog().record_answer("q", None, "sample", "gone-item", False, 0, 1)
    assert "已不在题库中" in mistakes_quiz(SAMPLE_BANK.parent).value


def test_heartbeat_counts_time():
    box = track("01-三会一课", "三会一课", 2)
    status, beat = box.children
    assert isinstance(beat, w.Play) and beat.playing and beat.interval == 60_000
    for tick in range(1, 4):
        beat.value = tick
    assert StudyLog().data["modules"]["01-三会一课"]["seconds"] == 180
    assert "累计学习 3 分钟" in status.value


def test_record_page_is_self_contained_and_saved(tmp_path: Path, monkeypatch):
    log = StudyLog()
    log.open_module("01-三会一课", "三会一课", 2)
    log.add_time("01-三会一课", 90 * 60)
    log.record_answer("m01", "01-三会一课", "bank", "i1", True, 2, 2)
    page = record_html(StudyLog(), "t001")
    assert "三会一课" in page and "90" in page and "2 / 2" in page and "折合 2 学时" in page
    assert "http" not in page and "<script" not in page
    monkeypatch.chdir(tmp_path)
    box = study_record("t001")
    box.children[1].click()
    assert (tmp_path / "学习记录.html").read_text(encoding="utf-8").count("三会一课") == 1
    assert "已保存" in box.children[2].value
