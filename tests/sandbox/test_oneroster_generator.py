"""The institution generator: deterministic per (seed, size), with the documented sizes."""

from __future__ import annotations

from dataclasses import astuple

import pytest

from sandbox.generator import SIZES, generate


def _fingerprint(seed: int) -> list[tuple[object, ...]]:
    inst = generate(seed, "demo")
    people = [astuple(p) for p in inst.people]
    return [*people, *map(astuple, inst.enrollments), *map(astuple, inst.results)]


def test_same_seed_same_data() -> None:
    assert _fingerprint(7) == _fingerprint(7)


def test_other_seed_other_data() -> None:
    assert _fingerprint(7) != _fingerprint(8)


def test_demo_size_and_shape() -> None:
    inst = generate(42, "demo")
    roles = [p.role for p in inst.people]
    assert (roles.count("student"), roles.count("teacher"), roles.count("administrator")) == (
        300,
        12,
        2,
    )
    assert len(inst.enrollments) == SIZES["demo"].enrollments == 1560
    assert len(inst.classes) == 60 and len(inst.orgs) == 3
    per_student: dict[str, int] = {}
    for e in inst.enrollments:
        if e.role == "student":
            per_student[e.person_id] = per_student.get(e.person_id, 0) + 1
    assert set(per_student.values()) == {5}  # one class per period
    class_ids = {c.source_id for c in inst.classes}
    assert all(e.class_id in class_ids for e in inst.enrollments)
    assert len({p.username for p in inst.people}) == len(inst.people)


@pytest.mark.parametrize(("size", "enrollments"), [("small", 15_600), ("1m", 1_000_000)])
def test_named_sizes(size: str, enrollments: int) -> None:
    assert SIZES[size].enrollments == enrollments


def test_unknown_size_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown size"):
        generate(1, "huge")
