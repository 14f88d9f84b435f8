"""Users and logins."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

from connectors.actions import action
from connectors.canvas.models import EnsuredUser, Login, NewUser, User, UserUpdate
from connectors.canvas.requester import CanvasRequester, ref, sis
from connectors.errors import Conflict, InvalidRequest, NotFound


class UsersApi(CanvasRequester):
    @action("canvas.list_users", effect="read")
    def list_users(
        self,
        account: int | str = "self",
        *,
        search_term: str | None = None,
        include_email: bool = True,
        per_page: int = 100,
    ) -> AsyncIterator[User]:
        """The account's users (with their email), optionally those matching ``search_term``."""
        params: list[tuple[str, Any]] = [("per_page", per_page)]
        if search_term:
            params.append(("search_term", search_term))
        if include_email:
            params.append(("include[]", "email"))
        return self._pages(User, f"/accounts/{ref(account)}/users", params)

    @action("canvas.get_user", effect="read")
    async def get_user(self, user: int | str) -> User:
        """One user by Canvas id or ``sis_user_id:...`` reference."""
        return await self._one(User, "GET", f"/users/{ref(user)}")

    @action("canvas.get_user_by_sis_id", effect="read")
    async def get_user_by_sis_id(self, sis_user_id: str) -> User:
        """One user by their SIS id."""
        return await self.get_user(sis("user", sis_user_id))

    @action("canvas.create_user", effect="write", key="new.sis_user_id")
    async def create_user(self, new: NewUser, account: int | str = "self") -> User:
        """Create a user with a login (``unique_id``) and SIS id; Canvas refuses a second user
        with the same SIS id, so a repeat cannot duplicate."""
        body: dict[str, Any] = {
            "user": {
                "name": new.name,
                "short_name": new.short_name,
                "sortable_name": new.sortable_name,
                "skip_registration": True,
            },
            "pseudonym": {
                "unique_id": new.unique_id,
                "sis_user_id": new.sis_user_id,
                "integration_id": new.integration_id,
                "send_confirmation": False,
            },
        }
        if new.email:
            body["communication_channel"] = {
                "type": "email",
                "address": new.email,
                "skip_confirmation": True,
            }
        return await self._one(User, "POST", f"/accounts/{ref(account)}/users", json=_compact(body))

    @action("canvas.update_user", effect="write", idempotent=True)
    async def update_user(self, user: int | str, update: UserUpdate) -> User:
        """Change a user's name, short name or email (a whole-field PUT: safe to repeat)."""
        body = {"user": update.model_dump(exclude_none=True)}
        return await self._one(User, "PUT", f"/users/{ref(user)}", json=body)

    @action("canvas.ensure_user", effect="write", key="new.sis_user_id")
    async def ensure_user(
        self, new: NewUser, *, refresh: bool = False, account: int | str = "self"
    ) -> EnsuredUser:
        """Make sure a user with ``new.sis_user_id`` exists: found (and, with ``refresh``, given
        ``new``'s name, short name and email) or created.

        ``created`` is True when this call or an earlier attempt of it made the user: a create
        refused because the SIS id is taken means an attempt that crashed already created it."""
        if not new.sis_user_id:
            raise InvalidRequest("canvas: ensure_user needs a sis_user_id", system=self.system)
        try:
            if refresh:
                update = UserUpdate(name=new.name, short_name=new.short_name, email=new.email)
                return EnsuredUser(
                    user=await self.update_user(sis("user", new.sis_user_id), update),
                    created=False,
                )
            return EnsuredUser(user=await self.get_user_by_sis_id(new.sis_user_id), created=False)
        except NotFound:
            pass
        try:
            user = await self.create_user(new, account)
        except Conflict:
            user = await self.get_user_by_sis_id(new.sis_user_id)
        return EnsuredUser(user=user, created=True)

    @action("canvas.delete_user", effect="destructive", key="user_id")
    async def delete_user(self, user_id: int, account: int | str = "self") -> User:
        """Delete a user from an account (their logins and enrollments in it go too)."""
        return await self._one(User, "DELETE", f"/accounts/{ref(account)}/users/{user_id}")

    @action("canvas.list_logins", effect="read")
    def list_logins(self, user: int | str) -> AsyncIterator[Login]:
        """A user's logins (pseudonyms)."""
        return self._pages(Login, f"/users/{ref(user)}/logins")

    @action("canvas.create_login", effect="write", key="unique_id")
    async def create_login(
        self,
        user_id: int,
        unique_id: str,
        *,
        sis_user_id: str | None = None,
        account: int | str = "self",
    ) -> Login:
        """Add a login to an existing user; Canvas refuses a duplicate ``unique_id``."""
        body = {
            "user": {"id": user_id},
            "login": {"unique_id": unique_id, "sis_user_id": sis_user_id},
        }
        return await self._one(
            Login, "POST", f"/accounts/{ref(account)}/logins", json=_compact(body)
        )


def _compact(body: dict[str, Any]) -> dict[str, Any]:
    """Drop None values so Canvas keeps its defaults instead of receiving nulls."""
    return {
        key: _compact(value) if isinstance(value, dict) else value
        for key, value in body.items()
        if value is not None
    }
