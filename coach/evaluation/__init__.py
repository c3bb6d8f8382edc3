"""The evaluation harness: suites, deepeval metrics, runs, reports, comparisons, trainee scorecards.

deepeval phones home and reads ``.env`` files in the working directory unless told not to, and both
must be decided before it is first imported: this package is the only way coach imports deepeval, so
the defaults are set here (a user who exports other values keeps them).
"""

from __future__ import annotations

import os

os.environ.setdefault("DEEPEVAL_TELEMETRY_OPT_OUT", "YES")
os.environ.setdefault("DEEPEVAL_DISABLE_DOTENV", "1")
