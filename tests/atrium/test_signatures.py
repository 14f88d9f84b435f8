"""HMAC signatures over '<timestamp>.<body>' in both header styles."""

from __future__ import annotations

import pytest

from atrium.signatures import SignatureError, parse, sign_headers, verify

SECRET = "s3cret-s3cret-s3cret"
BODY = b'{"id": "evt_1"}'


@pytest.mark.parametrize("scheme", ["atrium", "github"])
def test_signed_headers_verify_and_any_change_is_caught(scheme: str) -> None:
    headers = sign_headers(SECRET, 1_700_000_000, BODY, scheme)
    signed = parse(headers, scheme)
    verify(signed, SECRET, BODY, 1_700_000_100, 300)
    with pytest.raises(SignatureError, match="does not match"):
        verify(signed, SECRET, BODY + b" ", 1_700_000_100, 300)
    with pytest.raises(SignatureError, match="does not match"):
        verify(signed, "another-secret-entirely", BODY, 1_700_000_100, 300)
    with pytest.raises(SignatureError, match="replay window"):
        verify(signed, SECRET, BODY, 1_700_000_301, 300)


def test_rotation_overlap_and_malformed_headers() -> None:
    old = sign_headers("old-secret-old-secret", 1_700_000_000, BODY)["Atrium-Signature"]
    new = sign_headers(SECRET, 1_700_000_000, BODY)["Atrium-Signature"]
    both = {"Atrium-Signature": f"{old},v1={new.split('v1=')[1]}"}
    verify(parse(both, "atrium"), SECRET, BODY, 1_700_000_000, 300)
    for bad in ({}, {"Atrium-Signature": "t=1"}, {"Atrium-Signature": "t=x,v1=ab"}):
        with pytest.raises(SignatureError):
            parse(bad, "atrium")
    non_ascii = parse({"Atrium-Signature": "t=1700000000,v1=\u00e9\u00e9"}, "atrium")
    with pytest.raises(SignatureError, match="does not match"):  # not a TypeError
        verify(non_ascii, SECRET, BODY, 1_700_000_000, 300)
    with pytest.raises(SignatureError, match="sha256"):
        parse({"X-Hub-Signature-256": "md5=abc", "X-Atrium-Timestamp": "1"}, "github")
