"""Users and logins."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

from connectors.canvas.models import Login, NewUser, User, UserUpdate
from connectors.canvas.requester import CanvasRequester, ref, sis


class UsersApi(CanvasRequester):
    def list_users(
        self,
        account: int | str = "self",
        *,
        search_term: str | None = None,
        include_email: bool = True,
        per_page: int = 100,
    ) -> AsyncIterator[User]:
        params: list[tuple[str, Any]] = [("per_page", per_page)]
        if search_term:
            params.append(("search_term", search_term))
        if include_email:
            params.append(("include[]", "email"))
        return self._pages(User, f"/accounts/{ref(account)}/users", params)

    async def get_user(self, user: int | str) -> User:
        """``user`` is a Canvas id or a ``sis_user_id:...`` reference."""
        return await self._one(User, "GET", f"/users/{ref(user)}")

    async def get_user_by_sis_id(self, sis_user_id: str) -> User:
        return await self.get_user(sis("user", sis_user_id))

    async def create_user(self, new: NewUser, account: int | str = "self") -> User:
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

    async def update_user(self, user: int | str, update: UserUpdate) -> User:
        body = {"user": update.model_dump(exclude_none=True)}
        return await self._one(User, "PUT", f"/users/{ref(user)}", json=body)

    def list_logins(self, user: int | str) -> AsyncIterator[Login]:
        return self._pages(Login, f"/users/{ref(user)}/logins")

    async def create_login(
        self,
        user_id: int,
        unique_id: str,
        *,
        sis_user_id: str | None = None,
        account: int | str = "self",
    ) -> Login:
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
