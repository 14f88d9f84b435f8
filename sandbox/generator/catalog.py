"""Grade categories, score scales, learning resources and benchmark assessments.

All derived from the timetable without drawing from the builder's rng, so adding them left every
other record of a (seed, size) byte-identical.
"""

from __future__ import annotations

from sandbox.generator import names
from sandbox.generator.records import (
    AssessmentItemRecord,
    AssessmentResultRecord,
    CategoryRecord,
    Institution,
    ResourceRecord,
    ScoreScaleRecord,
)

LETTER_GRADES = (("A", "90-100"), ("B", "80-89"), ("C", "70-79"), ("D", "60-69"), ("F", "0-59"))
CATEGORY_WEIGHTS = (0.3, 0.1, 0.2, 0.1, 0.1, 0.1, 0.1)  # in the order of names.ASSIGNMENTS
BENCHMARK_TAKERS = 20  # students per school with a benchmark result: enough to page through


def category_id(kind: str) -> str:
    return f"cat-{names.ASSIGNMENTS.index(kind) + 1:02d}"


def add_catalog(inst: Institution, stamp: str) -> None:
    inst.categories = [
        CategoryRecord(category_id(kind), kind, weight, stamp)
        for kind, weight in zip(names.ASSIGNMENTS, CATEGORY_WEIGHTS, strict=True)
    ]
    inst.score_scales = [
        ScoreScaleRecord(
            f"ssc-{k.source_id[4:]}",
            "Letter grade",
            k.source_id,
            k.course_id,
            [*LETTER_GRADES],
            stamp,
        )
        for k in inst.classes
    ]
    subjects = sorted({c.subject for c in inst.courses})
    resource_of = {s: f"res-{i + 1:04d}" for i, s in enumerate(subjects)}
    inst.resources = [
        ResourceRecord(rid, f"{s} digital textbook", f"textbook-{i + 1:04d}", "atrium-press", stamp)
        for i, (s, rid) in enumerate(resource_of.items())
    ]
    inst.course_resources = [(c.source_id, resource_of[c.subject]) for c in inst.courses]
    schools = [o for o in inst.orgs if o.type == "school"]
    inst.assessment_items = [
        AssessmentItemRecord(f"ali-{o.source_id[4:]}", "Fall benchmark", o.source_id, 100.0, stamp)
        for o in schools
    ]
    takers: dict[str, list[str]] = {o.source_id: [] for o in schools}
    for person in inst.people:
        group = takers[person.school_id]
        if person.role == "student" and len(group) < BENCHMARK_TAKERS:
            group.append(person.source_id)
    inst.assessment_results = [
        AssessmentResultRecord(
            f"ars-{item.source_id[4:]}-{n + 1:03d}",
            item.source_id,
            student,
            float(50 + (n * 37) % 51),
            "2026-10-02",
            stamp,
        )
        for item in inst.assessment_items
        for n, student in enumerate(takers[item.school_id])
    ]
