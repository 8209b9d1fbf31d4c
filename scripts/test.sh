#!/usr/bin/env bash
# One command: set up .venv and run the whole test suite (this is what .ci/run calls).
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/setup.sh"
cd "$KIT_ROOT"
"$VENV/bin/ruff" check src tests benchmarks
"$VENV/bin/cadrekit" bank check quizzes
bash scripts/system-deps.sh
exec "$VENV/bin/python" -m pytest "$@"
