"""Per-field conflict policies: source of truth, last writer wins, manual."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from pydantic import ValidationError

from atrium.sync.conflicts import FieldPolicy, Policy, Side, apply_resolution, decide

EARLY, LATE = datetime(2026, 9, 1, tzinfo=UTC), datetime(2026, 9, 2, tzinfo=UTC)
TRUTH = FieldPolicy(policy=Policy.source_of_truth, owner="sis")
LWW = FieldPolicy(policy=Policy.last_writer_wins)
MANUAL = FieldPolicy(policy=Policy.manual)


def test_untouched_fields_need_nothing_and_one_sided_edits_flow_across() -> None:
    assert decide("email", "a@x", Side("sis", "a@x"), Side("lms", "a@x"), MANUAL) is None
    flow = decide("email", "a@x", Side("sis", "a@x"), Side("lms", "b@x"), MANUAL)
    assert flow is not None and (flow.value, flow.write_to, flow.conflict) == (
        "b@x",
        ("sis",),
        False,
    )


def test_source_of_truth_always_wins_even_reverting_the_other_side() -> None:
    both = decide("email", "a@x", Side("sis", "s@x", LATE), Side("lms", "l@x", EARLY), TRUTH)
    assert both is not None and (both.value, both.write_to) == ("s@x", ("lms",))
    revert = decide("email", "a@x", Side("sis", "a@x"), Side("lms", "l@x"), TRUTH)
    assert revert is not None and (revert.value, revert.write_to) == ("a@x", ("lms",))
    with pytest.raises(ValidationError, match="owner"):
        FieldPolicy(policy=Policy.source_of_truth)


def test_last_writer_wins_on_date_last_modified_and_ties_become_conflicts() -> None:
    later_lms = decide("phone", "1", Side("sis", "2", EARLY), Side("lms", "3", LATE), LWW)
    assert later_lms is not None and (later_lms.value, later_lms.write_to) == ("3", ("sis",))
    later_sis = decide("phone", "1", Side("sis", "2", LATE), Side("lms", "3", EARLY), LWW)
    assert later_sis is not None and (later_sis.value, later_sis.write_to) == ("2", ("lms",))
    tie = decide("phone", "1", Side("sis", "2", LATE), Side("lms", "3", LATE), LWW)
    assert tie is not None and tie.conflict


def test_manual_parks_real_conflicts_and_the_resolution_writes_where_needed() -> None:
    parked = decide("name", "Al", Side("sis", "Alan", EARLY), Side("lms", "Alfie", LATE), MANUAL)
    assert parked is not None and parked.conflict and parked.write_to == ()
    same = decide("name", "Al", Side("sis", "Alan"), Side("lms", "Alan"), MANUAL)
    assert same is not None and not same.conflict and same.write_to == ()
    chosen = apply_resolution(
        "name", Side("sis", "Alan"), Side("lms", "Alfie"), choose="lms", value=None
    )
    assert (chosen.value, chosen.write_to) == ("Alfie", ("sis",))
    typed = apply_resolution(
        "name", Side("sis", "Alan"), Side("lms", "Alfie"), choose=None, value="Al"
    )
    assert set(typed.write_to) == {"sis", "lms"}
    with pytest.raises(ValueError, match="choose"):
        apply_resolution(
            "name", Side("sis", "Alan"), Side("lms", "Alfie"), choose="erp", value=None
        )
