"""`atrium sandbox`: serve every emulated system on one port, state under the state folder."""

from __future__ import annotations

import uvicorn

from atrium.settings import Settings
from sandbox.app import create_app


def run_sandbox(settings: Settings) -> None:
    data_dir = settings.state_dir / "sandbox"
    data_dir.mkdir(parents=True, exist_ok=True)
    app = create_app(data_dir, seed=settings.sandbox.seed, size=settings.sandbox.size)
    uvicorn.run(app, host=settings.sandbox.host, port=settings.sandbox.port, log_config=None)
