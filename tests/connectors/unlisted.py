"""A raw protocol call in a test, outside every catalog action (how a test sends what no
connector method would): strict mode only logs it for the block."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from connectors.actions import require_actions


@contextmanager
def unlisted() -> Iterator[None]:
    require_actions(False)
    try:
        yield
    finally:
        require_actions(True)
