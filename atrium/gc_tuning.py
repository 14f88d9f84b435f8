"""Garbage-collector settings for Atrium's long-running servers (`atrium worker`, `atrium api`)."""

from __future__ import annotations

import gc


def tune_gc() -> None:
    """For a long-running server, after its imports: what start-up built (modules, routes,
    models) lives for good, so freeze it out of every later collection, and collect the young
    generation less often (each run makes thousands of short-lived objects)."""
    gc.collect()
    gc.freeze()
    gc.set_threshold(20_000, 20, 50)
