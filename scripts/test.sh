#!/usr/bin/env bash
# The whole test suite on a fresh machine: creates .venv if needed, installs coach with its dev
# extras, then runs pytest. Extra arguments go to pytest (e.g. scripts/test.sh -k guard).
set -euo pipefail
cd "$(dirname "$0")/.."
export DEEPEVAL_TELEMETRY_OPT_OUT=YES ANONYMIZED_TELEMETRY=False
if [ ! -x .venv/bin/python ]; then
  python3 -m venv .venv
fi
.venv/bin/pip install --quiet --disable-pip-version-check -e ".[dev]"
exec .venv/bin/python -m pytest "$@"
