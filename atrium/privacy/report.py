"""The export's zip: ``manifest.json`` (who asked, when, each system's record counts and each
file's sha256) and, per system, ``<section>.json`` (the records as the system gave them) and
``<section>.csv`` (one row per field: record type, record number, field path, value)."""

from __future__ import annotations

import csv
import hashlib
import io
import json
import zipfile
from datetime import UTC, datetime
from typing import Any

Section = dict[str, list[dict[str, Any]]]


def _flatten(value: Any, path: str = "") -> list[tuple[str, str]]:
    if isinstance(value, dict):
        return [
            pair
            for key in sorted(value)
            for pair in _flatten(value[key], f"{path}.{key}" if path else str(key))
        ]
    if isinstance(value, list):
        return [pair for i, v in enumerate(value) for pair in _flatten(v, f"{path}[{i}]")]
    return [(path, "" if value is None else str(value))]


def as_csv(section: Section) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["record_type", "record", "field", "value"])
    for record_type in sorted(section):
        for n, record in enumerate(section[record_type]):
            for field, value in _flatten(record):
                writer.writerow([record_type, n, field, value])
    return out.getvalue()


def build_zip(export_id: int, requested_by: str, sections: dict[str, tuple[str, Section]]) -> bytes:
    """``sections``: section name -> (system, records)."""
    files: dict[str, bytes] = {}
    systems = []
    for name in sorted(sections):
        system, section = sections[name]
        files[f"{name}.json"] = json.dumps(section, indent=2, sort_keys=True).encode()
        files[f"{name}.csv"] = as_csv(section).encode()
        systems.append(
            {
                "section": name,
                "system": system,
                "records": {t: len(rows) for t, rows in sorted(section.items())},
                "files": [f"{name}.json", f"{name}.csv"],
            }
        )
    manifest = {
        "export": export_id,
        "kind": "data-subject access export",
        "generated_at": datetime.now(UTC).isoformat(),
        "requested_by": requested_by,
        "systems": systems,
        "sha256": {n: hashlib.sha256(b).hexdigest() for n, b in sorted(files.items())},
    }
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("manifest.json", json.dumps(manifest, indent=2))
        for name, data in sorted(files.items()):
            archive.writestr(name, data)
    return buffer.getvalue()
