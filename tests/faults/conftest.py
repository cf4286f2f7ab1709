"""Fault tests: real servers stopped, restarted and killed. The quick ones
run in `make test`; those marked `long_fault` in `make test-faults`."""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "schema"))
