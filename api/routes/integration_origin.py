"""What guards an integration's base URL: the egress guard (atrium/egress.py) and the origin its
secret is bound to (atrium/credentials.py).

A secret goes only to the origin (scheme, host, port) it was stored for. Moving a connection to
another origin is therefore a credentials decision: it needs ``secrets:write``, and the secret
stops working until someone with that permission stores it again for the new origin. A change
of path within the same origin stays an ordinary edit. Both events are written to the audit log
under their own action, beside the request's own entry, so a reader sees what changed.
"""

from __future__ import annotations

from typing import Any

import structlog
from fastapi import HTTPException, Request
from fastapi.exceptions import RequestValidationError

from api.auth.middleware import AuditWriter, outcome_of
from api.auth.principal import Principal
from atrium.credentials import origin_of
from atrium.egress import EgressPolicy, EgressRefused, HostNotFound
from atrium.models.audit import AuditEventBase
from atrium.settings import Settings

MAX_ACTION = 200  # the audit log's action column
# Connector options that say where else, or through what trust, a secret travels (the bursar's
# SFTP login, the campus mail server's): changing them is a credentials decision as well.
CREDENTIAL_OPTIONS = frozenset(
    {
        "sftp_host",
        "sftp_port",
        "sftp_host_key",
        "smtp_host",
        "smtp_port",
        "smtp_ca_pem",
        "smtp_start_tls",
    }
)


def _invalid(message: str) -> RequestValidationError:
    error = {"loc": ("body", "base_url"), "msg": message, "type": "value_error"}
    return RequestValidationError([error])


async def check_base_url(url: str, settings: Settings) -> None:
    """A 422 naming ``base_url`` unless the egress guard lets connections call it. A host that
    does not resolve from here is refused too: the worker would find nothing to call."""
    try:
        origin_of(url)
        await EgressPolicy.from_egress(settings.egress).check(url)
    except (ValueError, EgressRefused, HostNotFound) as exc:
        raise _invalid(str(exc)) from None


def origin_change(old_url: str, new_url: str) -> tuple[str, str] | None:
    """(old origin, new origin) when ``new_url`` is of another origin, else None."""
    old, new = origin_of(old_url), origin_of(new_url)
    return (old, new) if old != new else None


def credential_options_changed(old: dict[str, Any], new: dict[str, Any]) -> list[str]:
    """The options among CREDENTIAL_OPTIONS whose value ``new`` changes."""
    return sorted(k for k in CREDENTIAL_OPTIONS if old.get(k) != new.get(k))


def require_secrets_write(principal: Principal, name: str, change: tuple[str, str]) -> None:
    if not principal.can("secrets:write"):
        raise HTTPException(
            403,
            f"forbidden: moving {name!r} from {change[0]} to {change[1]} needs the permission "
            "'secrets:write': its secret is bound to the origin it was stored for",
        )


def require_secrets_write_for(principal: Principal, name: str, options: list[str]) -> None:
    if not principal.can("secrets:write"):
        raise HTTPException(
            403,
            f"forbidden: changing {', '.join(options)} of {name!r} needs the permission "
            "'secrets:write': they say where its secret is sent",
        )


async def audit(request: Request, principal: Principal, action: str, status: int = 200) -> None:
    """One audit entry for ``action`` (e.g. an origin change), by the caller of ``request``."""
    client = request.client
    event = AuditEventBase(
        actor=principal.subject,
        actor_kind=principal.kind,
        action=action[:MAX_ACTION],
        path=request.url.path[:2048],
        client_ip=client.host if client else "",
        status=status,
        outcome=outcome_of(status),
        correlation_id=structlog.contextvars.get_contextvars().get("correlation_id", "")[:64],
    )
    writer: AuditWriter = request.app.state.audit
    await writer.append(event)
