"""Designed processes shipped with Atrium: student onboarding, withdrawal, a nightly roster sync.

Each template is a JSON file here: its name, a description, the connections it needs (a slot
name -> the system it must be: ``{"lms": "canvas"}``) and a definition in the designer's language
whose action steps act on those slots (``"integration": "lms"``). Connection names are a
school's own, so installing a template names the connection for each slot (by default the slot
itself); the definition's ``connections`` variable gets the same names, for the steps that
mention them (the welcome email lists them).

``install`` creates each template as a draft: publishing stays the designer's act, through the
usual review (an administrator approves a version with a destructive action).
"""

from __future__ import annotations

import copy
import json
from collections.abc import Iterable, Mapping
from functools import cache
from importlib import resources
from typing import Any, Literal

from pydantic import BaseModel, Field
from sqlalchemy.engine import Engine
from sqlmodel import select

from atrium.bounds import JsonObject, Text
from atrium.db import session_scope
from atrium.designer.definition import NAME_PATTERN
from atrium.models.process_definition import ProcessDefinitionRow

AUTHOR = "atrium-templates"


class Template(BaseModel):
    name: str = Field(pattern=NAME_PATTERN, max_length=63)
    description: Text = Field(max_length=1000)
    connections: dict[str, str] = Field(description="slot -> the system its connection must be")
    definition: JsonObject

    def render(self, connections: Mapping[str, str] | None = None) -> dict[str, Any]:
        """The definition with each slot replaced by the connection named for it (else the slot's
        own name); a name for a slot the template does not have is refused."""
        chosen = dict(connections or {})
        unknown = sorted(set(chosen) - set(self.connections))
        if unknown:
            raise ValueError(
                f"{self.name}: no connection slot {unknown[0]!r}; "
                f"its slots: {', '.join(sorted(self.connections))}"
            )
        names = {slot: chosen.get(slot, slot) for slot in self.connections}
        definition = copy.deepcopy(self.definition)
        for step in definition["steps"]:
            if step.get("type") == "action":
                step["integration"] = names[step["integration"]]
        variables = definition.setdefault("variables", {})
        variables["connections"] = names
        return definition


@cache
def templates() -> dict[str, Template]:
    """Every shipped template, by name."""
    found: dict[str, Template] = {}
    for entry in sorted(resources.files(__name__).iterdir(), key=lambda e: e.name):
        if entry.name.endswith(".json"):
            template = Template.model_validate(json.loads(entry.read_text(encoding="utf-8")))
            found[template.name] = template
    return found


def template(name: str) -> Template:
    try:
        return templates()[name]
    except KeyError:
        known = ", ".join(sorted(templates()))
        raise ValueError(f"no template {name!r}; the templates: {known}") from None


Outcome = Literal["created", "exists"]


def install(
    engine: Engine,
    connections: Mapping[str, str] | None = None,
    names: Iterable[str] | None = None,
    author: str = AUTHOR,
) -> list[tuple[str, Outcome]]:
    """Create each template (all, or those ``names``) as a designed process with the template as
    its draft; one of that name already there is left as it is. ``connections``: slot ->
    connection name, applied to every template that has the slot."""
    chosen = [template(n) for n in names] if names is not None else list(templates().values())
    known_slots = {slot for t in chosen for slot in t.connections}
    unknown = sorted(set(connections or {}) - known_slots)
    if unknown:
        raise ValueError(f"no template has a connection slot {unknown[0]!r}")
    done: list[tuple[str, Outcome]] = []
    with session_scope(engine) as session:
        for tpl in chosen:
            mine = {s: c for s, c in (connections or {}).items() if s in tpl.connections}
            draft = tpl.render(mine)
            there = session.exec(
                select(ProcessDefinitionRow.id).where(ProcessDefinitionRow.name == tpl.name)
            ).first()
            if there is not None:
                done.append((tpl.name, "exists"))
                continue
            session.add(
                ProcessDefinitionRow(
                    name=tpl.name,
                    description=tpl.description,
                    draft=draft,
                    created_by=author,
                    updated_by=author,
                )
            )
            session.commit()
            done.append((tpl.name, "created"))
    return done
