"""The sandbox server: every emulated system on one port, each under its own prefix."""

from __future__ import annotations

import importlib
import re
from pathlib import Path

from fastapi import FastAPI, HTTPException
from starlette.routing import Mount

from sandbox.context import Faults, SystemContext
from sandbox.faults import FaultMiddleware

# prefix -> module with create_app(ctx). A system joins the sandbox by being listed here.
SYSTEMS: dict[str, str] = {
    "canvas": "sandbox.canvas",
    "koha": "sandbox.koha",
    "finance": "sandbox.finance",
    "moodle": "sandbox.moodle",
    "proctoring": "sandbox.proctoring",
    "comms": "sandbox.comms",
    "oneroster": "sandbox.oneroster",
}


def create_app(data_dir: Path, *, seed: int = 42, size: str = "demo") -> FastAPI:
    systems = {
        name: SystemContext(name=name, data_dir=data_dir, seed=seed, size=size) for name in SYSTEMS
    }
    app = FastAPI(
        title="Atrium sandbox institution", docs_url="/_docs", openapi_url="/_openapi.json"
    )
    app.add_middleware(FaultMiddleware, systems=systems)
    app.state.systems = systems

    def system(name: str) -> SystemContext:
        if name not in systems:
            raise HTTPException(404, f"unknown system {name!r}; known: {sorted(systems)}")
        return systems[name]

    @app.get("/_control/systems")
    async def list_systems() -> dict[str, list[str]]:
        return {"systems": sorted(systems)}

    @app.get("/_control/faults/{name}")
    async def get_faults(name: str) -> Faults:
        return system(name).faults

    @app.put("/_control/faults/{name}")
    async def set_faults(name: str, faults: Faults) -> Faults:
        system(name).faults = faults
        return faults

    @app.delete("/_control/faults/{name}")
    async def clear_faults(name: str) -> Faults:
        system(name).faults = Faults()
        return system(name).faults

    @app.get("/_control/credentials/{name}")
    async def get_credentials(name: str) -> dict[str, str]:
        # The sandbox hands out its own demo credentials so `atrium up` can put them in Vault.
        return system(name).credentials

    @app.put("/_control/credentials/{name}")
    async def set_credentials(name: str, credentials: dict[str, str]) -> dict[str, str]:
        """Rotate a system's credentials (tests prove connectors re-read them from Vault)."""
        system(name).credentials.update(credentials)
        return system(name).credentials

    for name, module in SYSTEMS.items():
        mount_system(app, name, importlib.import_module(module).create_app(systems[name]))
    return app


def mount_system(app: FastAPI, name: str, system: FastAPI) -> None:
    """Mount one system under ``/{name}``, every path below it included.

    Starlette's mount pattern (``/name/(?P<path>.*)``) stops at a newline, so a request for
    ``/oneroster/.../classes/a%0A/students`` would never reach the system and get the sandbox's
    own ``{"detail": "Not Found"}`` instead of the system's error format.
    """
    mount = Mount(f"/{name}", app=system)
    mount.path_regex = re.compile(mount.path_regex.pattern, re.DOTALL)
    app.router.routes.append(mount)
