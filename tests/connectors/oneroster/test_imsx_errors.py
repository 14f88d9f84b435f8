"""imsx_StatusInfo error payloads -> typed errors carrying the parsed status."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from connectors.errors import AuthError, InvalidRequest, NotFound, RateLimited, ServerError
from connectors.oneroster import OneRosterClient
from connectors.oneroster.errors import (
    ImsxStatus,
    InvalidFilterField,
    OneRosterNotFound,
    ServerBusy,
    UnknownObject,
    error_for,
)

URL = "https://sis.example.org/ims/oneroster/rostering/v1p2/users/u9"


def _status(minor: str, description: str = "") -> dict[str, Any]:
    return {
        "imsx_codeMajor": "failure",
        "imsx_severity": "error",
        "imsx_description": description,
        "imsx_CodeMinor": {
            "imsx_codeMinorField": [
                {"imsx_codeMinorFieldName": "TargetEndSystem", "imsx_codeMinorFieldValue": minor}
            ]
        },
    }


def _answer(status: int, body: Any, **headers: str) -> httpx.Response:
    request = httpx.Request("GET", URL)
    if isinstance(body, str):
        return httpx.Response(status, text=body, request=request, headers=headers)
    return httpx.Response(status, json=body, request=request, headers=headers)


@pytest.mark.parametrize(
    ("status", "body", "kind", "base"),
    [
        (404, _status("unknownobject", "no user u9"), UnknownObject, NotFound),
        (404, {"imsx_StatusInfo": _status("unknownobject")}, UnknownObject, NotFound),
        (400, _status("invalid_filter_field", "nickname"), InvalidFilterField, InvalidRequest),
        (503, _status("server_busy"), ServerBusy, RateLimited),
        (500, _status("internal_server_error"), ServerError, ServerError),
        (403, _status("forbidden"), AuthError, AuthError),
    ],
)
def test_imsx_payloads_pick_the_type_and_are_kept(
    status: int, body: dict[str, Any], kind: type[Exception], base: type[Exception]
) -> None:
    error = error_for(_answer(status, body))
    assert isinstance(error, kind) and isinstance(error, base)
    imsx = error.imsx  # type: ignore[attr-defined]
    assert isinstance(imsx, ImsxStatus) and imsx.code_major == "failure"
    minor = (body.get("imsx_StatusInfo") or body)["imsx_CodeMinor"]["imsx_codeMinorField"][0]
    assert imsx.code_minor == minor["imsx_codeMinorFieldValue"]
    assert error.status == status and minor["imsx_codeMinorFieldValue"] in error.message


def test_other_bodies_fall_back_to_the_status() -> None:
    plain = error_for(_answer(404, {"detail": "Not Found"}))
    assert type(plain) is OneRosterNotFound and plain.imsx is None
    assert "Not Found" in plain.message
    text = error_for(_answer(502, "<html>bad gateway</html>"))
    assert isinstance(text, ServerError) and "bad gateway" in text.message
    limited = error_for(_answer(429, _status("server_busy"), **{"Retry-After": "3"}))
    assert isinstance(limited, RateLimited) and limited.retry_after == 3.0


async def test_the_sandbox_answers_a_bad_filter_with_a_typed_error(
    oneroster: OneRosterClient,
) -> None:
    with pytest.raises(InvalidRequest) as raised:
        await oneroster.page("users", limit=1, filter="nickname='x'")
    assert raised.value.status == 400
    imsx = raised.value.imsx  # type: ignore[attr-defined]
    assert imsx is not None and imsx.code_major == "failure", raised.value.message
