"""structlog JSON logs with a correlation id, and secrets masked wherever they appear."""

from __future__ import annotations

import logging
import re
import sys
from collections.abc import MutableMapping
from typing import Any

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


def configure_logging(level: str = "INFO", json: bool = True) -> None:
    processors: list[Any] = [
        structlog.contextvars.merge_contextvars,
        structlog.processors.add_log_level,
        structlog.processors.TimeStamper(fmt="iso", utc=True),
        structlog.stdlib.ExtraAdder(),
        mask_secrets,
        structlog.processors.format_exc_info,
    ]
    renderer: Any = (
        structlog.processors.JSONRenderer() if json else structlog.dev.ConsoleRenderer(colors=False)
    )
    structlog.configure(
        processors=[*processors, renderer],
        wrapper_class=structlog.make_filtering_bound_logger(getattr(logging, level)),
        logger_factory=structlog.PrintLoggerFactory(file=sys.stderr),
        cache_logger_on_first_use=True,
    )
    # Route stdlib logs (uvicorn, temporalio, httpx) through the same masking JSON renderer.
    handler = logging.StreamHandler(sys.stderr)
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
