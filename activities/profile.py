"""Profile updates pushed into the LMS: the one activity of the ``profile-update`` process."""

from __future__ import annotations

from functools import lru_cache
from typing import Annotated

from pydantic import AfterValidator, BaseModel, Field, WithJsonSchema, model_validator
from pydantic.networks import validate_email
from sqlalchemy.engine import Engine
from temporalio import activity

from activities.runtime import Runtime
from atrium.credentials import Credentials
from connectors.canvas import CanvasClient, sis
from connectors.canvas.models import UserUpdate

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


class ProfileUpdateActivities:
    def __init__(
        self, engine: Engine, credentials: Credentials, runtime: Runtime | None = None
    ) -> None:
        self.runtime = runtime or Runtime(engine, credentials)

    @activity.defn(name="update_lms_profile")
    async def update_profile(self, input: UpdateProfileInput) -> UpdateProfileResult:
        row = await self.runtime.aconnection(input.integration, "canvas")
        client = self.runtime.client(row, CanvasClient)
        fields = input.fields
        with self.runtime.translate(input.integration):
            user = await client.update_user(
                sis("user", input.person_id),
                UserUpdate(email=fields.email, short_name=fields.preferred_first_name),
            )
        applied = [k for k in ("email", "preferred_first_name") if getattr(fields, k) is not None]
        return UpdateProfileResult(
            person_id=input.person_id,
            lms_user_id=user.id,
            applied=applied,
            skipped=["phone"] if fields.phone is not None else [],
        )


# worker.py, activities/intake.py and workflows/profile_update.py still import the old name.
ProfileActivities = ProfileUpdateActivities
