"""Moodle web services (REST protocol) client.

Every call is a POST to ``/webservice/rest/server.php`` with ``wsfunction`` and
``moodlewsrestformat=json`` in the query and the token plus the function's parameters as a PHP-style
form body, so the token never appears in a URL (and ``_request`` never logs bodies). Moodle reports
errors as HTTP 200 with an ``exception`` body; those become typed errors here.

Because every call is a POST, every public method, the reads included, is a catalog action: the
requester ``_call`` is private, so nothing reaches Moodle but what the catalog lists.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from typing import Any, TypeVar
from urllib.parse import urlencode

import httpx
from pydantic import BaseModel, ValidationError

from connectors.actions import action
from connectors.credentials import CredentialSource
from connectors.errors import AuthError, Conflict, InvalidRequest, MalformedResponse
from connectors.http import HttpConnector
from connectors.moodle.errors import SYSTEM, TokenRejected, error_from_body
from connectors.moodle.models import (
    Course,
    CourseGradeItem,
    CreatedCourse,
    CreatedUser,
    EnrolledUser,
    Enrolment,
    EnsuredUser,
    NewCourse,
    NewGrade,
    NewUser,
    SiteInfo,
    Unenrolment,
    User,
    UserCourse,
    UserGrades,
    UserUpdate,
    Warning,
)
from connectors.moodle.phpargs import encode

SERVER_PATH = "/webservice/rest/server.php"
# Moodle's error object is json_encode()d with "exception" as its first key.
_ERROR_PREFIX = b'{"exception":'
M = TypeVar("M", bound=BaseModel)


def _batches(items: Sequence[Any], size: int) -> list[Sequence[Any]]:
    return [items[i : i + size] for i in range(0, len(items), size)]


class MoodleClient(HttpConnector):
    system = SYSTEM

    def __init__(
        self,
        base_url: str,
        credentials: CredentialSource,
        *,
        timeout: float = 30.0,
        transport: httpx.AsyncBaseTransport | None = None,
        batch_size: int = 250,
    ) -> None:
        super().__init__(base_url, timeout=timeout, transport=transport)
        self._credentials = credentials
        self._token: str | None = None
        self.batch_size = batch_size

    # --- the one requester ------------------------------------------------------------

    async def _current_token(self, *, reread: bool) -> str:
        if self._token is None or reread:
            secret = await self._credentials()
            token = secret.get("token")
            if not token:
                raise AuthError("moodle: credentials have no 'token'", system=SYSTEM)
            self._token = token
        return self._token

    async def _call(self, function: str, params: dict[str, Any] | None = None) -> Any:
        """Call one external function; its decoded JSON answer, or a typed error."""
        form = encode(params or {})
        try:
            response = await self._post(function, form, reread=False)
        except TokenRejected:
            # The token may have been rotated: read it again, once.
            response = await self._post(function, form, reread=True)
        try:
            return response.json()
        except ValueError as exc:
            raise MalformedResponse(
                f"moodle {function}: answer is not JSON: {response.text[:200]!r}",
                status=response.status_code,
                system=SYSTEM,
            ) from exc

    async def _post(
        self, function: str, form: list[tuple[str, str]], *, reread: bool
    ) -> httpx.Response:
        token = await self._current_token(reread=reread)
        return await self._request(
            "POST",
            SERVER_PATH,
            params={"wsfunction": function, "moodlewsrestformat": "json"},
            content=urlencode([("wstoken", token), *form]),
            headers={"Content-Type": "application/x-www-form-urlencoded"},
        )

    def _is_error_body(self, response: httpx.Response) -> bool:
        return response.content.startswith(_ERROR_PREFIX)

    def _raise_for(self, response: httpx.Response) -> None:
        if response.status_code >= 400:
            super()._raise_for(response)
        try:
            body = response.json()
        except ValueError:
            body = {"exception": "unknown", "message": response.text[:200]}
        function = response.request.url.params.get("wsfunction", "?")
        raise error_from_body(body, function)

    @staticmethod
    def _parse(model: type[M], data: Any, function: str) -> M:
        try:
            return model.model_validate(data)
        except ValidationError as exc:
            raise MalformedResponse(f"moodle {function}: {exc}", system=SYSTEM) from exc

    @classmethod
    def _parse_list(cls, model: type[M], data: Any, function: str) -> list[M]:
        if not isinstance(data, list):
            raise MalformedResponse(f"moodle {function}: expected a list, got {data!r:.200}")
        out = []
        for index, record in enumerate(data):
            try:
                out.append(model.model_validate(record))
            except ValidationError as exc:
                raise MalformedResponse(
                    f"moodle {function}: record {index} is malformed: {exc}", system=SYSTEM
                ) from exc
        return out

    # --- site --------------------------------------------------------------------------

    @action("moodle.site_info", effect="read")
    async def site_info(self) -> SiteInfo:
        """The site's name, release and the token's user (core_webservice_get_site_info): cheap,
        and proves the token works (the health check)."""
        data = await self._call("core_webservice_get_site_info")
        return self._parse(SiteInfo, data, "core_webservice_get_site_info")

    # --- users -------------------------------------------------------------------------

    @action("moodle.create_users", effect="write")
    async def create_users(self, users: Sequence[NewUser]) -> list[CreatedUser]:
        """Create users (core_user_create_users) in batches; a batch is all-or-nothing in Moodle,
        which refuses a second user of the same username."""
        created: list[CreatedUser] = []
        for batch in _batches(users, self.batch_size):
            payload = [u.model_dump(exclude_none=True) for u in batch]
            data = await self._call("core_user_create_users", {"users": payload})
            created += self._parse_list(CreatedUser, data, "core_user_create_users")
        return created

    @action("moodle.update_users", effect="write", idempotent=True)
    async def update_users(self, updates: Sequence[UserUpdate]) -> list[Warning]:
        """Change users' fields or suspend them (core_user_update_users), in batches.

        Users Moodle skipped come back as warnings (Moodle >= 4.0).

        Moodle < 4.0 answers ``null`` (no warnings reported), which we read as an empty list.
        """
        warnings: list[Warning] = []
        for batch in _batches(updates, self.batch_size):
            payload = [u.model_dump(exclude_none=True) for u in batch]
            data = await self._call("core_user_update_users", {"users": payload})
            if data is not None:
                raw = data.get("warnings", []) if isinstance(data, dict) else data
                warnings += self._parse_list(Warning, raw, "core_user_update_users")
        return warnings

    @action("moodle.users_by_field", effect="read")
    async def users_by_field(self, field: str, values: Sequence[str | int]) -> AsyncIterator[User]:
        """Users whose ``field`` (id | idnumber | username | email) is one of ``values``
        (core_user_get_users_by_field, ``batch_size`` values per call); users that do not exist
        are simply absent."""
        for batch in _batches(values, self.batch_size):
            data = await self._call(
                "core_user_get_users_by_field", {"field": field, "values": list(batch)}
            )
            for user in self._parse_list(User, data, "core_user_get_users_by_field"):
                yield user

    @action("moodle.ensure_user", effect="write", key="new.idnumber")
    async def ensure_user(self, new: NewUser) -> EnsuredUser:
        """Make sure a user with ``new.idnumber`` (the SIS id) exists: found, or created.

        ``created`` is True when this call or an earlier attempt of it made the user: a create
        refused as a duplicate, with the user now found, means an attempt that crashed did."""
        if not new.idnumber:
            raise InvalidRequest("moodle: ensure_user needs an idnumber", system=SYSTEM)
        found = [u async for u in self.users_by_field("idnumber", [new.idnumber])]
        if found:
            return EnsuredUser(id=found[0].id, created=False)
        try:
            [created] = await self.create_users([new])
            return EnsuredUser(id=created.id, created=True)
        except Conflict:
            again = [u async for u in self.users_by_field("idnumber", [new.idnumber])]
            if not again:
                raise
            return EnsuredUser(id=again[0].id, created=True)

    # --- courses -----------------------------------------------------------------------

    @action("moodle.create_courses", effect="write")
    async def create_courses(self, courses: Sequence[NewCourse]) -> list[CreatedCourse]:
        """Create courses (core_course_create_courses) in batches; Moodle refuses a second course
        of the same shortname or idnumber."""
        created: list[CreatedCourse] = []
        for batch in _batches(courses, self.batch_size):
            payload = [c.model_dump(exclude_none=True) for c in batch]
            data = await self._call("core_course_create_courses", {"courses": payload})
            created += self._parse_list(CreatedCourse, data, "core_course_create_courses")
        return created

    @action("moodle.courses_by_field", effect="read")
    async def courses_by_field(self, field: str = "", value: str | int = "") -> list[Course]:
        """Courses whose ``field`` (id | ids | shortname | idnumber | category, or all) is
        ``value`` (core_course_get_courses_by_field).

        Moodle does not page this function; the front page course (format "site") is included."""
        function = "core_course_get_courses_by_field"
        data = await self._call(function, {"field": field, "value": value})
        if not isinstance(data, dict) or "courses" not in data:
            raise MalformedResponse(f"moodle {function}: no 'courses' in {data!r:.200}")
        return self._parse_list(Course, data["courses"], function)

    @action("moodle.delete_courses", effect="destructive", key="courseids")
    async def delete_courses(self, courseids: Sequence[int]) -> list[Warning]:
        """Delete courses and everything in them (core_course_delete_courses); unknown courses
        come back as warnings."""
        data = await self._call("core_course_delete_courses", {"courseids": list(courseids)})
        raw = data.get("warnings", []) if isinstance(data, dict) else []
        return self._parse_list(Warning, raw, "core_course_delete_courses")

    # --- enrolments --------------------------------------------------------------------

    @action("moodle.enrol", effect="write", idempotent=True)
    async def enrol(self, enrolments: Sequence[Enrolment]) -> None:
        """Enrol users in courses with a role (enrol_manual_enrol_users), in batches;
        re-enrolling updates the enrolment's dates and status, so a repeat is harmless."""
        for batch in _batches(enrolments, self.batch_size):
            payload = [e.model_dump(exclude_none=True) for e in batch]
            await self._call("enrol_manual_enrol_users", {"enrolments": payload})

    @action("moodle.unenrol", effect="destructive", idempotent=True)
    async def unenrol(self, unenrolments: Sequence[Unenrolment]) -> None:
        """Remove manual enrolments (enrol_manual_unenrol_users), in batches; the user's course
        data may go with them."""
        for batch in _batches(unenrolments, self.batch_size):
            payload = [e.model_dump(exclude_none=True) for e in batch]
            await self._call("enrol_manual_unenrol_users", {"enrolments": payload})

    @action("moodle.user_courses", effect="read")
    async def user_courses(self, userid: int) -> list[UserCourse]:
        """The courses a user is actively enrolled in (core_enrol_get_users_courses); an unknown
        or deleted user is ``NotFound``."""
        function = "core_enrol_get_users_courses"
        data = await self._call(function, {"userid": userid, "returnusercount": 0})
        return self._parse_list(UserCourse, data, function)

    @action("moodle.enrolled_users", effect="read")
    async def enrolled_users(
        self, courseid: int, *, page_size: int = 100, only_active: bool = False
    ) -> AsyncIterator[EnrolledUser]:
        """The users enrolled in a course with their roles (core_enrol_get_enrolled_users), paged
        with the limitfrom/limitnumber options."""
        function = "core_enrol_get_enrolled_users"
        offset = 0
        while True:
            options = [
                {"name": "limitfrom", "value": offset},
                {"name": "limitnumber", "value": page_size},
                {"name": "sortby", "value": "id"},
            ]
            if only_active:
                options.append({"name": "onlyactive", "value": 1})
            data = await self._call(function, {"courseid": courseid, "options": options})
            page = self._parse_list(EnrolledUser, data, function)
            for user in page:
                yield user
            if len(page) < page_size:
                return
            offset += page_size

    # --- grades ------------------------------------------------------------------------

    @action("moodle.grade_items", effect="read")
    async def grade_items(self, courseid: int, userid: int = 0) -> list[UserGrades]:
        """Every gradable user's grade items in a course, or one user's
        (gradereport_user_get_grade_items)."""
        function = "gradereport_user_get_grade_items"
        data = await self._call(function, {"courseid": courseid, "userid": userid})
        if not isinstance(data, dict) or "usergrades" not in data:
            raise MalformedResponse(f"moodle {function}: no 'usergrades' in {data!r:.200}")
        return self._parse_list(UserGrades, data["usergrades"], function)

    @action("moodle.course_grade_items", effect="read")
    async def course_grade_items(self, courseid: int) -> list[CourseGradeItem]:
        """A course's gradable items with their category's name (core_grades_get_gradeitems,
        Moodle 4.2+), which the user report does not give (it has only ``categoryid``)."""
        function = "core_grades_get_gradeitems"
        data = await self._call(function, {"courseid": courseid})
        if not isinstance(data, dict) or "gradeItems" not in data:
            raise MalformedResponse(f"moodle {function}: no 'gradeItems' in {data!r:.200}")
        return self._parse_list(CourseGradeItem, data["gradeItems"], function)

    @action("moodle.update_grades", effect="write", idempotent=True)
    async def update_grades(
        self,
        courseid: int,
        component: str,
        cmid: int,
        grades: Sequence[NewGrade],
        *,
        itemnumber: int = 0,
        source: str = "atrium",
    ) -> None:
        """Set raw grades on an activity (core_grades_update_grades; ``cmid``, e.g. the ``cmid``
        of a ``mod`` grade item); setting a grade is idempotent."""
        function = "core_grades_update_grades"
        status = await self._call(
            function,
            {
                "source": source,
                "courseid": courseid,
                "component": component,
                "activityid": cmid,
                "itemnumber": itemnumber,
                "grades": [g.model_dump(exclude_none=True) for g in grades],
            },
        )
        if status != 0:  # GRADE_UPDATE_OK; anything else is Moodle refusing the update
            raise InvalidRequest(
                f"moodle {function}: grade_update answered {status!r}", system=SYSTEM
            )

    @action("moodle.delete_users", effect="destructive", key="userids")
    async def delete_users(self, userids: Sequence[int]) -> None:
        """Delete users (core_user_delete_users); an unknown or already deleted user fails the
        call (NotFound)."""
        await self._call("core_user_delete_users", {"userids": list(userids)})
