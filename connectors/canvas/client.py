"""``CanvasClient``: the Canvas LMS REST API connector, one requester with a module per resource."""

from __future__ import annotations

from connectors.actions import action
from connectors.canvas.courses import CoursesApi
from connectors.canvas.enrollments import EnrollmentsApi
from connectors.canvas.gradebook import GradebookApi
from connectors.canvas.models import Account
from connectors.canvas.requester import ref
from connectors.canvas.sis_bulk import SisBulkApi
from connectors.canvas.submissions import SubmissionsApi
from connectors.canvas.users import UsersApi


class CanvasClient(UsersApi, CoursesApi, EnrollmentsApi, SubmissionsApi, GradebookApi, SisBulkApi):
    """``CanvasClient(base_url, credentials, timeout=..., transport=...)``; credentials give
    ``token``."""

    @action("canvas.get_account", effect="read")
    async def get_account(self, account: int | str = "self") -> Account:
        """One account (``self``: the token's root account)."""
        return await self._one(Account, "GET", f"/accounts/{ref(account)}")
