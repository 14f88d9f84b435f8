"""The profile fields a two-way sync compares, read and written in each LMS.

Both sides expose ``email`` and ``name`` (the full display name). Moodle keeps a name in two
fields, so a name written to Moodle is split at its first space (given name, then the rest);
a school whose names do not split that way should own ``name`` in one system (source of truth).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from connectors.canvas import CanvasClient, sis
from connectors.canvas.models import UserUpdate as CanvasUpdate
from connectors.errors import NotFound
from connectors.moodle import MoodleClient
from connectors.moodle.models import UserUpdate as MoodleUpdate

FIELDS = ("email", "name")


@dataclass
class Profile:
    values: dict[str, str]
    modified: datetime | None = None  # neither LMS reports it for users; None unless known


class CanvasProfiles:
    def __init__(self, client: CanvasClient) -> None:
        self.client = client

    async def read(self, person_ids: Sequence[str]) -> dict[str, Profile]:
        out = {}
        for pid in person_ids:
            try:
                user = await self.client.get_user(sis("user", pid))
            except NotFound:
                continue
            out[pid] = Profile({"email": user.email or "", "name": user.name})
        return out

    async def write(self, person_id: str, values: dict[str, str]) -> None:
        await self.client.update_user(
            sis("user", person_id),
            CanvasUpdate(
                name=values.get("name"), short_name=values.get("name"), email=values.get("email")
            ),
        )


class MoodleProfiles:
    def __init__(self, client: MoodleClient) -> None:
        self.client = client
        self._ids: dict[str, int] = {}

    async def read(self, person_ids: Sequence[str]) -> dict[str, Profile]:
        out = {}
        async for user in self.client.users_by_field("idnumber", list(person_ids)):
            self._ids[user.idnumber] = user.id
            name = f"{user.firstname} {user.lastname}".strip()
            out[user.idnumber] = Profile({"email": user.email, "name": name})
        return out

    async def write(self, person_id: str, values: dict[str, str]) -> None:
        if person_id not in self._ids:
            await self.read([person_id])
        update = MoodleUpdate(id=self._ids[person_id], email=values.get("email"))
        if "name" in values:
            first, _, last = values["name"].partition(" ")
            update.firstname, update.lastname = first, last or first
        await self.client.update_users([update])
