"""HMAC signatures over '<timestamp>.<body>' in every header layout, and the strict grammar
their headers are parsed with (anything off it is a 400 naming the header, never a crash)."""

from __future__ import annotations

import httpx
import pytest

from atrium.signatures import (
    MAX_HEADER_LENGTH,
    HeaderFormat,
    SignatureError,
    parse,
    sign_headers,
    verify,
)

SECRET = "s3cret-s3cret-s3cret"
BODY = b'{"id": "evt_1"}'
VENDOR = HeaderFormat("X-Proctor-Signature")  # a vendor's pairs header, declared, not coded
HEX = "ab" * 32


@pytest.mark.parametrize("scheme", ["atrium", "github", VENDOR])
def test_signed_headers_verify_and_any_change_is_caught(scheme: str | HeaderFormat) -> None:
    headers = sign_headers(SECRET, 1_700_000_000, BODY, scheme)
    signed = parse(headers, scheme)
    verify(signed, SECRET, BODY, 1_700_000_100, 300)
    with pytest.raises(SignatureError, match="does not match") as forged:
        verify(signed, SECRET, BODY + b" ", 1_700_000_100, 300)
    assert forged.value.status == 401
    with pytest.raises(SignatureError, match="does not match"):
        verify(signed, "another-secret-entirely", BODY, 1_700_000_100, 300)
    with pytest.raises(SignatureError, match="replay window") as stale:
        verify(signed, SECRET, BODY, 1_700_000_301, 300)
    assert stale.value.status == 401


def test_rotation_overlap_and_missing_header() -> None:
    old = sign_headers("old-secret-old-secret", 1_700_000_000, BODY)["Atrium-Signature"]
    new = sign_headers(SECRET, 1_700_000_000, BODY)["Atrium-Signature"]
    both = {"Atrium-Signature": f"{old}, v1={new.split('v1=')[1]}"}
    verify(parse(both, "atrium"), SECRET, BODY, 1_700_000_000, 300)
    for missing in ({}, {"Atrium-Signature": ""}, {"Atrium-Signature": "  "}):
        with pytest.raises(SignatureError, match="missing") as caught:
            parse(missing, "atrium")
        assert (caught.value.status, caught.value.header) == (401, "Atrium-Signature")


@pytest.mark.parametrize(
    "value",
    [
        "t=1",  # no v1
        f"v1={HEX}",  # no t
        f"t=x,v1={HEX}",
        f"t=\u00b2,v1={HEX}",  # a superscript two: int() reads no digit from it (ValueError)
        f"t=\u0663,v1={HEX}",  # an Arabic-Indic three: int() reads it, the grammar does not
        f"t={'9' * 400},v1={HEX}",  # float(now - t) overflowed
        f"t={'9' * 13},v1={HEX}",  # 13 digits
        "t=1700000000,v1=\u00e9\u00e9",  # compare_digest raised TypeError on non-ASCII str
        "t=1700000000,v1=",
        "t=1700000000,v1=00",
        f"t=1700000000,v1={HEX.upper()}",
        f"t=1700000000,v1={HEX}0",
        f"t=1,t=2,v1={HEX}",
        f"t=1700000000,{','.join([f'v1={HEX}'] * 6)}",
        f"t=1700000000,v0={HEX}",
        f"t=1700000000;v1={HEX}",
        f"t=1700000000,v1={HEX}\x00",
        "t=1," + "v1=" * 200,
    ],
)
def test_malformed_pairs_are_400_naming_the_header(value: str) -> None:
    with pytest.raises(SignatureError, match="malformed") as caught:
        parse({"Atrium-Signature": value}, "atrium")
    assert (caught.value.status, caught.value.header) == (400, "Atrium-Signature")
    assert value not in caught.value.reason  # the reason never quotes what was sent


def test_header_length_repeats_and_the_github_layout_are_bounded() -> None:
    long = f"t=1700000000,v1={HEX}" + " " * MAX_HEADER_LENGTH
    with pytest.raises(SignatureError, match=f"longer than {MAX_HEADER_LENGTH}"):
        parse({"Atrium-Signature": long}, "atrium")
    twice = httpx.Headers([("Atrium-Signature", f"t=1,v1={HEX}")] * 2)
    with pytest.raises(SignatureError, match="more than once"):
        parse(twice, "atrium")
    bad_github = [
        ({"X-Hub-Signature-256": f"md5={HEX}", "X-Atrium-Timestamp": "1"}, "X-Hub-Signature-256"),
        ({"X-Hub-Signature-256": "sha256=abc", "X-Atrium-Timestamp": "1"}, "X-Hub-Signature-256"),
        ({"X-Hub-Signature-256": f"sha256={HEX}"}, "X-Atrium-Timestamp"),
        (
            {"X-Hub-Signature-256": f"sha256={HEX}", "X-Atrium-Timestamp": "1e9"},
            "X-Atrium-Timestamp",
        ),
    ]
    for headers, at_fault in bad_github:
        with pytest.raises(SignatureError) as caught:
            parse(headers, "github")
        assert (caught.value.status, caught.value.header) == (400, at_fault)
