"""Declarative mappings: JMESPath fields, value maps, defaults, validation and change detection."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from atrium.sync.changes import Change, Known, classify_page, map_page
from atrium.sync.defaults import ONEROSTER
from atrium.sync.mapping import CompiledMapping, MappingSpec
from atrium.sync.versions import version_of

USER = {
    "sourcedId": "stu-1",
    "status": "active",
    "dateLastModified": "2026-07-01T10:00:00.000Z",
    "username": "ada",
    "givenName": "Ada",
    "familyName": "Lovelace",
    "email": "ada@school.example.org",
    "enabledUser": True,
    "identifier": "S1",
    "roles": [{"roleType": "primary", "role": "student", "org": {"sourcedId": "sch-1"}}],
}


def test_builtin_oneroster_users_mapping_reads_nested_roles() -> None:
    mapped, rejected = map_page(CompiledMapping(ONEROSTER["users"], "users"), [USER])
    assert rejected == []
    person = mapped[0].record
    assert (person.source_id, person.role, person.org_ids) == ("stu-1", "student", ["sch-1"])  # type: ignore[attr-defined]


def test_value_maps_defaults_and_expressions() -> None:
    spec = MappingSpec(
        fields={
            "source_id": "id",
            "status": "state",
            "date_last_modified": "changed",
            "person_id": "who",
            "class_id": "section.code",
            "school_id": "site",
            "role": "kind",
            "primary": "length(tags) > `0`",
        },
        value_maps={
            "role": {"S": "student", "T": "teacher"},
            "status": {"A": "active", "D": "tobedeleted"},
        },
        defaults={"school_id": "sch-default"},
    )
    mapping = CompiledMapping(spec, "enrollments")
    raw = {
        "id": "e1",
        "state": "D",
        "changed": "2026-07-01T00:00:00Z",
        "who": "p1",
        "section": {"code": "c1"},
        "kind": "T",
        "tags": ["x"],
    }
    mapped, rejected = map_page(mapping, [raw])
    assert rejected == []
    record = mapped[0].record
    assert record.status == "tobedeleted" and record.role == "teacher"  # type: ignore[attr-defined]
    assert record.school_id == "sch-default" and record.primary is True  # type: ignore[attr-defined]


def test_bad_records_are_rejected_with_the_field_and_the_page_goes_on() -> None:
    mapping = CompiledMapping(ONEROSTER["users"], "users")
    # "not-an-email" is spec-valid (a string): it maps, and the LMS fit check quarantines it
    # (tests/connectors/oneroster/test_spec_cases.py); a date that is no date cannot map.
    bad_date = {**USER, "sourcedId": "stu-2", "dateLastModified": "yesterday"}
    bad_role = {**USER, "sourcedId": "stu-3", "roles": [{"roleType": "primary", "role": "wizard"}]}
    strict = CompiledMapping(
        MappingSpec(
            fields={**ONEROSTER["users"].fields}, value_maps={"role": {"student": "student"}}
        ),
        "users",
    )
    odd_email = {**USER, "sourcedId": "stu-4", "email": "not-an-email"}
    mapped, rejected = map_page(mapping, [USER, bad_date, odd_email])
    assert [m.source_id for m in mapped] == ["stu-1", "stu-4"]
    assert rejected[0].source_id == "stu-2" and rejected[0].stage == "validation"
    assert "date_last_modified" in rejected[0].reason
    _, rejected = map_page(strict, [bad_role])
    assert rejected[0].stage == "mapping" and "role" in rejected[0].reason


def test_specs_refuse_bad_expressions_and_unknown_fields() -> None:
    with pytest.raises(ValidationError, match="title"):
        MappingSpec(fields={"title": "a.[["})
    with pytest.raises(ValueError, match="nickname"):
        CompiledMapping(MappingSpec(fields={"nickname": "nick"}), "users")


def test_version_ignores_the_timestamp_and_classify_finds_each_change() -> None:
    a = {"source_id": "x", "name": "A", "date_last_modified": "2026-01-01"}
    assert version_of(a) == version_of({**a, "date_last_modified": "2026-02-02"})
    assert version_of(a) != version_of({**a, "name": "B"})
    mapping = CompiledMapping(ONEROSTER["users"], "users")
    mapped, _ = map_page(
        mapping,
        [
            USER,
            {**USER, "sourcedId": "stu-2"},
            {**USER, "sourcedId": "stu-3", "givenName": "Eve"},
            {**USER, "sourcedId": "stu-4", "status": "tobedeleted"},
            {**USER, "sourcedId": "stu-5", "status": "tobedeleted"},
        ],
    )
    same = mapped[1].version
    known = {
        "stu-2": Known(same, "active"),
        "stu-3": Known(same, "active"),
        "stu-4": Known(same, "active"),
    }
    page = classify_page(mapped, known)
    assert [m.source_id for m in page[Change.create]] == ["stu-1"]
    assert [m.source_id for m in page[Change.unchanged]] == ["stu-2"]
    assert [m.source_id for m in page[Change.update]] == ["stu-3"]
    assert [m.source_id for m in page[Change.deactivate]] == ["stu-4"]
    assert [m.source_id for m in page[Change.skip]] == ["stu-5"]
