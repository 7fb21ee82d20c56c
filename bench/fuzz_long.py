"""The long fuzzing run: every property in tests/test_fuzz.py with 10,000 cases (the ``long`` profile).

.venv/bin/python bench/fuzz_long.py            # about 12 minutes on 2 shared cores
.venv/bin/python bench/fuzz_long.py -k query   # extra pytest arguments pass through
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

PROJECT = Path(__file__).resolve().parents[1]

if __name__ == "__main__":
    env = {**os.environ, "HYPOTHESIS_PROFILE": "long"}
    command = [sys.executable, "-m", "pytest", "tests/test_fuzz.py", "-q", "-p", "no:cacheprovider", "--durations=10", *sys.argv[1:]]
    raise SystemExit(subprocess.call(command, cwd=PROJECT, env=env))
