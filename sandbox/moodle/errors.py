"""Moodle's exceptions as the REST server reports them (webservice/rest/locallib.php).

``generate_error()`` answers HTTP 200 with ``{"exception": get_class($ex), "errorcode": ...,
"message": ...}`` and adds ``debuginfo`` when ``debugging()`` is on. The sandbox site runs with
``$CFG->debug = DEBUG_NORMAL``: debuginfo is sent, but the message is not suffixed with it
(that only happens under DEBUG_DEVELOPER with debugdisplay). Messages are the English strings.
"""

from __future__ import annotations

from html import escape
from typing import Any


class MoodleException(Exception):
    """``moodle_exception``: errorcode + rendered language string + optional debuginfo."""

    php_class = "moodle_exception"

    def __init__(self, errorcode: str, message: str, debuginfo: str | None = None) -> None:
        super().__init__(message)
        self.errorcode = errorcode
        self.message = message
        self.debuginfo = debuginfo

    def as_json(self) -> dict[str, Any]:
        body: dict[str, Any] = {
            "exception": self.php_class,
            "errorcode": self.errorcode,
            "message": self.message,
        }
        if self.debuginfo is not None:
            body["debuginfo"] = self.debuginfo
        return body

    def as_xml(self) -> str:
        debug = (
            f"<DEBUGINFO>{escape(self.debuginfo, quote=False)}</DEBUGINFO>\n"
            if self.debuginfo is not None
            else ""
        )
        return (
            '<?xml version="1.0" encoding="UTF-8" ?>\n'
            f'<EXCEPTION class="{self.php_class}">\n'
            f"<ERRORCODE>{escape(self.errorcode, quote=False)}</ERRORCODE>\n"
            f"<MESSAGE>{escape(self.message, quote=False)}</MESSAGE>\n"
            f"{debug}</EXCEPTION>\n"
        )


class InvalidParameter(MoodleException):
    """``invalid_parameter_exception``: always 'Invalid parameter value detected' + debuginfo."""

    php_class = "invalid_parameter_exception"
    MESSAGE = "Invalid parameter value detected"

    def __init__(self, debuginfo: str) -> None:
        super().__init__("invalidparameter", self.MESSAGE, debuginfo)


class WebserviceAccess(MoodleException):
    """``webservice_access_exception``: 'Access control exception' + the reason as debuginfo."""

    php_class = "webservice_access_exception"

    def __init__(self, debuginfo: str) -> None:
        super().__init__("accessexception", "Access control exception", debuginfo)


class CodingError(MoodleException):
    php_class = "coding_exception"

    def __init__(self, hint: str, debuginfo: str | None = None) -> None:
        super().__init__(
            "codingerror",
            f"Coding error detected, it must be fixed by a programmer: {hint}",
            debuginfo,
        )


class MissingRecord(MoodleException):
    """``dml_missing_record_exception`` from ``$DB->get_record(..., MUST_EXIST)``."""

    php_class = "dml_missing_record_exception"

    def __init__(self, table: str, sql: str, params: list[Any]) -> None:
        exported = "".join(f"  {i} => {_php_export(v)},\n" for i, v in enumerate(params))
        debuginfo = f"{sql}\n[array (\n{exported})]"
        if table == "user":
            super().__init__("invaliduser", "Invalid user", debuginfo)
        else:
            message = f"Can't find data record in database table {table}."
            super().__init__("invalidrecord", message, debuginfo)


def _php_export(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return str(value)
    return "'" + str(value).replace("\\", "\\\\").replace("'", "\\'") + "'"


def invalid_token() -> MoodleException:
    return MoodleException("invalidtoken", "Invalid token - token not found")


def missing_function(name: str) -> MissingRecord:
    return MissingRecord(
        "external_functions", "SELECT * FROM {external_functions} WHERE name = ?", [name]
    )


def course_context_error(courseid: int, message: str) -> MoodleException:
    return MoodleException(
        "errorcoursecontextnotvalid",
        f"You cannot execute functions in the course context (course id:{courseid}). "
        f"The context error message was: {message}",
    )


def category_context_error(catid: int, message: str) -> MoodleException:
    return MoodleException(
        "errorcatcontextnotvalid",
        f"You cannot execute functions in the category context (category id:{catid}). "
        f"The context error message was: {message}",
    )
