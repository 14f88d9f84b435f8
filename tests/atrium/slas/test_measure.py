"""Connection SLAs from the run history: the visibility queries asked (one connection, the SLA's
window, closed or completed runs) and the figures made of the answers."""

from __future__ import annotations

from sqlalchemy.engine import Engine

from atrium.models.slas import Sla
from atrium.slas.measure import Runs, measure, percentile


def _runs(counts: dict[str, int], seconds: list[float], asked: list[str]) -> Runs:
    async def count(query: str) -> int:
        asked.append(query)
        return next((n for status, n in counts.items() if status in query), 0)

    async def durations(query: str, limit: int) -> list[float]:
        asked.append(query)
        return seconds[:limit]

    return Runs(count=count, durations=durations)


def _sla(kind: str, objective: float) -> Sla:
    return Sla(id=1, name="s", kind=kind, integration="canvas-main", objective=objective)


async def test_success_rate_is_completed_over_closed_runs_of_the_connection(
    engine: Engine,
) -> None:
    asked: list[str] = []
    runs = _runs({"!= 'Running'": 20, "= 'Completed'": 19}, [], asked)
    met = await measure(engine, _sla("success_rate", 95), runs)
    assert (met.status, met.value) == ("met", 95.0)
    assert all("AtriumIntegration = 'canvas-main' AND CloseTime > '" in q for q in asked)
    missed = await measure(engine, _sla("success_rate", 99), runs)
    assert missed.status == "breached" and "19 of 20" in missed.detail


async def test_latency_is_the_95th_percentile_of_completed_runs(engine: Engine) -> None:
    asked: list[str] = []
    seconds = [float(n) for n in range(1, 101)]  # 1..100 s
    measured = await measure(engine, _sla("latency_p95", 60), _runs({}, seconds, asked))
    assert (measured.status, measured.value) == ("breached", 95.0)
    assert "ExecutionStatus = 'Completed'" in asked[0]
    assert (await measure(engine, _sla("latency_p95", 95), _runs({}, seconds, []))).status == "met"


def test_percentile_is_nearest_rank() -> None:
    assert percentile([3.0], 0.95) == 3.0
    assert percentile([5.0, 1.0, 4.0, 2.0, 3.0], 0.95) == 5.0
    assert percentile([float(n) for n in range(1, 21)], 0.95) == 19.0
