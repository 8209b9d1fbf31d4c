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

    study = verbs.add_parser("study", help="打开 JupyterLab 学习课程（离线可用）")
    study.add_argument("--port", type=int, default=None, help="端口（默认自动选择）")
    study.add_argument("--ip", default="127.0.0.1", help="监听地址（默认 127.0.0.1）")
    study.add_argument("--no-browser", action="store_true", help="不自动打开浏览器")
    study.set_defaults(run=_study)

    defaults = verbs.add_parser("lab-defaults", help="把 JupyterLab 默认界面语言设为简体中文")
    defaults.set_defaults(run=_lab_defaults)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    return args.run(args)


if __name__ == "__main__":
    sys.exit(main())
