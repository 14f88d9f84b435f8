"""Temporal workflows: deterministic orchestration only; the work happens in activities."""
