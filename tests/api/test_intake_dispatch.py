"""How the dispatcher cuts one claim into batch runs (they run at once): never one subject's
events in two of them, which could then be written out of order."""

from __future__ import annotations

from api.webhooks.dispatcher import subject_chunks
from atrium.intake.store import Claimed


def claimed(id_: int, subject: str | None) -> Claimed:
    return Claimed(id_, "sis", f"e{id_}", "profile-update", subject, f"w{id_}", {})


def test_a_subject_stays_in_one_batch_and_batches_keep_their_size() -> None:
    # 10 events each of 40 people, interleaved as they arrive, claimed together.
    rows = [claimed(n, f"P{n % 40}") for n in range(400)]
    chunks = subject_chunks(rows, 200)
    assert [len(c) for c in chunks] == [200, 200]
    for chunk in chunks:
        assert [r.id for r in chunk] == sorted(r.id for r in chunk)  # intake order inside
    subjects = [{r.subject for r in chunk} for chunk in chunks]
    assert not subjects[0] & subjects[1]
    assert sorted(r.id for c in chunks for r in c) == list(range(400))


def test_one_subjects_many_events_are_one_batch_even_past_the_size() -> None:
    rows = [claimed(n, "P" if n < 5 else None) for n in range(8)]
    chunks = subject_chunks(rows, 3)
    assert [[r.id for r in c] for c in chunks] == [[0, 1, 2, 3, 4], [5, 6, 7]]
