"""``SignalMonitor``: the password-spraying and signature-burst detector, plus three signals.

- ``key_used``: each network a key is used from is stored (``api_key_network``); the first is
  its baseline, a later one never seen is an event (medium). Known networks are cached here, so
  the busy path reads nothing.
- ``records_read``: personal data read by one caller, counted in tumbling windows; a window
  beyond ``export_baseline_share`` times the caller's mean of its previous windows (and at least
  ``export_min_records``) is an event (high). Counting is per process, as for spraying.
- ``origin_changed``: a connection moved to another origin is an event (medium).
"""

from __future__ import annotations

import asyncio
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError, SQLAlchemyError
from sqlmodel import Session, select

from atrium.db import session_scope
from atrium.models import ApiKeyNetwork, SecurityEvent
from atrium.security_events import MAX_TRACKED, ThreatMonitor, log
from atrium.security_signals.networks import network_of
from atrium.security_signals.responses import KEY_SUBJECT, Actor, respond
from atrium.settings import SecuritySettings

__all__ = ["Actor", "SignalMonitor"]
NETWORKS_PER_KEY = 256  # cached per key; more are still read from the store


@dataclass
class _Volume:
    """One caller's records read per window (window index -> count), and the current one's
    breakdown by what was read."""

    windows: dict[int, int] = field(default_factory=dict)
    by_what: dict[str, int] = field(default_factory=dict)

    def add(self, index: int, count: int, what: str, keep: int) -> tuple[int, float]:
        """Count ``count`` in window ``index``; (the window's total, the baseline: the mean of
        the ``keep`` windows before it, those without reads counting as 0)."""
        if index not in self.windows:
            self.windows = {i: c for i, c in self.windows.items() if i >= index - keep}
            self.by_what = {}
        self.windows[index] = self.windows.get(index, 0) + count
        self.by_what[what] = self.by_what.get(what, 0) + count
        before = sum(c for i, c in self.windows.items() if index - keep <= i < index)
        return self.windows[index], before / keep


class SignalMonitor(ThreatMonitor):
    def __init__(
        self, engine: Engine, settings: SecuritySettings, clock: Callable[[], float] = time.time
    ) -> None:
        super().__init__(engine, settings, clock)
        self._networks: OrderedDict[int, set[str]] = OrderedDict()  # key id -> networks seen
        self._volumes: OrderedDict[str, _Volume] = OrderedDict()  # caller -> its reads

    # --- an API key from a new network --------------------------------------------------------
    async def key_used(self, key_id: int, address: str) -> SecurityEvent | None:
        network = network_of(address)
        if network is None:
            return None
        with self._lock:
            if network in self._networks.get(key_id, ()):
                return None
        try:
            known = await asyncio.to_thread(self._remember_network, key_id, network)
        except SQLAlchemyError as exc:  # the call goes on as it would have; noticed next time
            log.error("key network not recorded", error=type(exc).__name__, key_id=key_id)
            return None
        subject = f"{KEY_SUBJECT}{key_id}"
        with self._lock:
            seen = self._networks.setdefault(key_id, set())
            if len(seen) < NETWORKS_PER_KEY:
                seen.add(network)
            self._bound(self._networks)
            if not known:  # the key's first network (its baseline), or another replica's news
                return None
            now, window = self.clock(), self.settings.network_window_seconds
            if not self._first(("api_key_new_network", subject), now, window):
                return None
        return await self._raise(self._new_network, subject, address, network, known, now)

    def _remember_network(self, key_id: int, network: str) -> list[str]:
        """Store the network for the key; the networks known before it, if it is new to the
        key ([] when it was already known, or is the key's first)."""
        with session_scope(self.engine) as session:
            known = list(
                session.exec(
                    select(ApiKeyNetwork.network).where(ApiKeyNetwork.key_id == key_id)
                ).all()
            )
            if network in known:
                return []
            session.add(ApiKeyNetwork(key_id=key_id, network=network))
            try:
                session.commit()
            except IntegrityError:  # another replica stored it first, and raises the event
                return []
        return sorted(known)

    def _new_network(
        self, subject: str, address: str, network: str, known: list[str], now: float
    ) -> SecurityEvent | None:
        s = self.settings
        event = self._event(
            "api_key_new_network", subject, now, s.network_window_seconds,
            severity="medium",
            summary=f"{subject} used from {network}, a network never seen for it",
            details={"network": network, "address": address, "known_networks": known[:20]},
            response=s.network_response,
            first=now,
        )  # fmt: skip
        return self._store(event, respond=_responder(_KeyActor(subject)))

    # --- an unusual volume of personal data read ----------------------------------------------
    async def records_read(self, actor: Actor, count: int, what: str) -> SecurityEvent | None:
        """Count ``count`` records of ``what`` read by ``actor``; an event when its window's
        reads go beyond its baseline."""
        if count <= 0:
            return None
        s = self.settings
        with self._lock:
            now, window = self.clock(), s.export_window_seconds
            volume = self._volumes.get(actor.subject)
            if volume is None:
                volume = self._volumes[actor.subject] = _Volume()
                self._bound(self._volumes)
            total, baseline = volume.add(int(now // window), count, what, s.export_baseline_windows)
            threshold = max(float(s.export_min_records), s.export_baseline_share * baseline)
            if total <= threshold:
                return None
            if not self._first(("export_volume", actor.subject), now, window):
                return None
            details = {
                "records": total, "baseline": round(baseline, 1), "threshold": round(threshold),
                "by_what": dict(volume.by_what),
            }  # fmt: skip
        return await self._raise(self._volume, actor.subject, actor, details, now)

    def _volume(
        self, subject: str, actor: Actor, details: dict[str, object], now: float
    ) -> SecurityEvent | None:
        s = self.settings
        event = self._event(
            "export_volume", subject, now, s.export_window_seconds,
            severity="high",
            summary=f"{subject} read {details['records']} records of personal data within "
            f"{s.export_window_seconds} s (baseline {details['baseline']} per window)",
            details=details,
            response=s.export_response,
            first=now,
        )  # fmt: skip
        return self._store(event, respond=_responder(actor))

    # --- a connection moved to another origin -------------------------------------------------
    async def origin_changed(
        self, connection: str, old: str, new: str, actor: Actor
    ) -> SecurityEvent | None:
        with self._lock:
            now, window = self.clock(), self.settings.origin_window_seconds
            if not self._first(("connection_origin_changed", connection), now, window):
                return None
        return await self._raise(self._origin, connection, old, new, actor, now)

    def _origin(
        self, connection: str, old: str, new: str, actor: Actor, now: float
    ) -> SecurityEvent | None:
        s = self.settings
        event = self._event(
            "connection_origin_changed", connection, now, s.origin_window_seconds,
            severity="medium",
            summary=f"connection {connection} moved from {old} to {new} by {actor.subject}",
            details={"from": old, "to": new, "by": actor.subject},
            response=s.origin_response,
            first=now,
        )  # fmt: skip
        return self._store(event, respond=_responder(actor))

    @staticmethod
    def _bound(table: OrderedDict[Any, Any]) -> None:
        while len(table) > MAX_TRACKED:
            table.popitem(last=False)  # the longest-tracked subject


@dataclass(frozen=True)
class _KeyActor:
    """An API key as the actor of its own signal (no account to lock but its owner's)."""

    subject: str
    kind: str = "api_key"
    owner: str | None = None


def _responder(actor: Actor) -> Callable[[Session, SecurityEvent], None]:
    return lambda session, event: respond(session, event, actor)
