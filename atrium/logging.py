"""structlog logs with a correlation id, and secrets masked wherever they appear: JSON for
machines (production, a file, a pipe), readable lines for a person watching a terminal."""

from __future__ import annotations

import logging
import os
import re
import sys
from collections.abc import MutableMapping
from typing import Any, TextIO

import structlog

SECRET_KEYS = re.compile(
    r"(pass(word)?|secret|token|api[_-]?key|authorization|client_secret|wstoken|private)", re.I
)
# Bearer tokens, Vault tokens (s.xxx / hvs.xxx) and key=value secrets inside free text.
SECRET_TEXT = re.compile(
    r"(Bearer\s+)[A-Za-z0-9._~+/=-]+|\b(hvs|s)\.[A-Za-z0-9]{16,}\b"
    r"|((?:password|secret|token|wstoken|api_key)=)[^&\s\"']+",
    re.I,
)
MASK = "***"


def mask_text(text: str) -> str:
    def repl(m: re.Match[str]) -> str:
        if m.group(1):
            return m.group(1) + MASK
        if m.group(3):
            return m.group(3) + MASK
        return MASK

    return SECRET_TEXT.sub(repl, text)


def mask_value(key: str, value: Any) -> Any:
    if SECRET_KEYS.search(key) and value not in (None, "", False):
        return MASK
    if isinstance(value, str):
        return mask_text(value)
    if isinstance(value, dict):
        return {k: mask_value(str(k), v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [mask_value(key, v) for v in value]
    return value


def mask_secrets(_: Any, __: str, event: MutableMapping[str, Any]) -> MutableMapping[str, Any]:
    for key in list(event):
        event[key] = mask_value(key, event[key])
    return event


def wants_json(json: bool | None, stream: TextIO) -> bool:
    """The format a setting asks for; without one (None), JSON unless a person is watching, that
    is unless the stream is a terminal."""
    return json if json is not None else not _is_terminal(stream)


def configure_logging(level: str = "INFO", json: bool | None = True) -> None:
    """Log to stderr at ``level``: JSON when ``json`` is True, readable lines when False, and
    when None, whichever suits stderr (``wants_json``)."""
    stream = sys.stderr
    as_json = wants_json(json, stream)
    processors: list[Any] = [
        structlog.contextvars.merge_contextvars,
        structlog.processors.add_log_level,
        # a terminal shows the local time of day; machines get ISO 8601 in UTC
        structlog.processors.TimeStamper(fmt="iso", utc=True)
        if as_json
        else structlog.processors.TimeStamper(fmt="%H:%M:%S", utc=False),
        structlog.stdlib.ExtraAdder(),
        structlog.processors.format_exc_info,  # before masking: a traceback can quote a secret
        mask_secrets,
    ]
    renderer: Any = (
        structlog.processors.JSONRenderer()
        if as_json
        # NO_COLOR (https://no-color.org) keeps a terminal's lines plain
        else structlog.dev.ConsoleRenderer(
            colors=_is_terminal(stream) and not os.environ.get("NO_COLOR")
        )
    )
    structlog.configure(
        processors=[*processors, renderer],
        wrapper_class=structlog.make_filtering_bound_logger(getattr(logging, level)),
        logger_factory=structlog.PrintLoggerFactory(file=stream),
        cache_logger_on_first_use=True,
    )
    # Route stdlib logs (uvicorn, temporalio, httpx) through the same masking renderer.
    handler = logging.StreamHandler(stream)
    handler.setFormatter(
        structlog.stdlib.ProcessorFormatter(
            foreign_pre_chain=processors,
            processors=[structlog.stdlib.ProcessorFormatter.remove_processors_meta, renderer],
        )
    )
    root = logging.getLogger()
    root.handlers = [handler]
    root.setLevel(level)
    # mail.log: the sandbox SMTP server (aiosmtpd) logs every connection at INFO
    for noisy in ("httpx", "alembic", "uvicorn.access", "mail.log", "asyncssh"):
        logging.getLogger(noisy).setLevel(logging.WARNING)


def _is_terminal(stream: TextIO) -> bool:
    isatty = getattr(stream, "isatty", None)
    return bool(isatty and isatty())
