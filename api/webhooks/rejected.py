"""What every intake step answers with: a result tuple, or ``Rejected`` with the status code."""

from __future__ import annotations

from typing import Any

# status, JSON body, delivery-log outcome, delivery-log reason
Answer = tuple[int, dict[str, Any], str, str]


class Rejected(Exception):
    def __init__(self, status: int, reason: str, outcome: str = "rejected", **extra: Any) -> None:
        super().__init__(reason)
        self.status, self.reason, self.outcome, self.extra = status, reason, outcome, extra


def text(value: Any, max_length: int) -> str | None:
    """A sender's identifier (event type, id) if it is short printable text, else None."""
    if isinstance(value, bool) or not isinstance(value, str | int):
        return None
    value = str(value).strip()
    return value if 0 < len(value) <= max_length and value.isprintable() else None
