"""Parse a nightly holds batch (stdlib ``csv``): good lines are used, bad ones are reported.

Every problem names the file, the physical line (1 = header) and, where one field is at fault,
the 1-based column, so the bursar's staff can fix the exact cell.
"""

from __future__ import annotations

import csv
import hashlib
import io
from datetime import datetime

from pydantic import ValidationError

from connectors.finance.models import BatchLineError, HoldInstruction, HoldsBatch

COLUMNS = ["student_id", "hold_type", "action", "reason", "effective_at"]
ACTIONS = {"place", "lift"}


def parse_holds_csv(file: str, data: bytes) -> HoldsBatch:
    digest = hashlib.sha256(data).hexdigest()
    instructions: list[HoldInstruction] = []
    errors: list[BatchLineError] = []
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        errors.append(
            BatchLineError(
                file=file, line=0, message=f"not UTF-8: {exc.reason} at byte {exc.start}"
            )
        )
        return HoldsBatch(file=file, sha256=digest, instructions=[], errors=errors)
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    try:
        header = next(reader, None)
        if header is None or [h.strip() for h in header] != COLUMNS:
            errors.append(
                BatchLineError(
                    file=file, line=1, message=f"header must be {','.join(COLUMNS)}, got {header!r}"
                )
            )
            return HoldsBatch(file=file, sha256=digest, instructions=[], errors=errors)
        for row in reader:
            line = reader.line_num
            if not any(cell.strip() for cell in row):
                continue  # blank lines carry nothing
            parsed = _row(file, line, row)
            (errors if isinstance(parsed, BatchLineError) else instructions).append(parsed)  # type: ignore[arg-type]
    except csv.Error as exc:
        errors.append(
            BatchLineError(
                file=file,
                line=reader.line_num,
                message=f"unreadable CSV, rest of file skipped: {exc}",
            )
        )
    return HoldsBatch(file=file, sha256=digest, instructions=instructions, errors=errors)


def _row(file: str, line: int, row: list[str]) -> HoldInstruction | BatchLineError:
    def error(column: int | None, message: str) -> BatchLineError:
        return BatchLineError(file=file, line=line, column=column, message=message)

    if len(row) != len(COLUMNS):
        column = min(len(row), len(COLUMNS)) + 1
        return error(column, f"expected {len(COLUMNS)} fields, found {len(row)}")
    student_id, hold_type, action, reason, effective_at = (cell.strip() for cell in row)
    if not student_id:
        return error(1, "student_id is empty")
    if not hold_type:
        return error(2, "hold_type is empty")
    if action not in ACTIONS:
        return error(3, f"action must be place or lift, not {action!r}")
    try:
        when = datetime.fromisoformat(effective_at.replace("Z", "+00:00"))
    except ValueError:
        return error(5, f"effective_at is not an ISO 8601 date-time: {effective_at!r}")
    if when.tzinfo is None:
        return error(5, f"effective_at needs a UTC offset: {effective_at!r}")
    try:
        return HoldInstruction(
            file=file,
            line=line,
            student_id=student_id,
            hold_type=hold_type,
            action=action,
            reason=reason,
            effective_at=when,
        )  # type: ignore[arg-type]
    except ValidationError as exc:  # pragma: no cover - every field was checked above
        return error(None, str(exc))
