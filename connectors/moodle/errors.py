"""Moodle answers errors with HTTP 200 and ``{"exception", "errorcode", "message", "debuginfo"?}``.
This turns that body into the connector error that says whether a retry can help."""

from __future__ import annotations

from typing import Any

from connectors.errors import (
    AuthError,
    Conflict,
    ConnectorError,
    InvalidRequest,
    NotFound,
    ServerError,
)

SYSTEM = "moodle"


class TokenRejected(AuthError):
    """``invalidtoken``: the token is unknown (rotated or revoked); worth re-reading it once."""


# errorcode -> error class; anything unlisted is a permanent InvalidRequest.
_BY_CODE: dict[str, type[ConnectorError]] = {
    "invalidtoken": TokenRejected,
    "accessexception": AuthError,
    "nopermissions": AuthError,
    "requireloginerror": AuthError,
    "sitemaintenance": ServerError,  # temporary by nature
    "invalidrecord": NotFound,
    "invalidrecordunknown": NotFound,
    "invaliduser": NotFound,
    "invalidcourseid": NotFound,
    "errorcoursecontextnotvalid": NotFound,
    "errorcatcontextnotvalid": NotFound,
    "shortnametaken": Conflict,
    "courseidnumbertaken": Conflict,
    "dmlreadexception": ServerError,
    "dmlwriteexception": ServerError,
    "dbconnectionfailed": ServerError,
}
# invalid_parameter_exception debuginfo that means "already there" rather than "malformed".
_CONFLICT_HINTS = ("already exists",)


def error_from_body(body: dict[str, Any], function: str) -> ConnectorError:
    code = str(body.get("errorcode", ""))
    debuginfo = body.get("debuginfo")
    detail = f" ({debuginfo})" if debuginfo else ""
    message = f"moodle {function}: {body.get('exception')}/{code}: {body.get('message')}{detail}"
    cls = _BY_CODE.get(code, InvalidRequest)
    if code == "invalidparameter" and any(h in str(debuginfo or "") for h in _CONFLICT_HINTS):
        cls = Conflict
    return cls(message, status=200, system=SYSTEM)
