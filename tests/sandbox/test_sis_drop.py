"""The sandbox SIS's nightly drop: today's package appears at once, once, and is a package a
roster source can read."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from pathlib import Path

from connectors.oneroster.package_source import read_package
from sandbox.context import SystemContext
from sandbox.oneroster import create_app
from sandbox.sis_drop import enable_sis_drop, nightly_name, nightly_packages, sis_drop_root


async def test_todays_package_is_written_once(tmp_path: Path) -> None:
    ctx = SystemContext(name="oneroster", data_dir=tmp_path, seed=11)
    create_app(ctx)
    enable_sis_drop(ctx)
    assert ctx.credentials["sftp_username"] == "sis-export" and ctx.credentials["sftp_password"]
    today = sis_drop_root(ctx) / "drop" / nightly_name(datetime.now(UTC))

    async def one_night(seconds: float) -> None:
        task = asyncio.create_task(nightly_packages(ctx))
        for _ in range(int(seconds * 10)):
            if today.exists():
                break
            await asyncio.sleep(0.1)
        task.cancel()

    await one_night(10)
    contents = read_package(today.read_bytes())
    assert contents.usable and contents.counts["users"] > 100
    filed = sis_drop_root(ctx) / "processed" / today.name
    today.rename(filed)  # a reader took it
    await one_night(2)  # it looks at once, then sleeps till the next night
    assert not today.exists()  # tonight's package is not sent twice
    assert list((sis_drop_root(ctx) / "drop").iterdir()) == []
