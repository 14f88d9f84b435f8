"""The typed reads library provisioning makes of a SIS (``OneRosterClient.page`` of students or
teachers, ``iter_terms``), answered from a CSV source's newest processed package instead of REST.

People are read from the package's ``users`` and kept by role (and school, when one is asked
for) before the page is cut: a package has no per-role index, so each page reads the package's
users once; fine for a school's thousands, the price to pay for a huge district's packages.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from typing import Any, Self

from pydantic import ValidationError
from sqlalchemy.engine import Engine

from activities.sync.package_pages import PackagePages
from atrium.sync import packages
from connectors.errors import InvalidRequest
from connectors.oneroster.models import AcademicSession, User
from connectors.oneroster.pages import MalformedRecord, Page

ROLES = {"students": "student", "teachers": "teacher"}


class PackageRoster:
    def __init__(self, engine: Engine, source: str) -> None:
        self.engine = engine
        self._pages = PackagePages(engine, source, None)

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(self, *_: object) -> None:
        return None

    def _all(self, kind: str) -> list[dict[str, Any]]:
        package = self._pages.package
        total = packages.total(self.engine, package, kind)
        rows = packages.page(self.engine, package, kind, 0, total)
        return [json.loads(row) for row in rows]

    async def iter_terms(self) -> AsyncIterator[AcademicSession]:
        for raw in self._all("academicSessions"):
            if raw.get("type") == "term":
                yield AcademicSession.model_validate(raw)

    async def page(
        self,
        name: str,
        *,
        offset: int = 0,
        limit: int = 100,
        parent: tuple[str, str] | None = None,
        filter: str | None = None,
    ) -> Page[User]:
        if name not in ROLES or (parent is not None and parent[0] != "schools") or filter:
            raise InvalidRequest(
                f"a CSV source answers students or teachers (of a school), not {name} {parent}",
                system="oneroster-csv",
            )
        role, school = ROLES[name], parent[1] if parent else None
        people = [
            raw
            for raw in self._all("users")
            if raw.get("role") == role
            and (school is None or any(r["org"]["sourcedId"] == school for r in raw["roles"]))
        ]
        chosen = people[offset : offset + limit]
        records, malformed = [], []
        for i, raw in enumerate(chosen):
            try:
                records.append(User.model_validate(raw))
            except ValidationError as exc:
                malformed.append(MalformedRecord(offset + i, raw.get("sourcedId"), str(exc), raw))
        following = offset + len(chosen)
        return Page(
            records=records,
            offset=offset,
            total=len(people),
            next_offset=following if following < len(people) else None,
            malformed=malformed,
        )
