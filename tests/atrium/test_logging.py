"""Logs are JSON, carry the correlation id, and never show a secret."""

from __future__ import annotations

import json

import pytest
import structlog

from atrium.logging import configure_logging, mask_text


def test_secrets_are_masked_in_fields_and_text(capsys: pytest.CaptureFixture[str]) -> None:
    configure_logging("INFO", json=True)
    log = structlog.get_logger("t")
    with structlog.contextvars.bound_contextvars(correlation_id="abc123"):
        log.info(
            "calling",
            client_secret="hunter2",
            headers={"Authorization": "Bearer tok.en-123"},
            url="https://lms/x?wstoken=abcdef&page=2",
            note="root token s.AAAAAAAAAAAAAAAAAAAAAAAA used",
        )
    line = capsys.readouterr().err.strip().splitlines()[-1]
    event = json.loads(line)
    assert event["correlation_id"] == "abc123"
    assert event["client_secret"] == "***"
    assert event["headers"]["Authorization"] == "***"
    assert "abcdef" not in event["url"] and "page=2" in event["url"]
    assert "AAAAAAAA" not in event["note"]
    for secret in ("hunter2", "tok.en-123", "abcdef"):
        assert secret not in line
    structlog.reset_defaults()


def test_mask_text_keeps_the_rest() -> None:
    assert mask_text("Bearer abc.def") == "Bearer ***"
    assert mask_text("password=pw&user=u") == "password=***&user=u"
    assert mask_text("nothing secret") == "nothing secret"
