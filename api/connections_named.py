"""A start is refused at once when its input names a connection that cannot serve it: one that
does not exist, is disabled, or is of a system the process does not work with (a grade passback
from a Koha library, say). Each process declares those input fields (``Process.connections``);
without this check the run would start and fail later, its cause visible only in its history."""

from __future__ import annotations

from fastapi import HTTPException
from pydantic import BaseModel
from sqlmodel import Session, col, select

from atrium.models import Integration
from workflows.process import Process


def problems(session: Session, process: Process, arg: BaseModel) -> list[str]:
    """``input.<field>: why`` for each named connection that cannot serve ``process``."""
    named = {field: getattr(arg, field) for field in process.connections}
    rows = session.exec(
        select(Integration).where(col(Integration.name).in_(set(named.values())))
    ).all()
    found = {row.name: row for row in rows}
    found_problems = []
    for field, name in named.items():
        systems = process.connections[field]
        row = found.get(name)
        if row is None:
            why = f"no connection named {name!r}"
        elif row.system not in systems:
            why = (
                f"{name!r} is a {row.system} connection; {process.name} takes "
                f"{' or '.join(systems)}"
            )
        elif not row.enabled:
            why = f"connection {name!r} is disabled"
        else:
            continue
        found_problems.append(f"input.{field}: {why}")
    return found_problems


def refuse_unusable_connections(session: Session, process: Process, arg: BaseModel) -> None:
    found = problems(session, process, arg)
    if found:
        raise HTTPException(422, "; ".join(found))
