"""OneRoster answers -> Atrium's typed errors, with the ``imsx_StatusInfo`` payload parsed.

A 1.2 error body is an ``imsx_StatusInfoDType`` (``imsx_codeMajor``, ``imsx_severity``,
``imsx_description``, ``imsx_CodeMinor.imsx_codeMinorField[].imsx_codeMinorFieldValue``), bare
or wrapped in ``{"imsx_StatusInfo": ...}``. It becomes an ``ImsxStatus`` on the raised error
(``error.imsx``), and its code minor picks the error type where it says more than the HTTP
status (``unknownobject`` -> ``UnknownObject``, ``invalid_filter_field`` ->
``InvalidFilterField``, ``server_busy`` -> ``ServerBusy`` ...). Bodies that are not imsx
(``{"detail": ...}``, text) still give the plain type for the status, with the text kept.
401 and 403 are ``AuthError``s (the client refreshes its token once on a 401 first).
"""

from __future__ import annotations

from typing import Any

import httpx
from pydantic import BaseModel, ValidationError

from connectors.errors import (
    AuthError,
    ConnectorError,
    InvalidRequest,
    NotFound,
    RateLimited,
    ServerError,
)
from connectors.http import parse_retry_after

SYSTEM = "oneroster"


class ImsxStatus(BaseModel):
    """imsx_StatusInfoDType, read leniently (a provider's extra members are ignored)."""

    code_major: str
    severity: str
    description: str = ""
    code_minors: list[str] = []

    @classmethod
    def parse(cls, body: Any) -> ImsxStatus | None:
        if isinstance(body, dict) and isinstance(body.get("imsx_StatusInfo"), dict):
            body = body["imsx_StatusInfo"]  # some providers wrap it
        if not isinstance(body, dict) or "imsx_codeMajor" not in body:
            return None
        fields = (body.get("imsx_CodeMinor") or {}).get("imsx_codeMinorField") or []
        try:
            return cls(
                code_major=str(body["imsx_codeMajor"]),
                severity=str(body.get("imsx_severity") or "error"),
                description=str(body.get("imsx_description") or "")[:2000],
                code_minors=[
                    str(f.get("imsx_codeMinorFieldValue", ""))
                    for f in fields
                    if isinstance(f, dict)
                ],
            )
        except ValidationError:
            return None

    @property
    def code_minor(self) -> str:
        return self.code_minors[0] if self.code_minors else ""


class ImsxDetail:
    """Mixed into the typed errors: the parsed status payload, when the server sent one."""

    imsx: ImsxStatus | None = None


class UnknownObject(ImsxDetail, NotFound):
    pass


class InvalidFilterField(ImsxDetail, InvalidRequest):
    pass


class InvalidSelectionField(ImsxDetail, InvalidRequest):
    pass


class InvalidData(ImsxDetail, InvalidRequest):
    pass


class UnauthorisedRequest(ImsxDetail, AuthError):
    pass


class Forbidden(ImsxDetail, AuthError):
    pass


class ServerBusy(ImsxDetail, RateLimited):
    pass


class InternalServerError(ImsxDetail, ServerError):
    pass


class OneRosterNotFound(ImsxDetail, NotFound):
    pass


class OneRosterInvalidRequest(ImsxDetail, InvalidRequest):
    pass


class OneRosterAuthError(ImsxDetail, AuthError):
    pass


class OneRosterServerError(ImsxDetail, ServerError):
    pass


class OneRosterRateLimited(ImsxDetail, RateLimited):
    pass


class OneRosterError(ImsxDetail, ConnectorError):
    pass


BY_CODE_MINOR: dict[str, type[ConnectorError]] = {
    "unknownobject": UnknownObject,
    "invalid_filter_field": InvalidFilterField,
    "invalid_selection_field": InvalidSelectionField,
    "invaliddata": InvalidData,
    "unauthorisedrequest": UnauthorisedRequest,
    "forbidden": Forbidden,
    "server_busy": ServerBusy,
    "internal_server_error": InternalServerError,
}


def imsx_reason(response: httpx.Response) -> tuple[str, str]:
    """(code minor, description) from an imsx_StatusInfo body, or ('', raw text)."""
    try:
        body: Any = response.json()
    except ValueError:
        return "", response.text[:300]
    status = ImsxStatus.parse(body)
    if status is not None:
        return status.code_minor, status.description or response.text[:300]
    if isinstance(body, dict):
        description = body.get("error_description") or body.get("error") or body.get("detail")
        return "", str(description or response.text[:300])[:300]
    return "", response.text[:300]


def _by_status(status: int) -> type[ConnectorError]:
    if status == 429:
        return OneRosterRateLimited
    if status in (401, 403):
        return OneRosterAuthError
    if status == 404:
        return OneRosterNotFound
    if status >= 500:
        return OneRosterServerError
    if status >= 400:
        return OneRosterInvalidRequest
    return OneRosterError


def error_for(response: httpx.Response) -> ConnectorError:
    status = response.status_code
    try:
        imsx = ImsxStatus.parse(response.json())
    except ValueError:
        imsx = None
    minor, description = imsx_reason(response)
    where = f"{response.request.method} {response.request.url.path}"
    message = f"{SYSTEM}: {where} -> {status} {minor}: {description}".replace(" : ", ": ")
    kind = BY_CODE_MINOR.get(minor, _by_status(status))
    if status == 429 and not issubclass(kind, RateLimited):
        kind = OneRosterRateLimited  # the status decides whether to back off
    if issubclass(kind, RateLimited):
        retry_after = parse_retry_after(response.headers.get("Retry-After"))
        error: ConnectorError = kind(message, retry_after=retry_after, status=status, system=SYSTEM)  # type: ignore[call-arg]
    else:
        error = kind(message, status=status, system=SYSTEM)
    if isinstance(error, ImsxDetail):
        error.imsx = imsx
    return error
