"""The `atrium` command: up (the whole local stack), worker, api, sandbox, migrate."""

from __future__ import annotations

import argparse
import asyncio
import sys

from atrium.gc_tuning import tune_gc
from atrium.settings import Settings, SettingsError, load_settings


def _settings() -> Settings:
    try:
        return load_settings()
    except SettingsError as exc:
        print(f"atrium: {exc}", file=sys.stderr)
        raise SystemExit(2) from None


def _tls_files(settings: Settings, command: str, *, api: bool = False) -> None:
    """Every TLS file the command will use, read and checked before anything starts: a missing,
    unreadable or mismatched one ends it with one line naming the setting (exit 2)."""
    from atrium.tls import TLSFileError, api_tls, check_vault_ca, temporal_tls

    try:
        check_vault_ca(settings.vault)
        temporal_tls(settings.temporal)
        if api:
            api_tls(settings.api)
    except TLSFileError as exc:
        print(f"atrium {command}: {exc}", file=sys.stderr)
        raise SystemExit(2) from None


def cmd_worker(settings: Settings) -> int:
    _tls_files(settings, "worker")
    from atrium.logging import configure_logging
    from worker import run_worker

    configure_logging(settings.log_level, settings.log_json)
    tune_gc()
    asyncio.run(run_worker())
    return 0


def cmd_api(settings: Settings) -> int:
    _tls_files(settings, "api", api=True)  # before the app's imports: a bad file ends at once
    import uvicorn

    from api.main import create_app
    from atrium.logging import configure_logging
    from atrium.tls import api_tls

    tls = api_tls(settings.api)  # None: plain HTTP (a TLS-terminating proxy in front)
    ssl_options = tls.uvicorn_options() if tls else {}
    configure_logging(settings.log_level, settings.log_json)
    tune_gc()
    if settings.api.initial_admin_password_file is not None:
        from api.auth.bootstrap import BootstrapError, initial_admin_from_file
        from atrium.db import make_engine

        engine = make_engine(settings.database_url)
        try:
            if initial_admin_from_file(settings, engine):
                name = settings.api.initial_admin_username
                print(f"atrium: created the first administrator {name!r}", file=sys.stderr)
        except BootstrapError as exc:
            print(f"atrium api: {exc}", file=sys.stderr)
            return 2
        finally:
            engine.dispose()
    host, port = settings.api.host, settings.api.port
    # access_log off: api/middleware.py logs every request. proxy_headers off: uvicorn would
    # believe X-Forwarded-For from 127.0.0.1; the app trusts only ATRIUM_API__TRUSTED_PROXIES.
    if settings.api.workers > 1:  # processes sharing the port; each builds its app from ATRIUM_*
        uvicorn.run(
            "api.main:app_from_environment",
            factory=True,
            workers=settings.api.workers,
            host=host,
            port=port,
            log_config=None,
            access_log=False,
            proxy_headers=False,
            **ssl_options,
        )
    else:
        from api.draining import DrainingServer

        app = create_app(settings)
        config = uvicorn.Config(
            app,
            host=host,
            port=port,
            log_config=None,
            access_log=False,
            proxy_headers=False,
            **ssl_options,
        )
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


def cmd_security(settings: Settings, action: str | None = None) -> int:
    """One line per finding on stdout, a count on stderr; exit 1 when any finding is high."""
    from atrium.credentials import credentials_from_settings
    from atrium.db import make_engine
    from atrium.security_check import SEVERITIES, Context, assess

    if action != "check":  # a usage error, as argparse answers one: 2, not a finding's 1
        print("atrium security: the only action is check: atrium security check", file=sys.stderr)
        return 2
    engine = make_engine(settings.database_url)
    try:
        ctx = Context(settings, engine, credentials_from_settings(settings))
        findings = asyncio.run(assess(ctx))
    finally:
        engine.dispose()
    for finding in findings:
        print(finding.line())
    counts = ", ".join(f"{sum(f.severity == s for f in findings)} {s}" for s in SEVERITIES)
    print(f"atrium: {len(findings)} findings ({counts})", file=sys.stderr)
    return 1 if any(f.severity == "high" for f in findings) else 0


def cmd_admin(settings: Settings, action: str, username: str) -> int:
    """`atrium admin create NAME`: an administrator (or an existing account made one again) with
    a new random password, shown once; the account's earlier login tokens stop working."""
    from api.auth.bootstrap import create_administrator
    from atrium.db import make_engine

    if action != "create":
        print("atrium admin: the only action is create: atrium admin create NAME", file=sys.stderr)
        return 2
    engine = make_engine(settings.database_url)
    try:
        password = create_administrator(engine, username)
    finally:
        engine.dispose()
    print(f"atrium: administrator {username!r} with password {password} (shown once)")
    return 0


def cmd_designer(settings: Settings, action: str, connections: list[str]) -> int:
    """`atrium designer install-templates [SLOT=CONNECTION ...]`: the shipped templates as drafts
    (atrium/designer/templates), each slot acting on the connection named for it."""
    from atrium.db import make_engine
    from atrium.designer.templates import install

    if action != "install-templates":
        print("atrium designer: the only action is install-templates", file=sys.stderr)
        return 2
    pairs = [c.partition("=") for c in connections]
    if any(not slot or not sep or not name for slot, sep, name in pairs):
        print("atrium designer: connections are given as SLOT=CONNECTION", file=sys.stderr)
        return 2
    engine = make_engine(settings.database_url)
    try:
        done = install(engine, {slot: name for slot, _, name in pairs})
    finally:
        engine.dispose()
    for name, outcome in done:
        print(f"atrium: template {name}: {'draft created' if outcome == 'created' else 'exists'}")
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
    "security": (cmd_security, "check: assess the deployment's security, one line per finding"),
    "admin": (cmd_admin, "create NAME: an administrator with a new password, shown once"),
    "designer": (cmd_designer, "install-templates [SLOT=CONNECTION ...]: the shipped templates"),
}
# Commands' positional arguments (name, nargs), in the order their function takes them.
ARGUMENTS: dict[str, tuple[tuple[str, str | None], ...]] = {
    "backup": (("output", "?"),),
    "restore": (("archive", None),),
    "security": (("action", None),),
    "admin": (("action", None), ("username", None)),
    "designer": (("action", None), ("connections", "*")),
}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="atrium", description="Atrium integration hub")
    sub = parser.add_subparsers(dest="command", required=True)
    for name, (_, help_text) in COMMANDS.items():
        command = sub.add_parser(name, help=help_text)
        for argument, count in ARGUMENTS.get(name, ()):
            command.add_argument(argument, nargs=count)
    args = parser.parse_args(argv)
    settings = _settings()
    try:
        values = [getattr(args, argument) for argument, _ in ARGUMENTS.get(args.command, ())]
        return COMMANDS[args.command][0](settings, *values)  # type: ignore[operator]
    except KeyboardInterrupt:
        return 130
    except Exception as exc:  # one readable line, never a traceback
        print(f"atrium {args.command}: {type(exc).__name__}: {exc}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    raise SystemExit(main())
