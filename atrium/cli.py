"""The `atrium` command: up (the whole local stack), worker, api, sandbox, migrate."""

from __future__ import annotations

import argparse
import asyncio
import gc
import sys

from atrium.settings import Settings, SettingsError, load_settings


def _settings() -> Settings:
    try:
        return load_settings()
    except SettingsError as exc:
        print(f"atrium: {exc}", file=sys.stderr)
        raise SystemExit(2) from None


def tune_gc() -> None:
    """For a long-running server, after its imports: what start-up built (modules, routes,
    models) lives for good, so freeze it out of every later collection, and collect the young
    generation less often (each run makes thousands of short-lived objects)."""
    gc.collect()
    gc.freeze()
    gc.set_threshold(20_000, 20, 50)


def cmd_worker(settings: Settings) -> int:
    from atrium.logging import configure_logging
    from worker import run_worker

    configure_logging(settings.log_level, settings.log_json)
    tune_gc()
    asyncio.run(run_worker())
    return 0


def cmd_api(settings: Settings) -> int:
    import uvicorn

    from api.main import create_app
    from atrium.logging import configure_logging

    configure_logging(settings.log_level, settings.log_json)
    tune_gc()
    host, port = settings.api.host, settings.api.port
    # access_log off: api/middleware.py logs every request.
    if settings.api.workers > 1:  # processes sharing the port; each builds its app from ATRIUM_*
        uvicorn.run(
            "api.main:app_from_environment",
            factory=True,
            workers=settings.api.workers,
            host=host,
            port=port,
            log_config=None,
            access_log=False,
        )
    else:
        from api.draining import DrainingServer

        app = create_app(settings)
        config = uvicorn.Config(app, host=host, port=port, log_config=None, access_log=False)
        DrainingServer(config, app, settings.api.drain_seconds).run()
    return 0


def cmd_sandbox(settings: Settings) -> int:
    from atrium.logging import configure_logging
    from sandbox.serve import run_sandbox

    configure_logging(settings.log_level, settings.log_json)
    run_sandbox(settings)
    return 0


def cmd_migrate(settings: Settings) -> int:
    from atrium.migrations import upgrade

    upgrade(settings.database_url)
    print(f"atrium: database at {settings.database_url.split('@')[-1]} is up to date")
    return 0


def cmd_backup(settings: Settings, output: str | None = None) -> int:
    from pathlib import Path

    from atrium.backup import backup

    made = backup(settings, Path(output) if output else None)
    print(f"atrium: backup written to {made.path} (0600): {', '.join(made.parts)}")
    return 0


def cmd_restore(settings: Settings, archive: str | None = None) -> int:
    from pathlib import Path

    from atrium.backup import restore

    if not archive:
        raise ValueError("restore needs the backup file: atrium restore FILE")
    for line in restore(settings, Path(archive)):
        print(f"atrium: restored {line}")
    return 0


def cmd_up(settings: Settings) -> int:
    from atrium.stack.up import run_up

    return run_up(settings)


COMMANDS = {
    "up": (cmd_up, "start the whole local stack with a sandbox institution"),
    "worker": (cmd_worker, "run a Temporal worker against the configured cluster"),
    "api": (cmd_api, "run the HTTP API against the configured cluster"),
    "sandbox": (cmd_sandbox, "serve the emulated school systems"),
    "migrate": (cmd_migrate, "bring the database schema up to date"),
    "backup": (cmd_backup, "back up the store, Vault and (embedded) Temporal into one file"),
    "restore": (cmd_restore, "restore a backup into a new state folder"),
}
# Commands that take one positional argument: its name in the help.
ARGUMENTS: dict[str, tuple[str, str | None]] = {
    "backup": ("output", "?"),
    "restore": ("archive", None),
}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="atrium", description="Atrium integration hub")
    sub = parser.add_subparsers(dest="command", required=True)
    for name, (_, help_text) in COMMANDS.items():
        command = sub.add_parser(name, help=help_text)
        if name in ARGUMENTS:
            argument, count = ARGUMENTS[name]
            command.add_argument(argument, nargs=count)
    args = parser.parse_args(argv)
    settings = _settings()
    try:
        if args.command in ARGUMENTS:
            value = getattr(args, ARGUMENTS[args.command][0])
            return COMMANDS[args.command][0](settings, value)  # type: ignore[call-arg]
        return COMMANDS[args.command][0](settings)
    except KeyboardInterrupt:
        return 130
    except Exception as exc:  # one readable line, never a traceback
        print(f"atrium {args.command}: {type(exc).__name__}: {exc}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    raise SystemExit(main())
