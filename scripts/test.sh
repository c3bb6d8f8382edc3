#!/usr/bin/env bash
# The whole test suite on a fresh machine: installs the system packages the browser tests need
# (Debian's Chromium and a Chinese font; only as root, where apt-get can), creates .venv if needed,
# installs coach with its dev extras, runs the type check and the offline evaluation gate, then pytest.
# With arguments (e.g. scripts/test.sh -m "not slow", the fast tier) only pytest runs, with those arguments.
set -euo pipefail
cd "$(dirname "$0")/.."
export DEEPEVAL_TELEMETRY_OPT_OUT=YES ANONYMIZED_TELEMETRY=False
if [ ! -x /usr/bin/chromium ] && [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
  # Browser tests drive Debian's Chromium through Playwright; never `playwright install` (no downloads here).
  apt-get update -qq && apt-get install -y -qq chromium chromium-driver fonts-wqy-microhei >/dev/null
fi
if [ ! -x .venv/bin/python ]; then
  python3 -m venv .venv
fi
.venv/bin/pip install --quiet --disable-pip-version-check -e ".[dev]"
if [ $# -eq 0 ]; then
  # Type check (configured in pyproject.toml: strict for the result types, the guard, the chain and the layers below).
  .venv/bin/mypy
  # The release gate: every scenario and the guard's labelled sets on the offline backend, against the
  # thresholds committed in evals/thresholds.yaml (exit 1 if one fails). It runs first so that pytest's
  # summary is the last thing printed.
  gate_home=$(mktemp -d)
  trap 'rm -rf "$gate_home"' EXIT
  COACH_HOME="$gate_home" .venv/bin/coach ingest --json >/dev/null
  COACH_HOME="$gate_home" .venv/bin/coach eval run --backend offline --out "$gate_home/eval-run"
  # Everything but the nine-minute byte-for-byte rebuild of the safety detector (its fingerprint test runs instead).
  set -- -m "not rebuild"
fi
.venv/bin/python -m pytest "$@"
