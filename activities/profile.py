"""Profile updates pushed into the LMS: the one activity of the ``profile-update`` process."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from functools import lru_cache
from typing import Annotated

from pydantic import AfterValidator, BaseModel, Field, WithJsonSchema, model_validator
from pydantic.networks import validate_email
from sqlalchemy.engine import Engine
from sqlmodel import select
from temporalio import activity
from temporalio.exceptions import ApplicationError

from activities.connections import limited
from atrium.credentials import Credentials
from atrium.db import session_scope
from atrium.models import Integration
from atrium.ttl_cache import TTLCache
from connectors.canvas import CanvasClient, sis
from connectors.canvas.models import UserUpdate
from connectors.errors import ConnectorError, RateLimited

PERSON_ID = r"^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$"


@lru_cache(maxsize=4096)
def _email(value: str) -> str:
    """pydantic's EmailStr check (email-validator), remembered: a profile update's address is
    checked at the webhook, in the workflow and in the activity, all in one process."""
    return validate_email(value)[1]


EMAIL_SCHEMA = WithJsonSchema({"type": "string", "format": "email"})
Email = Annotated[str, AfterValidator(_email), EMAIL_SCHEMA]


class ProfileFields(BaseModel):
    email: Email | None = None
    phone: str | None = Field(default=None, pattern=r"^\+?[0-9 ().-]{5,30}$")
    preferred_first_name: str | None = Field(default=None, min_length=1, max_length=100)

    @model_validator(mode="after")
    def _something_to_change(self) -> ProfileFields:
        if self.email is None and self.phone is None and self.preferred_first_name is None:
            raise ValueError("name at least one of email, phone, preferred_first_name")
        return self


class UpdateProfileInput(BaseModel):
    integration: str
    person_id: str
    fields: ProfileFields


class UpdateProfileResult(BaseModel):
    person_id: str
    lms_user_id: int
    applied: list[str]
    skipped: list[str]  # fields the target system keeps nowhere (Canvas has no phone)


class ProfileActivities:
    def __init__(self, engine: Engine, credentials: Credentials, *, cache_seconds: float = 30.0):
        self.engine = engine
        self.credentials = credentials
        # One client per connection, kept: it holds its token until a 401 says it rotated.
        self._clients: TTLCache[str, CanvasClient] = TTLCache(cache_seconds, self._client)

    def _integration(self, name: str) -> Integration | None:
        with session_scope(self.engine) as session:
            return session.exec(select(Integration).where(Integration.name == name)).first()

    async def _client(self, name: str) -> CanvasClient:
        integration = await asyncio.to_thread(self._integration, name)
        if integration is None or integration.system != "canvas":
            raise ApplicationError(
                f"integration {name!r} is not a Canvas connection",
                type="NotFound",
                non_retryable=True,
            )
        source = self.credentials.source(name, integration.base_url)
        return limited(CanvasClient(integration.base_url, source), name)

    @activity.defn(name="update_lms_profile")
    async def update_profile(self, input: UpdateProfileInput) -> UpdateProfileResult:
        client = await self._clients.get(input.integration)
        fields = input.fields
        try:
            user = await client.update_user(
                sis("user", input.person_id),
                UserUpdate(email=fields.email, short_name=fields.preferred_first_name),
            )
        except RateLimited as exc:
            raise ApplicationError(
                str(exc), type="RateLimited", next_retry_delay=timedelta(seconds=exc.retry_after)
            ) from None
        except ConnectorError as exc:
            raise ApplicationError(
                str(exc), type=type(exc).__name__, non_retryable=not exc.retryable
            ) from None
        applied = [k for k in ("email", "preferred_first_name") if getattr(fields, k) is not None]
        return UpdateProfileResult(
            person_id=input.person_id,
            lms_user_id=user.id,
            applied=applied,
            skipped=["phone"] if fields.phone is not None else [],
        )
