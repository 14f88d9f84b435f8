"""A OneRoster CSV package (written by the sandbox SIS's exporter, the 1.2 binding) read as a
roster source: OneRoster JSON the sync engine's default mappings accept, problems reported."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pytest

from atrium.sync.changes import map_page
from atrium.sync.defaults import ONEROSTER
from atrium.sync.mapping import CompiledMapping
from connectors.oneroster.package_source import read_package
from sandbox.context import SystemContext
from sandbox.oneroster import create_app
from sandbox.oneroster.bulk_csv import build_zip
from sandbox.oneroster.runtime import Runtime


@pytest.fixture(scope="module")
def package(tmp_path_factory: pytest.TempPathFactory) -> bytes:
    ctx = SystemContext(name="oneroster", data_dir=Path(tmp_path_factory.mktemp("sis")), seed=5)
    create_app(ctx)  # seeds the SIS
    return build_zip(Runtime(ctx=ctx, prefix="/oneroster"), None)


def rewrite(data: bytes, name: str, old: bytes, new: bytes) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w") as dst:
        for item in src.namelist():
            body = src.read(item)
            dst.writestr(item, body.replace(old, new, 1) if item == name else body)
    return out.getvalue()


def test_every_record_maps_with_the_default_mappings(package: bytes) -> None:
    contents = read_package(package)
    assert contents.usable and contents.mode == "bulk" and contents.problems == []
    assert contents.counts["users"] > 100 and contents.counts["enrollments"] > 500
    for kind, rows in contents.records.items():
        assert [r["sourcedId"] for r in rows] == sorted(r["sourcedId"] for r in rows)
        mapped, rejected = map_page(CompiledMapping(ONEROSTER[kind], kind), rows)
        assert rejected == [] and len(mapped) == len(rows), kind
    student = next(r for r in contents.records["users"] if r["role"] == "student")
    assert student["roles"][0]["roleType"] == "primary" and student["enabledUser"] == "true"


def test_a_bad_header_rejects_the_package_and_a_bad_row_is_reported(package: bytes) -> None:
    header = read_package(rewrite(package, "users.csv", b"familyName", b"surname"))
    assert not header.usable
    assert any(p.startswith("users.csv:1:") for p in header.file_problems)
    first_user = package_line(package, "users.csv", 2)
    broken_row = first_user.replace(first_user.split(b",")[0], b"", 1)
    row = read_package(rewrite(package, "users.csv", first_user, broken_row))
    assert row.usable and any(p.startswith("users.csv:2:") for p in row.problems)
    assert row.counts["users"] == read_package(package).counts["users"] - 1
    assert not read_package(b"not a zip").usable


def package_line(data: bytes, name: str, line: int) -> bytes:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return archive.read(name).split(b"\r\n")[line - 1]
