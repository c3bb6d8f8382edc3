#!/usr/bin/env bash
# The whole test suite on a fresh machine: installs the system packages the browser tests need
# (Debian's Chromium and a Chinese font; only as root, where apt-get can), creates .venv if needed,
# installs coach with its dev extras, then runs pytest. Extra arguments go to pytest.
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
exec .venv/bin/python -m pytest "$@"
