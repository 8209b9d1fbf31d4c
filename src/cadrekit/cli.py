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


def _bank_import(args: argparse.Namespace) -> int:
    from cadrekit.bank.interchange.commands import run_import

    return run_import(args.file, topic=args.topic, bank_id=args.bank, out=args.out,
                      quizzes=kit_root() / "quizzes", force=args.force)


def _bank_export(args: argparse.Namespace) -> int:
    from cadrekit.bank.interchange.commands import run_export

    return run_export(args.paths or [kit_root() / "quizzes"], to=args.to, out=args.out)


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


def _report(args: argparse.Namespace) -> int:
    from cadrekit.grading.runner import load_config
    from cadrekit.report import make_report
    from cadrekit.roster import RosterError

    course = args.course.resolve()
    db_url = load_config(course).CourseDirectory.db_url
    try:
        files, notes = make_report(db_url, course, args.out or course / "report", args.roster)
    except RosterError as exc:
        for problem in exc.problems:
            print(f"{exc.path}: {problem}", file=sys.stderr)
        return 1
    for note in notes:
        print(f"注意：{note}", file=sys.stderr)
    print(files.paragraph)
    print(f"报告：{files.html}\n统计表：{files.excel}\n轮训情况：{files.text}", file=sys.stderr)
    return 0


def _ledger_check(args: argparse.Namespace) -> int:
    from cadrekit.ledger import LedgerError, RuleError, check_files, write_reports

    try:
        report = check_files(args.file, args.register, args.rules)
    except (LedgerError, RuleError) as exc:
        print(exc, file=sys.stderr)
        print("输入无法使用，未作检查；请按上面的提示修改后重新运行。", file=sys.stderr)
        return 2
    for problem in report.problems:
        print(problem, file=sys.stderr)
    for finding in report.findings:
        print(f"{finding.branch}\t{finding.period}\t{finding.rule.id}\t{finding.message}\t{finding.rule.citation}")
    try:
        excel, page = write_reports(report, args.out or args.file.parent)
    except OSError as exc:
        print(f"无法写入检查结果（{exc}）；请关闭已打开的结果文件，或用 --out 换一个目录。", file=sys.stderr)
        return 2
    print(f"发现问题 {len(report.findings)} 条，输入问题 {len(report.problems)} 条；结果：{excel}、{page}",
          file=sys.stderr)
    return 1 if report.findings or report.problems else 0


def _lab(args: argparse.Namespace) -> int:
    from cadrekit.lab import start_lab

    root = kit_root() / ("courses" if args.verb == "study" else "")
    start_lab(root, port=args.port, ip=args.ip, open_browser=not args.no_browser, extra=args.lab_args)
    return 0


def _lab_defaults(_args: argparse.Namespace) -> int:
    from cadrekit.lab import write_lab_defaults

    print(write_lab_defaults())
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="cadrekit", description="党务干部轮训：课程、测验、考试与统计")
    verbs = parser.add_subparsers(dest="verb", required=True)

    bank = verbs.add_parser("bank", help="题库：检查、统计、导入与导出").add_subparsers(dest="bank_verb", required=True)
    check = bank.add_parser("check", help="逐题检查题库文件，有问题时返回非零")
    check.add_argument("paths", nargs="*", type=Path, help="题库文件或目录（默认 quizzes/）")
    check.set_defaults(run=_bank_check)
    stats = bank.add_parser("stats", help="按文件、题型、标签统计题目数量")
    stats.add_argument("paths", nargs="*", type=Path, help="题库文件或目录（默认 quizzes/）")
    stats.add_argument("--json", action="store_true", help="输出 JSON")
    stats.set_defaults(run=_bank_stats)
    bank_import = bank.add_parser("import", help="把 Excel 题库（.xlsx）转换为题库 YAML 文件")
    bank_import.add_argument("file", type=Path, help="题库工作簿：每种题型一张表，或一张表加“题型”列")
    bank_import.add_argument("--topic", required=True, help="主题（写入 tags.topic 和题库标题），例如 党员大会")
    bank_import.add_argument("--bank", default=None, help="题库编号与题号前缀（小写字母、数字、连字符）")
    bank_import.add_argument("--out", type=Path, default=None, help="输出文件（默认 quizzes/<题库编号>.yaml）")
    bank_import.add_argument("--force", action="store_true", help="覆盖已存在的输出文件")
    bank_import.set_defaults(run=_bank_import)
    bank_export = bank.add_parser("export", help="把题库导出为 Excel、Moodle XML 或 GIFT")
    bank_export.add_argument("paths", nargs="*", type=Path, help="题库文件或目录（默认 quizzes/）")
    bank_export.add_argument("--to", required=True, choices=("xlsx", "moodle-xml", "gift"), help="导出格式")
    bank_export.add_argument("--out", type=Path, required=True, help="输出文件")
    bank_export.set_defaults(run=_bank_export)

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

    report = verbs.add_parser("report", help="轮训统计报告：HTML（含图表）、Excel 和轮训情况段落")
    report.add_argument("--course", type=Path, default=kit_root() / "grading", help="nbgrader 课程目录")
    report.add_argument("--out", type=Path, default=None, help="输出文件夹（默认 <课程目录>/report）")
    report.add_argument("--roster", type=Path, default=None, help="改用此名单文件（默认用已导入成绩库的名单）")
    report.set_defaults(run=_report)

    ledger = verbs.add_parser("ledger", help="三会一课台账检查").add_subparsers(dest="ledger_verb", required=True)
    ledger_check = ledger.add_parser("check", help="按规则检查会议台账；无问题返回 0，有问题 1，输入无法使用 2")
    ledger_check.add_argument("file", type=Path, help="台账（.xlsx 或 .csv）：支部、日期、类型、应到、实到……")
    ledger_check.add_argument("--register", type=Path, required=True,
                              help="支部名册（.xlsx 或 .csv）：支部、党员人数、正式党员、支委人数、党小组")
    ledger_check.add_argument("--out", type=Path, default=None, help="结果（Excel、HTML）的目录（默认台账所在目录）")
    ledger_check.add_argument("--rules", type=Path, default=None, help="区县规则文件：增加地方规定或修改默认规则")
    ledger_check.set_defaults(run=_ledger_check)

    for verb, text in (("study", "打开 JupyterLab 学习课程（离线可用）"),
                       ("teach", "打开 JupyterLab 管理考试与评分（含 nbgrader 评分界面 Formgrader）")):
        lab = verbs.add_parser(verb, help=text)
        lab.add_argument("--port", type=int, default=None, help="端口（默认自动选择）")
        lab.add_argument("--ip", default="127.0.0.1", help="监听地址（默认 127.0.0.1）")
        lab.add_argument("--no-browser", action="store_true", help="不自动打开浏览器")
        lab.add_argument("lab_args", nargs=argparse.REMAINDER, help="其余参数原样交给 jupyter lab（写在 -- 之后）")
        lab.set_defaults(run=_lab)

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
