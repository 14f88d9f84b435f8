"""A token bucket that answers the ``rate_limit_per_second`` fault for one system."""

from __future__ import annotations

import threading
import time


class Throttle:
    def __init__(self) -> None:
        self._tokens = 0.0
        self._stamp = time.monotonic()
        self._rate: float | None = None
        self._lock = threading.Lock()

    def retry_after(self, rate: float | None) -> float | None:
        """None when the call may go ahead, else the seconds to wait (a burst of ``rate``)."""
        if rate is None:
            self._rate = None
            return None
        with self._lock:
            now = time.monotonic()
            if rate != self._rate:  # a new limit starts with a full bucket
                self._rate, self._tokens, self._stamp = rate, max(1.0, rate), now
            capacity = max(1.0, rate)
            self._tokens = min(capacity, self._tokens + (now - self._stamp) * rate)
            self._stamp = now
            if self._tokens >= 1.0:
                self._tokens -= 1.0
                return None
            return (1.0 - self._tokens) / rate
