"""Activities of the sync engine: one page fetched, mapped and written per call, all standing on
one shared context (activities/sync/context.py). worker.py builds them from the registry."""

from __future__ import annotations

import gc


def tune_gc_for_pages() -> None:
    """A page of 10,000 records allocates ~10^6 short-lived objects with no reference cycles;
    with the default thresholds the cyclic collector runs hundreds of times per page and each
    full pass walks every object the worker holds (measured: mapping a page took twice as long).
    Objects alive at start-up are frozen out of the collector and its first threshold raised."""
    gc.freeze()
    gc.set_threshold(100_000, 50, 100)
