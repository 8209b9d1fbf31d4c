#!/usr/bin/env bash
# One command: set up .venv and open JupyterLab on the course for study.
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/setup.sh"
exec "$VENV/bin/cadrekit" study "$@"
