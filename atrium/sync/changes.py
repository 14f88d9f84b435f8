"""Change detection: map a page of source records, then compare each with what was last synced."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from pydantic import ValidationError

from atrium.sync.mapping import CompiledMapping, MappingError
from atrium.sync.versions import version_of
from connectors.canonical.models import Record


class Change(StrEnum):
    create = "create"
    update = "update"
    deactivate = "deactivate"
    unchanged = "unchanged"
    skip = "skip"  # a deletion of something never synced


@dataclass(slots=True)
class Mapped:
    source_id: str
    version: str
    record: Record


@dataclass(slots=True)
class Rejected:
    source_id: str
    stage: str  # mapping | validation | target
    reason: str
    payload: dict[str, Any]


@dataclass(slots=True, frozen=True)
class Known:
    version: str
    status: str
    target_id: str | None = None


def _source_id(raw: dict[str, Any]) -> str:
    sid = raw.get("sourcedId") or raw.get("source_id") or raw.get("id")
    return str(sid)[:255] if sid else "(no id)"


def map_page(
    mapping: CompiledMapping, raws: Sequence[dict[str, Any]]
) -> tuple[list[Mapped], list[Rejected]]:
    """Map and validate a page; bad records come back rejected with the reason, never raised."""
    rows: list[dict[str, Any]] = []
    kept: list[dict[str, Any]] = []
    rejected: list[Rejected] = []
    for raw in raws:
        try:
            rows.append(mapping.to_dict(raw))
            kept.append(raw)
        except MappingError as exc:
            rejected.append(Rejected(_source_id(raw), exc.stage, str(exc), raw))
    try:
        records = mapping.validate_many(rows)  # the whole page in one call: the fast path
        return [
            Mapped(r.source_id, version_of(row), r) for r, row in zip(records, rows, strict=True)
        ], rejected
    except ValidationError:
        pass
    mapped: list[Mapped] = []
    for row, raw in zip(rows, kept, strict=True):
        try:
            record = mapping.validate_one(row)
        except MappingError as exc:
            rejected.append(Rejected(_source_id(raw), exc.stage, str(exc), raw))
            continue
        mapped.append(Mapped(record.source_id, version_of(row), record))
    return mapped, rejected


def classify(item: Mapped, known: Known | None) -> Change:
    deleting = item.record.status == "tobedeleted"
    if deleting:
        if known is None or known.status != "active":
            return Change.skip
        return Change.deactivate
    if known is None:
        return Change.create
    if known.version != item.version or known.status != "active":
        return Change.update
    return Change.unchanged


def classify_page(
    items: Sequence[Mapped], known: Mapping[str, Known]
) -> dict[Change, list[Mapped]]:
    out: dict[Change, list[Mapped]] = {change: [] for change in Change}
    for item in items:
        out[classify(item, known.get(item.source_id))].append(item)
    return out


def changed_fields(
    base: Mapping[str, Any], current: Mapping[str, Any], fields: Sequence[str]
) -> set[str]:
    """Fields whose value differs from the last synced one (field-level change detection)."""
    return {f for f in fields if current.get(f) != base.get(f)}
