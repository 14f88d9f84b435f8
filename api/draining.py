"""Drain before stopping: on SIGTERM the API first answers ``/readyz`` 503 "draining" for
``api.drain_seconds`` while still serving every request, so the gateway or orchestrator stops
sending new ones to this replica; only then does uvicorn stop (finishing requests in flight). A
second SIGTERM, or SIGINT, stops at once."""

from __future__ import annotations

import signal
import threading
from types import FrameType

import uvicorn
from fastapi import FastAPI


class DrainingServer(uvicorn.Server):
    def __init__(self, config: uvicorn.Config, app: FastAPI, drain_seconds: float) -> None:
        super().__init__(config)
        self.app = app
        self.drain_seconds = drain_seconds
        self._timer: threading.Timer | None = None
        app.state.draining = False

    def handle_exit(self, sig: int, frame: FrameType | None) -> None:
        if sig != signal.SIGTERM or self.drain_seconds <= 0 or self._timer is not None:
            if self._timer is not None:
                self._timer.cancel()
            super().handle_exit(sig, frame)
            return
        self.app.state.draining = True
        self._timer = threading.Timer(self.drain_seconds, super().handle_exit, (sig, None))
        self._timer.daemon = True
        self._timer.start()
