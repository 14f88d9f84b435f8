"""The API's side of threat detection's signals (atrium/security_signals/): the routes that read
personal data in bulk say how much they read, and a caller whose own reads raised an event whose
response locked its account or suspended its key is refused at once, not at its next call."""

from __future__ import annotations

from fastapi import HTTPException, Request

from api.auth.principal import Principal
from atrium.models import SecurityEvent
from atrium.security_signals import SignalMonitor

CUT_OFF = ("lock_account", "suspend_key")


def monitor(request: Request) -> SignalMonitor | None:
    threats = getattr(request.app.state, "threats", None)
    return threats if isinstance(threats, SignalMonitor) else None


def refuse_if_cut_off(event: SecurityEvent | None) -> None:
    if event is not None and event.response in CUT_OFF:
        raise HTTPException(
            403,
            f"security event {event.id} ({event.kind}): {event.response_detail}; "
            "ask an administrator",
        )


async def key_used(request: Request, principal: Principal) -> None:
    """An API key's call: a network never seen for the key is an event (maybe a suspension)."""
    threats = monitor(request)
    key_id = principal.subject.removeprefix("api-key:")
    if threats is None or principal.kind != "api_key" or not key_id.isdigit():
        return
    event = await threats.key_used(int(key_id), request.client.host if request.client else "")
    if event is not None and event.response == "suspend_key":
        raise HTTPException(
            401,
            f"authentication: API key suspended by security event {event.id} "
            "(used from a network never seen for it); ask an administrator to resume it",
            headers={"WWW-Authenticate": 'Bearer realm="atrium"'},
        )


async def records_read(request: Request, principal: Principal, count: int, what: str) -> None:
    """``count`` records of personal data (``what``) about to be answered to ``principal``."""
    threats = monitor(request)
    if threats is not None:
        refuse_if_cut_off(await threats.records_read(principal, count, what))


async def export_downloaded(request: Request, principal: Principal) -> None:
    """A subject-access export downloaded: a whole person, ``export_download_weight`` records."""
    threats = monitor(request)
    if threats is not None:
        weight = threats.settings.export_download_weight
        refuse_if_cut_off(await threats.records_read(principal, weight, "privacy exports"))


async def large_list(request: Request, principal: Principal, rows: int, what: str) -> None:
    """A list answer counts once it is large (``export_list_rows``): paging is not news."""
    threats = monitor(request)
    if threats is not None and rows >= threats.settings.export_list_rows:
        await records_read(request, principal, rows, what)


async def origin_changed(
    request: Request, principal: Principal, connection: str, change: tuple[str, str]
) -> None:
    """A connection moved to another origin (already allowed and audited): a security event;
    the change itself stands, whatever the response did to its author."""
    threats = monitor(request)
    if threats is not None:
        await threats.origin_changed(connection, change[0], change[1], principal)
