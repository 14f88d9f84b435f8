"""Every record the official OneRoster 1.2 schemas accept goes through the connector.

Records are generated from the published component schemas (hypothesis-jsonschema over the
OpenAPI file, see spec_schemas.py) and fed through the three places a record passes:
the wire models, the connector's canonical mapping and the sync engine's default mapping, then
the LMS fit check. Nothing may raise. A record comes out canonical, or - only when the canonical
model cannot hold it at all (an empty or over-long sourcedId, an empty name or title) - as a
rejection whose reason names the field, which the sync engine quarantines. The LMS fit check
answers reasons (no username, "n/a" as email, an ext: role), never exceptions.
"""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from atrium.sync.changes import map_page
from atrium.sync.defaults import ONEROSTER
from atrium.sync.mapping import CompiledMapping
from connectors.canonical.requirements import target_problems
from connectors.errors import MalformedResponse
from connectors.oneroster import mapping, models
from tests.connectors.oneroster.spec_schemas import COMPONENTS, record_strategy

WIRE: dict[str, type[models.Base]] = {
    "orgs": models.Org,
    "academicSessions": models.AcademicSession,
    "courses": models.Course,
    "classes": models.Class,
    "users": models.User,
    "enrollments": models.Enrollment,
}
# Wire member -> canonical field, for the members the canonical model needs non-empty.
NON_EMPTY: dict[str, dict[str, str]] = {
    "orgs": {"name": "name"},
    "academicSessions": {"title": "title"},
    "courses": {"title": "title"},
    "classes": {"title": "title"},
    "users": {"givenName": "given_name", "familyName": "family_name"},
    "enrollments": {},
}
EXAMPLES = 12  # per record type and test: generation dominates (~0.3 s a user record)
LMS = {"canvas": {"student", "teacher", "aide"}, "moodle": {"student", "teacher"}}


def expected_reasons(record_type: str, raw: dict[str, Any]) -> set[str]:
    """The canonical fields this spec-valid record cannot fill, by the rules above."""
    reasons = {field for member, field in NON_EMPTY[record_type].items() if raw.get(member) == ""}
    if not 1 <= len(raw["sourcedId"]) <= 255:
        reasons.add("source_id")
    return reasons


def _check(record_type: str, raw: dict[str, Any]) -> None:
    wire = WIRE[record_type].model_validate(raw)  # parsing never refuses a spec-valid record
    assert wire.sourced_id == raw["sourcedId"]
    expected = expected_reasons(record_type, raw)
    try:
        canonical = mapping.to_canonical(wire)
    except MalformedResponse as exc:
        assert expected, f"a spec-valid record was refused: {exc.message}"
        assert any(field in exc.message for field in expected), exc.message
    else:
        assert not expected, f"mapped although {expected} cannot be empty"
        assert canonical.source_id == raw["sourcedId"]
        for system, roles in LMS.items():
            problems = target_problems(
                canonical, system=system, email_required=system == "moodle", roles=roles
            )
            assert all(isinstance(p, str) and p for p in problems)
    mapped, rejected = map_page(CompiledMapping(ONEROSTER[record_type], record_type), [raw])
    if expected:
        assert not mapped and len(rejected) == 1
        assert any(field in rejected[0].reason for field in expected), rejected[0].reason
    else:
        assert not rejected, rejected[0].reason
        assert mapped[0].record.source_id == raw["sourcedId"]


SLOW = settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
    derandomize=True,  # the same examples every run: a gate, not a lottery
    # no shrinking: shrinking a failing nested record took minutes; the example is shown as is
    phases=[Phase.explicit, Phase.generate],
)


@pytest.mark.parametrize("record_type", sorted(COMPONENTS))
def test_spec_valid_records_map_or_are_quarantined_with_a_reason(record_type: str) -> None:
    @SLOW
    @given(raw=record_strategy(record_type))
    def check(raw: dict[str, Any]) -> None:
        _check(record_type, raw)

    check()


def _nonempty(record_type: str) -> st.SearchStrategy[dict[str, Any]]:
    """Spec-valid records Atrium can hold (names and ids filled in): they must all map."""

    def fill(raw: dict[str, Any]) -> dict[str, Any]:
        raw = dict(raw, sourcedId=(raw["sourcedId"] or "id")[:255])
        for member in NON_EMPTY[record_type]:
            raw[member] = raw[member] or "x"
        return raw

    return record_strategy(record_type).map(fill)


@pytest.mark.parametrize("record_type", sorted(COMPONENTS))
def test_every_spec_valid_record_with_names_maps(record_type: str) -> None:
    @SLOW
    @given(raw=_nonempty(record_type))
    def check(raw: dict[str, Any]) -> None:
        assert not expected_reasons(record_type, raw)
        _check(record_type, raw)

    check()
