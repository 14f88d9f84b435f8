"""Records a target cannot use leave the write batch as quarantined, with the reason.

Spec-valid OneRoster records (no username, ``email: "n/a"``, ``role: ext:mentor``) map to
canonical records; whether Canvas or Moodle can take them is decided here, before writing, so
the record waits in quarantine instead of failing the batch or raising inside a writer.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from typing import Any

from atrium.sync.changes import Mapped, Rejected
from connectors.canonical.requirements import target_problems
from connectors.canvas.mapping import ROLE_TO_CANVAS
from connectors.moodle.mapping import ROLE_IDS

NEEDS: dict[str, dict[str, Any]] = {
    "canvas": {"email_required": False, "roles": set(ROLE_TO_CANVAS)},
    "moodle": {"email_required": True, "roles": set(ROLE_IDS)},
}


def split_unfit(system: str, items: Sequence[Mapped]) -> tuple[list[Mapped], list[Rejected]]:
    """(what ``system`` can take, what it cannot: rejected at the ``target`` stage)."""
    needs = NEEDS.get(system)
    if needs is None:
        return list(items), []
    roles: Collection[str] = needs["roles"]
    fit, unfit = [], []
    for item in items:
        problems = target_problems(
            item.record, system=system, email_required=needs["email_required"], roles=roles
        )
        if problems:
            payload = item.record.model_dump(mode="json")
            unfit.append(Rejected(item.source_id, "target", "; ".join(problems), payload))
        else:
            fit.append(item)
    return fit, unfit
