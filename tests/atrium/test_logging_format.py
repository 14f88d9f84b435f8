"""Readable lines for a person at a terminal (`make up`), JSON for everything else: production, a
file, a pipe; a setting forces either."""

from __future__ import annotations

import io
import json
import logging
import sys
from collections.abc import Iterator

import pytest
import structlog

from atrium.logging import configure_logging, wants_json
from atrium.settings import Settings


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


@pytest.fixture
def reset() -> Iterator[None]:
    yield
    structlog.reset_defaults()
    logging.getLogger().handlers = []


def log_to(stream: io.StringIO, monkeypatch: pytest.MonkeyPatch, json_setting: bool | None) -> str:
    monkeypatch.setattr(sys, "stderr", stream)
    monkeypatch.setenv("NO_COLOR", "1")
    configure_logging("INFO", json_setting)
    structlog.get_logger("t").info("run started", workflow_id="roster-sync-canvas", password="pw")
    logging.getLogger("temporalio.worker").warning("a stdlib line")
    return stream.getvalue()


def test_a_terminal_gets_readable_lines(monkeypatch: pytest.MonkeyPatch, reset: None) -> None:
    out = log_to(Terminal(), monkeypatch, None)
    first, second = out.strip().splitlines()
    assert not first.startswith("{")
    assert "[info" in first and "run started" in first
    assert "workflow_id=roster-sync-canvas" in first
    assert "password=***" in first and "=pw" not in first
    assert "[warning" in second and "a stdlib line" in second
    assert "\x1b[" not in out  # NO_COLOR


def test_a_pipe_or_file_gets_json(monkeypatch: pytest.MonkeyPatch, reset: None) -> None:
    out = log_to(io.StringIO(), monkeypatch, None)
    first, second = (json.loads(line) for line in out.strip().splitlines())
    assert first["event"] == "run started" and first["password"] == "***"
    assert second["event"] == "a stdlib line" and second["level"] == "warning"


@pytest.mark.parametrize(("setting", "stream", "expected"), [
    (True, Terminal(), True),  # forced JSON at a terminal
    (False, io.StringIO(), False),  # forced lines into a pipe
    (None, Terminal(), False),
    (None, io.StringIO(), True),
])  # fmt: skip
def test_the_setting_wins_over_the_stream(
    setting: bool | None, stream: io.StringIO, expected: bool
) -> None:
    assert wants_json(setting, stream) is expected


def test_forced_lines_into_a_pipe(monkeypatch: pytest.MonkeyPatch, reset: None) -> None:
    out = log_to(io.StringIO(), monkeypatch, False)
    assert not out.startswith("{") and "run started" in out


def test_settings_leave_it_to_the_terminal_except_in_production(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    for name in ("ATRIUM_LOG_JSON", "ATRIUM_ENV"):
        monkeypatch.delenv(name, raising=False)
    assert Settings().log_json is None
    monkeypatch.setenv("ATRIUM_LOG_JSON", "false")
    assert Settings().log_json is False
    monkeypatch.setenv("ATRIUM_LOG_JSON", "true")
    assert Settings().log_json is True
    monkeypatch.delenv("ATRIUM_LOG_JSON")
    monkeypatch.setenv("ATRIUM_ENV", "production")
    assert Settings().log_json is True
