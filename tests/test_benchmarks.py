"""The benchmark command keeps working (tiny sizes; no timing is asserted)."""

import re
import subprocess
import sys

from .conftest import KIT


def test_benchmark_smoke_run():
    result = subprocess.run([sys.executable, str(KIT / "benchmarks" / "run.py"), "--quick"],
                            capture_output=True, text=True, timeout=900)
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-2000:]
    table = result.stdout
    assert "nbgrader autograde" in table and "cadrekit grade" in table
    assert "分数一致" in table  # both pipelines gave every synthetic trainee the same score
    # nbgrader-jupyterquiz graded the items it can express with its own pipeline; its scores differ from ours only
    # where its all-or-nothing many-choice rule meets cadrekit's part credit on multiple choice
    assert "nbgrader-jupyterquiz" in table and "其他不一致 0 处" in table
    assert "学员内核内存" in table
    assert re.search(r"轮训报告 10 名学员 .*\tCPU [\d.]+ s\t峰值内存 \d+ MiB", table)  # report_scale.py's curve
    assert "轮训报告 20 名学员" in table
