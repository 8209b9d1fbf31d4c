"""The benchmark command keeps working (tiny sizes; no timing is asserted)."""

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
    assert "学员内核内存" in table
