"""A big package is read in flat memory: rows are streamed from the zip, never collected.

The package (written row by row to a tmp zip: users, their roles, 2,000 classes and 5
enrollments per user) is read in a fresh process (big_package.py), so resident memory is the
reader's alone. Streaming shows as: memory after the last enrollment is what it was after the
first ten thousand (the enrollments file, by far the biggest, adds nothing), and the whole read
grows with the referenced ids only (users), not with the rows.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from tests.connectors.oneroster.big_package import write

ROOT = Path(__file__).resolve().parents[3]
USERS, ENROLLMENTS = 50_000, 250_000  # ~31 MB of CSV; measured times are in the report


def test_a_large_package_is_read_in_flat_memory(tmp_path: Path) -> None:
    package = tmp_path / "big.zip"
    size = write(package, users=USERS, enrollments=ENROLLMENTS)
    assert size > 25_000_000
    run = subprocess.run(
        [sys.executable, str(Path(__file__).parent / "big_package.py"), str(package)],
        capture_output=True,
        text=True,
        timeout=300,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        check=True,
    )
    seen = json.loads(run.stdout)
    assert seen["issues"] == 0
    assert seen["rows"]["users"] == USERS and seen["rows"]["enrollments"] == ENROLLMENTS
    # the enrollments (most of the package) add no memory: 240,000 rows later, within 4 MB
    assert seen["rss_end_kb"] - seen["rss_at_enrollment_10000_kb"] < 4 * 1024, seen
    # what is kept is ids (orgs, sessions, courses, classes, users) and each user's role until
    # users.csv is read: under 800 bytes a user (measured ~400), whatever the enrollments
    grown_kb = seen["rss_peak_kb"] - seen["rss_before_kb"]
    assert grown_kb * 1024 < USERS * 800, (grown_kb, size, seen)
    print(f"\n{size / 1e6:.0f} MB read in {seen['seconds']} s, grew {grown_kb / 1024:.0f} MB")
