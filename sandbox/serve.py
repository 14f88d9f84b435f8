"""`atrium sandbox`: every emulated system over HTTP on one port, plus the bursar's SFTP server, the
SIS's SFTP drop (nightly OneRoster CSV packages) and the campus SMTP server on their own ports;
state under the state folder."""

from __future__ import annotations

import asyncio

import uvicorn

from atrium.settings import Settings
from sandbox.app import create_app
from sandbox.comms.smtp import start_smtp_server
from sandbox.finance.sftp import start_sftp_server
from sandbox.sis_drop import enable_sis_drop, nightly_packages, sis_drop_root


async def serve_sandbox(settings: Settings) -> None:
    data_dir = settings.state_dir / "sandbox"
    data_dir.mkdir(parents=True, exist_ok=True)
    app = create_app(data_dir, seed=settings.sandbox.seed, size=settings.sandbox.size)
    host = settings.sandbox.host
    server = uvicorn.Server(
        uvicorn.Config(app, host=host, port=settings.sandbox.port, log_config=None)
    )
    # The apps create their contexts' state on first request; the SFTP/SMTP servers share them,
    # so a credential rotated through /_control/credentials applies to those logins too.
    systems = app.state.systems
    sftp = await start_sftp_server(systems["finance"], host, settings.sandbox.sftp_port)
    sis = systems["oneroster"]
    enable_sis_drop(sis)
    sis_sftp = await start_sftp_server(
        sis, host, settings.sandbox.sis_sftp_port, root=sis_drop_root(sis)
    )
    nightly = asyncio.create_task(nightly_packages(sis))
    smtp = start_smtp_server(systems["comms"], host, settings.sandbox.smtp_port)
    try:
        await server.serve()
    finally:
        nightly.cancel()
        smtp.stop()
        sis_sftp.close()
        await sis_sftp.wait_closed()
        sftp.close()
        await sftp.wait_closed()


def run_sandbox(settings: Settings) -> None:
    asyncio.run(serve_sandbox(settings))
