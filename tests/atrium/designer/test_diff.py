"""The diff of two versions names each step added, removed or changed, field by field."""

from __future__ import annotations

from atrium.designer.definition import ProcessDefinition
from atrium.designer.diff import diff
from tests.atrium.designer.samples import onboarding


def test_a_diff_lists_changes_per_step() -> None:
    old = onboarding()
    new = onboarding()
    new["steps"][2]["deadline_seconds"] = 60
    new["steps"] = [s for s in new["steps"] if s["id"] != "nothing_to_do"]
    new["steps"][0]["otherwise"] = "wait"
    new["steps"].append({"id": "wait", "type": "timer", "seconds": 5, "next": "rejected"})
    result = diff(ProcessDefinition.model_validate(old), ProcessDefinition.model_validate(new))
    assert result.definition == []
    summary = {
        (s.step, s.status): [(c.path, c.before, c.after) for c in s.changes] for s in result.steps
    }
    assert summary[("any_students", "changed")] == [("otherwise", "nothing_to_do", "wait")]
    assert summary[("approve", "changed")] == [("deadline_seconds", 3600, 60)]
    [(path, before, after)] = summary[("wait", "added")]
    assert (path, before, after["seconds"]) == ("(step)", None, 5)
    [(path, before, after)] = summary[("nothing_to_do", "removed")]
    assert (path, before["type"], after) == ("(step)", "end", None)
    same = ProcessDefinition.model_validate(old)
    assert diff(same, same).steps == []
