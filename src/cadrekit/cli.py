"""The ``cadrekit`` command: a thin dispatcher; each verb lives in its own package."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from cadrekit.paths import kit_root


def _bank_check(args: argparse.Namespace) -> int:
    from cadrekit.bank.check import check_paths

    paths = args.paths or [kit_root() / "quizzes"]
    problems = check_paths(paths)
    for problem in problems:
        print(problem)
    if problems:
        print(f"共 {len(problems)} 个问题。", file=sys.stderr)
        return 1
    print("题库检查通过。", file=sys.stderr)
    return 0


def _bank_stats(args: argparse.Namespace) -> int:
    from cadrekit.bank.stats import bank_stats

    stats = bank_stats(args.paths or [kit_root() / "quizzes"])
    if args.json:
        print(json.dumps(stats, ensure_ascii=False, indent=2))
        return 0
    print(f"题目总数 {stats['total']}，有完整依据 {stats['full_source']}（{stats['full_source_ratio']:.0%}）")
    for path, info in stats["files"].items():
        types = "，".join(f"{k} {v}" for k, v in info["by_type"].items())
        print(f"  {path}：{info['items']} 题（{types}）")
    return 0


def _exam_build(args: argparse.Namespace) -> int:
    from cadrekit.exam.build import build_exam
    from cadrekit.exam.spec import SpecError, load_spec

    grading = args.course
    specs = args.specs or sorted((grading / "exams").glob("*.yaml"))
    failed = 0
    for path in specs:
        try:
            spec = load_spec(path, kit_root() / "quizzes")
            written = build_exam(spec, grading / "source", grading / "exams" / "files")
        except SpecError as exc:
            print(exc, file=sys.stderr)
            failed += 1
            continue
        print(f"{written}：{len(spec.items)} 道题，{len(spec.tasks)} 道作答题")
    if not failed:
        print("下一步：cd grading && nbgrader generate_assignment <考试编号>", file=sys.stderr)
    return 1 if failed else 0


def _grade(args: argparse.Namespace) -> int:
    from cadrekit.grading.runner import grade, progress_bar, summary_table

    try:
        outcomes = grade(args.course, args.assignment, workers=args.workers, force=args.force,
                         progress=progress_bar)
    except FileNotFoundError as exc:
        print(exc, file=sys.stderr)
        return 2
    print(summary_table(outcomes))
    return 0 if all(o.graded for o in outcomes) else 1


def _roster_import(args: argparse.Namespace) -> int:
    from cadrekit.grading.runner import load_config
    from cadrekit.roster import RosterError, import_roster

    db_url = load_config(args.course.resolve()).CourseDirectory.db_url
    try:
        added, updated = import_roster(args.file, db_url)
    except RosterError as exc:
        for problem in exc.problems:
            print(f"{exc.path}: {problem}", file=sys.stderr)
        print("名单有问题，未导入任何学员；请修改后重新导入。", file=sys.stderr)
        return 1
    print(f"已导入名单：新增 {added} 人，更新 {updated} 人。")
    return 0


def _study(args: argparse.Namespace) -> int:
    from cadrekit.lab import study

    study(port=args.port, ip=args.ip, open_browser=not args.no_browser)
    return 0


def _lab_defaults(_args: argparse.Namespace) -> int:
    from cadrekit.lab import write_lab_defaults

    print(write_lab_defaults())
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="cadrekit", description="党务干部轮训：课程、测验、考试与统计")
    verbs = parser.add_subparsers(dest="verb", required=True)

    bank = verbs.add_parser("bank", help="题库：检查与统计").add_subparsers(dest="bank_verb", required=True)
    check = bank.add_parser("check", help="逐题检查题库文件，有问题时返回非零")
    check.add_argument("paths", nargs="*", type=Path, help="题库文件或目录（默认 quizzes/）")
    check.set_defaults(run=_bank_check)
    stats = bank.add_parser("stats", help="按文件、题型、标签统计题目数量")
    stats.add_argument("paths", nargs="*", type=Path, help="题库文件或目录（默认 quizzes/）")
    stats.add_argument("--json", action="store_true", help="输出 JSON")
    stats.set_defaults(run=_bank_stats)

    exam = verbs.add_parser("exam", help="考试：由考试配置生成 nbgrader 源作业").add_subparsers(
        dest="exam_verb", required=True)
    build = exam.add_parser("build", help="把 grading/exams/*.yaml 写成 grading/source/<考试>/")
    build.add_argument("specs", nargs="*", type=Path, help="考试配置文件（默认 grading/exams/ 下全部）")
    build.add_argument("--course", type=Path, default=kit_root() / "grading", help="nbgrader 课程目录")
    build.set_defaults(run=_exam_build)

    grade = verbs.add_parser("grade", help="并行自动评分某次考试已收取的全部提交")
    grade.add_argument("assignment", help="考试编号，例如 sanhui-exam")
    grade.add_argument("--course", type=Path, default=kit_root() / "grading", help="nbgrader 课程目录")
    grade.add_argument("--workers", type=int, default=None, help="并行进程数（默认等于 CPU 核数）")
    grade.add_argument("--force", action="store_true", help="重新评分已评过的提交")
    grade.set_defaults(run=_grade)

    roster = verbs.add_parser("roster", help="学员名单").add_subparsers(dest="roster_verb", required=True)
    roster_import = roster.add_parser("import", help="从 Excel 或 CSV 导入学员名单到成绩库")
    roster_import.add_argument("file", type=Path, help="名单文件：学号、姓名、单位、社区/组织、类别")
    roster_import.add_argument("--course", type=Path, default=kit_root() / "grading", help="nbgrader 课程目录")
    roster_import.set_defaults(run=_roster_import)

    study = verbs.add_parser("study", help="打开 JupyterLab 学习课程（离线可用）")
    study.add_argument("--port", type=int, default=None, help="端口（默认自动选择）")
    study.add_argument("--ip", default="127.0.0.1", help="监听地址（默认 127.0.0.1）")
    study.add_argument("--no-browser", action="store_true", help="不自动打开浏览器")
    study.set_defaults(run=_study)

    defaults = verbs.add_parser("lab-defaults", help="把 JupyterLab 默认界面语言设为简体中文")
    defaults.set_defaults(run=_lab_defaults)
    return parser


def main(argv: list[str] | None = None) -> int:
    from cadrekit.gradebook import ensure_tools_on_path

    ensure_tools_on_path()  # also for nbgrader commands that cadrekit starts
    args = build_parser().parse_args(argv)
    return args.run(args)


if __name__ == "__main__":
    sys.exit(main())
