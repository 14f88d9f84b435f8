"""Threat detection and response: signals become security events with a severity, and the
response configured for each kind (ATRIUM_SECURITY__*) is applied and recorded on the event.

Signals: failed logins for several usernames from one address within a window (password
spraying), a wrong second-factor code after a right password, and a burst of bad webhook
signatures for one source. Each attack gives one event per
subject and window: the detector remembers what it raised, and the table's unique ``dedup_key``
(kind, subject, window) keeps replicas from writing the same attack twice.

Responses: ``block_address`` refuses the address's logins for a while, ``lock_accounts`` disables
the accounts tried, ``pause_source`` refuses a webhook source's deliveries for a while. A block or
pause is the event's ``response_until``; every replica reads it from the store (cached briefly),
so it holds wherever the next attempt lands. The counting itself is per process.
"""

from __future__ import annotations

import asyncio
import threading
import time
from collections import deque
from collections.abc import Callable
from datetime import UTC, datetime
from typing import TypeVar

import structlog
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from atrium.db import session_scope
from atrium.models import User
from atrium.models.security_event import SecurityEvent
from atrium.settings import SecuritySettings

log = structlog.get_logger("security.events")
_T = TypeVar("_T", tuple[float, str], float)

MAX_TRACKED = 10_000  # subjects counted at once: memory stays bounded under a wide attack
BLOCK_CACHE_SECONDS = 5.0  # how stale another replica's block may be seen here


class ThreatMonitor:
    def __init__(
        self, engine: Engine, settings: SecuritySettings, clock: Callable[[], float] = time.time
    ) -> None:
        self.engine, self.settings, self.clock = engine, settings, clock
        self._lock = threading.Lock()
        self._logins: dict[str, deque[tuple[float, str]]] = {}  # address -> (at, username)
        self._signatures: dict[str, deque[float]] = {}  # source -> at
        self._raised: dict[tuple[str, str], float] = {}  # (kind, subject) -> its window's end
        self._refusals: dict[tuple[str, str], tuple[float, float]] = {}  # -> (checked, until)

    # --- signals ------------------------------------------------------------------------------
    async def login_failed(self, address: str, username: str) -> SecurityEvent | None:
        window = self.settings.spraying_window_seconds
        with self._lock:
            now = self.clock()
            tries = self._track(self._logins, address, window, now)
            tries.append((now, username))
            usernames = sorted({name for _, name in tries})
            if len(usernames) < self.settings.spraying_usernames:
                return None
            if not self._first(("password_spraying", address), now, window):
                return None
            first = tries[0][0]
        return await self._raise(self._spraying, address, usernames, first, now)

    async def second_factor_failed(self, address: str, username: str) -> SecurityEvent | None:
        """A wrong second-factor code: the password was right, so someone may hold it. One event
        per account and window; nothing is locked (the missing code already stops the login)."""
        window = self.settings.spraying_window_seconds
        with self._lock:
            now = self.clock()
            if not self._first(("second_factor_failure", username), now, window):
                return None
        return await self._raise(self._wrong_code, username, address, now)

    async def signature_failed(self, source: str, remote_addr: str | None) -> SecurityEvent | None:
        window = self.settings.signature_window_seconds
        with self._lock:
            now = self.clock()
            bad = self._track(self._signatures, source, window, now)
            bad.append(now)
            if len(bad) < self.settings.signature_failures:
                return None
            if not self._first(("webhook_signature_burst", source), now, window):
                return None
            count, first = len(bad), bad[0]
        return await self._raise(self._burst, source, remote_addr, count, first, now)

    @staticmethod
    async def _raise(
        build: Callable[..., SecurityEvent | None], *args: object
    ) -> SecurityEvent | None:
        """Write the event and apply its response; a store that fails is logged, and the
        request that carried the signal is answered as it would have been."""
        try:
            return await asyncio.to_thread(build, *args)
        except Exception as exc:
            log.error("security event not recorded", error=type(exc).__name__, subject=args[0])
            return None

    # --- responses in force -------------------------------------------------------------------
    async def refused_until(self, response: str, subject: str) -> datetime | None:
        """When a ``block_address`` or ``pause_source`` on ``subject`` ends; None if none holds
        (always None unless that response is configured: nothing read on the busy paths)."""
        configured = (self.settings.spraying_response, self.settings.signature_response)
        if response not in configured:
            return None
        key, now = (response, subject), self.clock()
        with self._lock:
            checked, until = self._refusals.get(key, (0.0, 0.0))
        if now - checked > BLOCK_CACHE_SECONDS and until <= now:
            until = await asyncio.to_thread(self._stored_until, response, subject)
            with self._lock:
                if len(self._refusals) >= MAX_TRACKED:  # one entry per address that logs in
                    self._refusals = {k: v for k, v in self._refusals.items() if v[1] > now}
                until = max(until, self._refusals.get(key, (0.0, 0.0))[1])
                self._refusals[key] = (now, until)
        return datetime.fromtimestamp(until, UTC) if until > now else None

    def _stored_until(self, response: str, subject: str) -> float:
        now = datetime.fromtimestamp(self.clock(), UTC)
        with session_scope(self.engine) as session:
            until = session.exec(
                select(SecurityEvent.response_until)
                .where(SecurityEvent.response == response, SecurityEvent.subject == subject)
                .where(col(SecurityEvent.response_until) > now)
                .order_by(col(SecurityEvent.response_until).desc())
                .limit(1)
            ).first()
        return _aware(until).timestamp() if until else 0.0

    # --- raising events -----------------------------------------------------------------------
    def _spraying(
        self, address: str, usernames: list[str], first: float, now: float
    ) -> SecurityEvent | None:
        s = self.settings
        event = self._event(
            "password_spraying", address, now, s.spraying_window_seconds,
            severity="high",
            summary=f"failed logins for {len(usernames)} usernames from {address} within "
            f"{s.spraying_window_seconds} s",
            details={"usernames": usernames[:50], "count": len(usernames)},
            response=s.spraying_response,
            first=first,
        )  # fmt: skip
        if s.spraying_response == "block_address":
            event.response_until = _at(now + s.block_minutes * 60)
            event.response_detail = f"logins from {address} refused for {s.block_minutes} min"
        return self._store(event, lock=usernames if s.spraying_response == "lock_accounts" else [])

    def _wrong_code(self, username: str, address: str, now: float) -> SecurityEvent | None:
        event = self._event(
            "second_factor_failure", username, now, self.settings.spraying_window_seconds,
            severity="high",
            summary=f"a wrong second-factor code for {username} from {address}, after the "
            "right password",
            details={"address": address},
            response="none",
            first=now,
        )  # fmt: skip
        event.response_detail = "the login was refused; change the password if it was not them"
        return self._store(event)

    def _burst(
        self, source: str, remote_addr: str | None, count: int, first: float, now: float
    ) -> SecurityEvent | None:
        s = self.settings
        event = self._event(
            "webhook_signature_burst", source, now, s.signature_window_seconds,
            severity="medium",
            summary=f"{count} bad webhook signatures for {source} within "
            f"{s.signature_window_seconds} s",
            details={"count": count, "last_address": remote_addr},
            response=s.signature_response,
            first=first,
        )  # fmt: skip
        if s.signature_response == "pause_source":
            event.response_until = _at(now + s.pause_minutes * 60)
            event.response_detail = f"deliveries for {source} refused for {s.pause_minutes} min"
        return self._store(event)

    @staticmethod
    def _event(
        kind: str, subject: str, now: float, window: int, *, first: float, **fields: object
    ) -> SecurityEvent:
        return SecurityEvent.model_validate(
            {
                "kind": kind,
                "subject": subject,
                "dedup_key": f"{kind}:{subject}:{int(now // window)}",
                "first_seen": _at(first),
                "created_at": _at(now),
                **fields,
            }
        )

    def _store(
        self,
        event: SecurityEvent,
        lock: list[str] | None = None,
        respond: Callable[[Session, SecurityEvent], None] | None = None,
    ) -> SecurityEvent | None:
        """Write the event and apply its response in one transaction (``respond`` sees the
        event with its id, and writes its ``response_detail``)."""
        try:
            with session_scope(self.engine) as session:
                if lock:
                    users = session.exec(select(User).where(col(User.username).in_(lock))).all()
                    for user in users:
                        user.disabled = True
                        user.token_generation += 1  # its tokens stop working too
                        session.add(user)
                    names = ", ".join(u.username for u in users) or "none of them exist"
                    event.response_detail = f"accounts disabled: {names}"[:500]
                session.add(event)
                if respond is not None:
                    session.flush()  # the event's id, for what the response records
                    respond(session, event)
                session.commit()
                session.refresh(event)
        except IntegrityError:  # another replica raised this one in the same window
            return None
        if event.response_until is not None:
            with self._lock:
                until = _aware(event.response_until).timestamp()
                self._refusals[(event.response, event.subject)] = (self.clock(), until)
        log.warning(
            "security event", id=event.id, kind=event.kind, severity=event.severity,
            subject=event.subject, response=event.response,
        )  # fmt: skip
        return event

    # --- bookkeeping --------------------------------------------------------------------------
    @staticmethod
    def _track(table: dict[str, deque[_T]], subject: str, window: int, now: float) -> deque[_T]:
        """The subject's signals still within the window (oldest dropped)."""
        entries = table.get(subject)
        if entries is None:
            if len(table) >= MAX_TRACKED:
                table.pop(next(iter(table)))  # the longest-tracked subject
            entries = table[subject] = deque(maxlen=1000)
        while entries and _time(entries[0]) <= now - window:
            entries.popleft()
        return entries

    def _first(self, key: tuple[str, str], now: float, window: int) -> bool:
        """Whether this is the first event for the key in its window (and remember it)."""
        if self._raised.get(key, 0.0) > now:
            return False
        if len(self._raised) >= MAX_TRACKED:
            self._raised = {k: end for k, end in self._raised.items() if end > now}
        self._raised[key] = now + window
        return True


def _time(entry: object) -> float:
    return entry[0] if isinstance(entry, tuple) else entry  # type: ignore[return-value]


def _at(epoch: float) -> datetime:
    return datetime.fromtimestamp(epoch, UTC)


def _aware(value: datetime) -> datetime:
    return value.replace(tzinfo=UTC) if value.utcoffset() is None else value
