"""What every trigger of a designed process shares before Temporal is asked: the version it runs
(a named published one, or the latest published), its input checked against the definition's
``inputs``, and the run's input built with its starter and idempotency scope.

The API's start, retry and dry-run routes, the webhook intake, schedules and event triggers all
build their runs here, so a run is refused for the same reasons, in the same words, whoever
starts it.
"""

from __future__ import annotations

from typing import Any

from sqlmodel import Session, col, select

from atrium.designer.definition import ProcessDefinition
from atrium.designer.runs import DesignedRunInput, DryRun
from atrium.models.process_definition import ProcessVersion

DESIGNED_PREFIX = "designed:"  # a rule's or schedule's ``process`` naming a designed process


class StartRefused(ValueError):
    """A designed run that cannot start; ``field`` names what is at fault, ``status`` the HTTP
    status an API answers with."""

    def __init__(self, field: str, message: str, status: int = 422) -> None:
        super().__init__(f"{field}: {message}")
        self.field, self.message, self.status = field, message, status


def designed_name(process: str) -> str | None:
    """``designed:<name>`` -> ``<name>``; None for a built-in process's name."""
    return process.removeprefix(DESIGNED_PREFIX) if process.startswith(DESIGNED_PREFIX) else None


def latest_published(session: Session, name: str) -> ProcessVersion | None:
    query = select(ProcessVersion).where(
        ProcessVersion.name == name, ProcessVersion.status == "published"
    )
    return session.exec(query.order_by(col(ProcessVersion.version).desc()).limit(1)).first()


def runnable_version(
    session: Session, name: str, version: int | None, *, dry_run: bool = False
) -> ProcessVersion:
    """The version a run starts on: ``version`` if it is published (a dry run may also try one
    awaiting approval), else the latest published one."""
    if version is None:
        row = latest_published(session, name)
        if row is None:
            raise StartRefused("process", f"{name!r} has no published version", 409)
        return row
    row = session.exec(
        select(ProcessVersion).where(ProcessVersion.name == name, ProcessVersion.version == version)
    ).first()
    if row is None:
        raise StartRefused("version", f"{name!r} has no version {version}", 404)
    allowed = ("published", "pending_approval") if dry_run else ("published",)
    if row.status not in allowed:
        raise StartRefused("version", f"v{version} of {name!r} is {row.status}", 409)
    return row


_KINDS: dict[str, type | tuple[type, ...]] = {
    "string": str, "integer": int, "number": (int, float), "boolean": bool,
    "object": dict, "array": list,
}  # fmt: skip


def check_input(definition: ProcessDefinition, given: dict[str, Any]) -> None:
    """The input against the definition's declared ``inputs``: required ones present, each of
    its type, none undeclared (when any are declared)."""
    for field, spec in definition.inputs.items():
        if field not in given:
            if spec.required:
                raise StartRefused(f"input.{field}", "required")
            continue
        value = given[field]
        wrong = not isinstance(value, _KINDS[spec.type]) or (
            spec.type in ("integer", "number") and isinstance(value, bool)
        )
        if wrong:
            raise StartRefused(f"input.{field}", f"must be of type {spec.type}")
    if definition.inputs and (unknown := sorted(set(given) - set(definition.inputs))):
        raise StartRefused(f"input.{unknown[0]}", "not an input of this process")


def designed_run(
    session: Session,
    name: str,
    version: int | None,
    given: dict[str, Any],
    *,
    started_by: str,
    run_key: str,
    dry_run: DryRun | None = None,
    follow_latest: bool = False,
) -> DesignedRunInput:
    """A designed run's input on ``version`` (None: the latest published), checked."""
    row = runnable_version(session, name, version, dry_run=dry_run is not None)
    check_input(ProcessDefinition.model_validate(row.definition), given)
    return DesignedRunInput(
        name=name,
        version=row.version,
        content_hash=row.content_hash,
        input=given,
        started_by=started_by[:100],
        run_key=run_key,
        dry_run=dry_run,
        follow_latest=follow_latest,
    )
