"""Sandbox-only read-back: ``/canvas/_control/counts`` (not part of Canvas' API)."""

from __future__ import annotations

from fastapi import APIRouter

from sandbox.canvas.state import State

router = APIRouter(prefix="/_control")

TABLES = ("users", "courses", "sections", "enrollments", "accounts", "terms", "submissions")


@router.get("/counts")
def counts(state: State) -> dict[str, dict[str, int]]:
    """Row counts by workflow_state for each table, cheap enough to poll during a benchmark."""
    conn = state.db.conn()
    out: dict[str, dict[str, int]] = {}
    for table in TABLES:
        rows = conn.execute(f"SELECT workflow_state, COUNT(*) FROM {table} GROUP BY workflow_state")  # noqa: S608
        by_state = {str(state_name): int(n) for state_name, n in rows}
        by_state["total"] = sum(by_state.values())
        out[table] = by_state
    out["assignments"] = {
        "total": int(conn.execute("SELECT COUNT(*) FROM assignments").fetchone()[0])
    }
    return out
