"""Group commit: concurrent callers share transactions, each gets its own result, a failed
batch fails only its own callers."""

from __future__ import annotations

import asyncio

import pytest

from atrium.group_commit import GroupCommit


async def test_concurrent_callers_share_a_write_and_get_their_own_results() -> None:
    batches: list[list[int]] = []

    def write(items: list[int]) -> list[int]:
        batches.append(items)
        return [item * 10 for item in items]

    writer: GroupCommit[int, int] = GroupCommit(write, name="test", max_batch=50)
    try:
        results = await asyncio.gather(*(writer.submit(n) for n in range(200)))
    finally:
        writer.close()
    assert results == [n * 10 for n in range(200)]
    assert sorted(n for batch in batches for n in batch) == list(range(200))
    assert len(batches) < 200 and max(len(b) for b in batches) <= 50


async def test_a_failed_write_fails_its_callers_and_not_the_next() -> None:
    fail = {"on": True}

    def write(items: list[str]) -> list[str]:
        if fail["on"]:
            raise OSError("disk full")
        return items

    writer: GroupCommit[str, str] = GroupCommit(write, name="test")
    try:
        outcomes = await asyncio.gather(*(writer.submit(s) for s in "abc"), return_exceptions=True)
        assert all(isinstance(o, OSError) for o in outcomes)
        fail["on"] = False
        assert await writer.submit("d") == "d"
    finally:
        writer.close()
    with pytest.raises(RuntimeError):  # closed: no more writes
        await writer.submit("e")
