"""OneRoster 1.2 error answers: an ``imsx_StatusInfo`` body with the matching HTTP status.

The REST binding returns the status info object itself as the body of a 4xx/5xx, with
``imsx_codeMajor`` = failure, ``imsx_severity`` = error and the reason in ``imsx_CodeMinor``
(``invalid_filter_field``, ``invalid_selection_field``, ``invalid_sort_field``, ``unknownobject``,
``unauthorisedrequest``, ``forbidden``, ``invaliddata``, ``server_busy``, ...).
"""

from __future__ import annotations

from fastapi import Request
from fastapi.responses import JSONResponse


class ImsxError(Exception):
    def __init__(
        self,
        status: int,
        code_minor: str,
        description: str,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(description)
        self.status = status
        self.code_minor = code_minor
        self.description = description
        self.headers = headers or {}


def status_info(code_minor: str, description: str) -> dict[str, object]:
    return {
        "imsx_codeMajor": "failure",
        "imsx_severity": "error",
        "imsx_description": description,
        "imsx_CodeMinor": {
            "imsx_codeMinorField": [
                {
                    "imsx_codeMinorFieldName": "TargetEndSystem",
                    "imsx_codeMinorFieldValue": code_minor,
                }
            ]
        },
    }


async def imsx_handler(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, ImsxError)
    return JSONResponse(
        status_info(exc.code_minor, exc.description), status_code=exc.status, headers=exc.headers
    )


def bad_filter(description: str) -> ImsxError:
    return ImsxError(400, "invalid_filter_field", description)


def unknown_object(kind: str, sourced_id: str) -> ImsxError:
    return ImsxError(404, "unknownobject", f"{kind} {sourced_id!r} does not exist")


def invalid_data(description: str) -> ImsxError:
    return ImsxError(422, "invaliddata", description)
