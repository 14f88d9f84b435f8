"""Per-field conflict policies of a two-way sync.

Each side's value is compared with the last synced (base) value. A field changed on one side only
flows to the other, except under ``source_of_truth``, where the owning system's value always
wins (an edit in the other system is reverted). When both sides changed to different values the
policy decides: the owner, the later ``dateLastModified``, or an administrator (``manual``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any

from pydantic import BaseModel, model_validator


class Policy(StrEnum):
    source_of_truth = "source_of_truth"
    last_writer_wins = "last_writer_wins"
    manual = "manual"


class FieldPolicy(BaseModel):
    policy: Policy
    owner: str | None = None  # the system that is the source of truth for this field

    @model_validator(mode="after")
    def _owner_named(self) -> FieldPolicy:
        if self.policy == Policy.source_of_truth and not self.owner:
            raise ValueError("owner: source_of_truth needs the owning system")
        return self


@dataclass(frozen=True)
class Side:
    system: str
    value: Any
    modified: datetime | None = None


@dataclass(frozen=True)
class Decision:
    field: str
    value: Any = None
    write_to: tuple[str, ...] = ()  # systems whose value must change
    conflict: bool = False  # left to an administrator


def decide(field: str, base: Any, a: Side, b: Side, rule: FieldPolicy) -> Decision | None:
    """What to do with one field; None when neither side changed it."""
    a_changed, b_changed = a.value != base, b.value != base
    if not a_changed and not b_changed:
        return None
    if a.value == b.value:  # both made the same edit: only the base moves
        return Decision(field, a.value)
    if rule.policy == Policy.source_of_truth:
        owner, other = (a, b) if rule.owner == a.system else (b, a)
        return Decision(field, owner.value, write_to=(other.system,))
    if a_changed != b_changed:  # one side edited: it flows to the other
        winner, loser = (a, b) if a_changed else (b, a)
        return Decision(field, winner.value, write_to=(loser.system,))
    if (
        rule.policy == Policy.last_writer_wins
        and a.modified
        and b.modified
        and a.modified != b.modified
    ):
        winner, loser = (a, b) if a.modified > b.modified else (b, a)
        return Decision(field, winner.value, write_to=(loser.system,))
    return Decision(field, conflict=True)


def apply_resolution(field: str, a: Side, b: Side, *, choose: str | None, value: Any) -> Decision:
    """An administrator's answer to a manual conflict: one side's value, or a value given."""
    if choose is not None:
        chosen = {a.system: a, b.system: b}.get(choose)
        if chosen is None:
            raise ValueError(f"choose: must be {a.system!r} or {b.system!r}")
        value = chosen.value
    writes = tuple(side.system for side in (a, b) if side.value != value)
    return Decision(field, value, write_to=writes)
