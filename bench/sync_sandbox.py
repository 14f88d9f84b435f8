"""The sandbox systems the sync benchmark needs (OneRoster and Canvas), in their own process so
the emulators and the Atrium worker each have a core:
``python -m bench.sync_sandbox DIR SIZE PORT``."""

from __future__ import annotations

import importlib
import sys
from pathlib import Path

import uvicorn
from fastapi import FastAPI

from sandbox.context import SystemContext

SYSTEMS = ("oneroster", "canvas")


def build(data_dir: Path, size: str) -> FastAPI:
    app = FastAPI()
    for name in SYSTEMS:
        ctx = SystemContext(name=name, data_dir=data_dir, seed=42, size=size)
        app.mount(f"/{name}", importlib.import_module(f"sandbox.{name}").create_app(ctx))
        app.state.__setattr__(name, ctx)

    @app.get("/_bench/credentials/{name}")
    async def credentials(name: str) -> dict[str, str]:
        return dict(getattr(app.state, name).credentials)

    return app


def main() -> None:
    data_dir, size, port = Path(sys.argv[1]), sys.argv[2], int(sys.argv[3])
    uvicorn.run(build(data_dir, size), host="127.0.0.1", port=port, log_level="warning")


if __name__ == "__main__":
    main()
