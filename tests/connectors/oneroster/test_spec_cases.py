"""The spec-valid records the issue names, one by one: parsed, mapped, and judged by the LMS fit."""

from __future__ import annotations

from typing import Any

from activities.sync.fit import split_unfit
from atrium.sync.changes import map_page
from atrium.sync.defaults import ONEROSTER
from atrium.sync.mapping import CompiledMapping
from connectors import canonical
from connectors.oneroster import mapping, models

STAMP = "2026-09-01T08:00:00Z"
ORG = {
    "href": "https://sis.example.org/ims/oneroster/rostering/v1p2/orgs/s1",
    "sourcedId": "s1",
    "type": "org",
}


def _user(**changes: Any) -> dict[str, Any]:
    user = {
        "sourcedId": "u1",
        "status": "active",
        "dateLastModified": STAMP,
        "enabledUser": "false",
        "username": "ann",
        "givenName": "Ann",
        "familyName": "Lee",
        "email": "ann@example.org",
        "roles": [{"roleType": "primary", "role": "student", "org": ORG}],
        "metadata": {"ext.district": {"house": "blue"}},
        "x-vendor-flag": True,  # an unknown member: kept, never an error
    }
    return {**user, **changes}


def _sync(record_type: str, raw: dict[str, Any]) -> canonical.models.Record:
    mapped, rejected = map_page(CompiledMapping(ONEROSTER[record_type], record_type), [raw])
    assert rejected == [] and len(mapped) == 1
    return mapped[0].record


def test_string_booleans_and_json_booleans_both_parse() -> None:
    for spelled, value in (("false", False), (False, False), ("true", True), (True, True)):
        wire = models.User.model_validate(_user(enabledUser=spelled))
        assert wire.enabled_user is value
        person = mapping.person(wire)
        assert person.enabled is value
        synced = _sync("users", _user(enabledUser=spelled))
        assert isinstance(synced, canonical.Person) and synced.enabled is value


def test_unknown_members_and_metadata_are_kept_on_the_wire_model() -> None:
    wire = models.User.model_validate(_user())
    assert wire.metadata == {"ext.district": {"house": "blue"}}
    assert wire.to_wire()["x-vendor-flag"] is True


def test_relative_and_absolute_hrefs() -> None:
    for href in ("/orgs/s1", "https://sis.example.org/orgs/s1", "orgs/s1"):
        course = {
            "sourcedId": "c1",
            "status": "active",
            "dateLastModified": STAMP,
            "title": "Algebra",
            "courseCode": "ALG",
            "org": {**ORG, "href": href},
        }
        assert mapping.course(models.Course.model_validate(course)).org_id == "s1"


def test_user_without_username_ext_role_and_odd_email_map_then_wait_in_quarantine() -> None:
    raw = _user(username=None, email="n/a")
    raw.pop("username")
    person = mapping.person(models.User.model_validate(raw))
    assert (person.username, person.email) == (None, "n/a")
    mentor = _user(
        sourcedId="u2", roles=[{"roleType": "primary", "role": "ext:mentor", "org": ORG}]
    )
    admin = _user(
        sourcedId="u3", roles=[{"roleType": "secondary", "role": "principal", "org": ORG}]
    )
    assert mapping.person(models.User.model_validate(mentor)).role == "ext:mentor"
    assert _sync("users", admin).role == canonical.Role.administrator  # type: ignore[attr-defined]
    mapped, rejected = map_page(CompiledMapping(ONEROSTER["users"], "users"), [raw, mentor])
    assert rejected == [] and len(mapped) == 2
    fit, unfit = split_unfit("moodle", mapped, [raw, mentor])
    assert [m.source_id for m in fit] == ["u2"]
    assert [(r.source_id, r.stage, r.payload) for r in unfit] == [("u1", "validation", raw)]
    assert unfit[0].reason == (
        "moodle: username is missing: moodle needs it as the login; email 'n/a' is not an address"
    )


def test_course_without_org_and_enrollment_with_ext_role() -> None:
    course = {
        "sourcedId": "c1",
        "status": "active",
        "dateLastModified": STAMP,
        "title": "Algebra",
        "courseCode": "ALG",
    }
    assert mapping.course(models.Course.model_validate(course)).org_id is None
    synced_course = _sync("courses", course)
    assert isinstance(synced_course, canonical.Course) and synced_course.org_id is None
    enrollment = {
        "sourcedId": "e1",
        "status": "active",
        "dateLastModified": STAMP,
        "role": "ext:mentor",
        "primary": "true",
        "user": {"href": "/users/u1", "sourcedId": "u1", "type": "user"},
        "class": {"href": "/classes/k1", "sourcedId": "k1", "type": "class"},
        "school": ORG,
    }
    wire = mapping.enrollment(models.Enrollment.model_validate(enrollment))
    assert (wire.role, wire.primary) == ("ext:mentor", True)
    mapped, _ = map_page(CompiledMapping(ONEROSTER["enrollments"], "enrollments"), [enrollment])
    fit, unfit = split_unfit("canvas", mapped)
    assert fit == [] and unfit[0].reason.startswith("canvas: role 'ext:mentor' has no canvas")


def test_a_role_outside_the_vocabulary_is_refused_with_the_field() -> None:
    mapped, rejected = map_page(
        CompiledMapping(ONEROSTER["users"], "users"),
        [_user(roles=[{"roleType": "primary", "role": "wizard", "org": ORG}])],
    )
    assert mapped == [] and rejected[0].reason.startswith("role")
