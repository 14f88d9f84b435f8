"""Records a target cannot use are quarantined with the reason, before anything is written.

Spec-valid OneRoster records (no username, ``email: "n/a"``, ``role: ext:mentor``) map to
canonical records; whether Canvas or Moodle can take them is decided here, right after mapping,
so the record waits in quarantine (stage ``validation``, the source payload kept so a fixed
mapping can retry it) instead of failing a batch or raising inside a writer.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from atrium.sync.changes import Mapped, Rejected
from connectors.canonical.models import Record
from connectors.canonical.requirements import target_problems
from connectors.canvas.mapping import ROLE_TO_CANVAS
from connectors.moodle.mapping import ROLE_IDS

NEEDS: dict[str, dict[str, Any]] = {
    "canvas": {"email_required": False, "roles": frozenset(ROLE_TO_CANVAS)},
    "moodle": {"email_required": True, "roles": frozenset(ROLE_IDS)},
}


def unfit_reason(system: str, record: Record) -> str | None:
    """Why ``system`` cannot take ``record``, or None when it can (unknown systems: always)."""
    needs = NEEDS.get(system)
    if needs is None:
        return None
    problems = target_problems(record, system=system, **needs)
    return "; ".join(problems) if problems else None


def split_unfit(
    system: str, items: Sequence[Mapped], raws: Sequence[dict[str, Any]] = ()
) -> tuple[list[Mapped], list[Rejected]]:
    """(what ``system`` can take, what it cannot, as rejections keeping the source payload)."""
    by_id = {str(r.get("sourcedId")): r for r in raws}
    fit, unfit = [], []
    for item in items:
        reason = unfit_reason(system, item.record)
        if reason is None:
            fit.append(item)
            continue
        payload = by_id.get(item.source_id) or item.record.model_dump(mode="json")
        unfit.append(Rejected(item.source_id, "validation", f"{system}: {reason}", payload))
    return fit, unfit
