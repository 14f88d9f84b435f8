"""What a reverse proxy in front of Moodle does under ``rate_limit_per_second``: 429 + Retry-After.

Moodle itself has no rate limiting and no rate-limit headers; sites put nginx ``limit_req`` (or a
WAF) in front, which answers 429 with an HTML page. We send Retry-After so clients can back off.
"""

from __future__ import annotations

import math
import time
from collections import deque

from starlette.responses import HTMLResponse

BODY = (
    "<html>\r\n<head><title>429 Too Many Requests</title></head>\r\n<body>\r\n"
    "<center><h1>429 Too Many Requests</h1></center>\r\n<hr><center>nginx</center>\r\n"
    "</body>\r\n</html>\r\n"
)


class SlidingWindow:
    """At most ``limit`` requests a second (one per ``1/limit`` seconds when ``limit`` < 1)."""

    def __init__(self) -> None:
        self.hits: deque[float] = deque()

    def check(self, limit: float | None) -> HTMLResponse | None:
        if not limit:
            return None
        window, allowed = (1.0, math.floor(limit)) if limit >= 1 else (1.0 / limit, 1)
        now = time.monotonic()
        while self.hits and self.hits[0] <= now - window:
            self.hits.popleft()
        if len(self.hits) >= allowed:
            wait = max(1, math.ceil(self.hits[0] + window - now))
            return HTMLResponse(BODY, status_code=429, headers={"Retry-After": str(wait)})
        self.hits.append(now)
        return None
