"""The signals' arithmetic on the real store, with a clock of the test's own: what a network is,
and when a volume of reads is unusual for its reader (beyond a share of its own baseline)."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import col, delete, select

from atrium.db import session_scope
from atrium.models import SecurityEvent
from atrium.security_signals import SignalMonitor, network_of
from atrium.settings import Settings

WINDOW = 100


@dataclass(frozen=True)
class Reader:
    subject: str
    kind: str = "user"
    owner: str | None = None


class Clock:
    def __init__(self) -> None:
        self.now = 1_000_000.0 * WINDOW  # a window's start

    def __call__(self) -> float:
        return self.now


@pytest.mark.parametrize(
    ("address", "network"),
    [
        ("203.0.113.7", "203.0.113.0/24"),
        (" 203.0.113.250 ", "203.0.113.0/24"),
        ("2001:db8:1:2:3::9", "2001:db8:1:2::/64"),
        ("::ffff:198.51.100.4", "198.51.100.0/24"),
        ("testclient", None),
        ("", None),
    ],
)
def test_a_network_is_a_v4_24_or_a_v6_64(address: str, network: str | None) -> None:
    assert network_of(address) == network


@pytest.fixture
def reader(engine: Engine) -> Iterator[Reader]:
    who = Reader(f"reader-{uuid.uuid4().hex[:8]}")
    yield who
    with session_scope(engine) as session:
        session.exec(delete(SecurityEvent).where(col(SecurityEvent.subject) == who.subject))  # type: ignore[call-overload]
        session.commit()


def _events(engine: Engine, subject: str) -> list[SecurityEvent]:
    with session_scope(engine) as session:
        return list(session.exec(select(SecurityEvent).where(SecurityEvent.subject == subject)))


async def test_reads_beyond_a_share_of_the_readers_own_baseline_are_one_event_per_window(
    engine: Engine, settings: Settings, reader: Reader
) -> None:
    clock = Clock()
    detector = SignalMonitor(
        engine,
        settings.security.model_copy(
            update={
                "export_window_seconds": WINDOW,
                "export_min_records": 150,
                "export_baseline_share": 3.0,
                "export_baseline_windows": 4,
            }
        ),  # fmt: skip
        clock=clock,
    )
    for _ in range(4):  # a habit: 100 records a window, for four windows
        assert await detector.records_read(reader, 100, "quarantine lists") is None
        clock.now += WINDOW
    # Baseline 100, threshold 300: the floor (150, what a reader without history may read)
    # no longer decides.
    assert await detector.records_read(reader, 300, "quarantine lists") is None
    event = await detector.records_read(reader, 1, "codec decodes")
    assert event is not None and event.kind == "export_volume" and event.severity == "high"
    assert event.details["records"] == 301 and event.details["baseline"] == 100.0
    assert event.details["by_what"] == {"quarantine lists": 300, "codec decodes": 1}
    assert await detector.records_read(reader, 500, "codec decodes") is None  # same window
    clock.now += WINDOW  # a new window: the 801 raise the baseline to 275.25 (threshold 825.75)
    assert await detector.records_read(reader, 800, "codec decodes") is None
    again = await detector.records_read(reader, 100, "codec decodes")
    assert again is not None and again.details["baseline"] == pytest.approx(275.25, abs=0.1)
    assert len(_events(engine, reader.subject)) == 2  # one per window


async def test_a_second_replica_noticing_the_same_window_writes_no_second_event(
    engine: Engine, settings: Settings, reader: Reader
) -> None:
    clock = Clock()
    security = settings.security.model_copy(update={"export_min_records": 5})
    first, second = (SignalMonitor(engine, security, clock=clock) for _ in range(2))
    assert await first.records_read(reader, 6, "codec decodes") is not None
    assert await second.records_read(reader, 6, "codec decodes") is None  # the unique dedup key
    assert len(_events(engine, reader.subject)) == 1
