"""The published OneRoster 1.2 OpenAPI files, loaded for schemathesis, and valid requests for
every one of their operations against the sandbox's demo institution (seed 42).

Workarounds for the published files, each applied here and nowhere else:
- ``servers`` is ``https://{hostName}{basePath}`` with 1EdTech's host as the default; every call
  passes the emulator's base URL instead (``base_url=``), the paths themselves are untouched.
- The 200 answers declare ``links`` whose parameters read ``$request.path.limit`` although
  ``limit`` is a query parameter. Links only drive schemathesis' stateful mode, which the gate
  does not use, so they are left as published.
Nothing else is changed: no schema is relaxed, no ``nullable`` added, no pattern rewritten.

One conflict inside the standard is not worked around but kept out of the generated requests'
reach by their nature: field selection (``fields=givenName``) answers partial records, which the
schemas' ``required`` lists refuse. The fuzzer's ``fields`` values are random strings (the
parameter has no enum), which the emulator refuses with a 400 ``invalid_selection_field``, so it
never selects real fields; ``test_oneroster_gradebook.py`` checks field selection on its own.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import schemathesis
from schemathesis.specs.openapi.schemas import OpenApiSchema

STANDARDS = Path(__file__).parents[1] / "standards" / "oneroster-1.2"
SERVICES = {
    "rostering": "onerosterv1p2rostersservice_openapi3_v1p0.json",
    "gradebook": "onerosterv1p2gradebookservice_openapi3_v1p0.json",
    "resources": "onerosterv1p2resourcesservice_openapi3_v1p0.json",
}
OPERATIONS_IN_ALL = 81  # 41 rostering + 35 gradebook + 5 resources, as published

# One existing record per collection ({sourcedId} of /<collection>/{sourcedId}).
KNOWN = {
    "orgs": "dst-0001",
    "schools": "sch-0001",
    "academicSessions": "ses-2027",
    "terms": "ses-2027-t1",
    "gradingPeriods": "ses-2027-gp1",
    "classes": "cls-000001",
    "courses": "crs-000001",
    "demographics": "stu-0000001",
    "enrollments": "enr-00000001",
    "users": "stu-0000001",
    "students": "stu-0000001",
    "teachers": "tch-000001",
    "categories": "cat-01",
    "scoreScales": "ssc-000001",
    "lineItems": "li-0000001",
    "results": "res-00000001",
    "assessmentLineItems": "ali-0001",
    "assessmentResults": "ars-0001-001",
    "resources": "res-0001",
}
# Named path parameters of nested routes -> an existing record of that kind.
PARAMETERS = {
    "classSourcedId": "cls-000001",
    "schoolSourcedId": "sch-0001",
    "courseSourcedId": "crs-000001",
    "termSourcedId": "ses-2027-t1",
    "teacherSourcedId": "tch-000001",
    "userSourcedId": "stu-0000001",
    "lineItemSourcedId": "li-0000001",
    "academicSessionSourcedId": "ses-2027-t1",
}


def load(service: str) -> OpenApiSchema:
    raw = json.loads((STANDARDS / SERVICES[service]).read_text())
    return schemathesis.openapi.from_dict(raw)


def base_url(sandbox: str, service: str) -> str:
    return f"{sandbox}/oneroster/ims/oneroster/{service}/v1p2"


@dataclass(frozen=True)
class Request:
    path_parameters: dict[str, str]
    body: Any = None


def _ref(kind: str, sid: str) -> dict[str, str]:
    return {"href": f"https://sis.example.org/{kind}/{sid}", "sourcedId": sid, "type": kind}


def record(collection: str, sid: str, student: str) -> dict[str, Any]:
    """A complete record of a gradebook collection, as the schema requires it, for PUT/POST."""
    head = {"sourcedId": sid, "status": "active", "dateLastModified": "2026-09-01T00:00:00Z"}
    bodies: dict[str, dict[str, Any]] = {
        "categories": {"title": "Participation", "weight": 0.05},
        "scoreScales": {
            "title": "Pass/fail",
            "type": "pass-fail",
            "class": _ref("class", "cls-000001"),
            "scoreScaleValue": [{"itemValueLHS": "P", "itemValueRHS": "50-100"}],
        },
        "lineItems": {
            "title": "Conformance quiz",
            "assignDate": "2026-09-01T08:00:00Z",
            "dueDate": "2026-09-08T23:59:00Z",
            "class": _ref("class", "cls-000001"),
            "school": _ref("org", "sch-0001"),
            "category": _ref("category", "cat-04"),
            "resultValueMin": 0,
            "resultValueMax": 10,
            "learningObjectiveSet": [{"source": "case", "learningObjectiveIds": ["lo-7"]}],
        },
        "results": {
            "lineItem": _ref("lineItem", "li-0000001"),
            "student": _ref("user", student),
            "scoreStatus": "fully graded",
            "score": 7.5,
            "scoreDate": "2026-09-09",
            "late": "false",
            "learningObjectiveSet": [
                {
                    "source": "/district",
                    "learningObjectiveResults": [{"learningObjectiveId": "lo-7", "score": 1}],
                }
            ],
        },
        "assessmentLineItems": {"title": "Spring benchmark", "resultValueMax": 100},
        "assessmentResults": {
            "assessmentLineItem": _ref("assessmentLineItem", "ali-0001"),
            "student": _ref("user", student),
            "scoreStatus": "submitted",
            "scoreDate": "2026-10-03",
        },
    }
    return {**head, **bodies[collection]}


def valid_request(method: str, path: str, student: str) -> Request:
    """A request the operation must answer with its documented success."""
    parts = path.strip("/").split("/")
    params = {name: PARAMETERS[name] for name in PARAMETERS if f"{{{name}}}" in path}
    if "studentSourcedId" in path:
        params["studentSourcedId"] = student
    collection = parts[0]
    if method == "GET":
        if "{sourcedId}" in path:
            params["sourcedId"] = KNOWN[collection]
        return Request(params)
    if method == "DELETE":
        return Request({"sourcedId": f"conformance-delete-{collection}"})
    if method == "PUT":
        sid = f"conformance-put-{collection}"
        singular = {"categories": "category"}.get(collection, collection.removesuffix("s"))
        return Request({"sourcedId": sid}, {singular: record(collection, sid, student)})
    target = parts[-1]  # POST .../lineItems or .../results
    return Request(params, {target: [record(target, f"conformance-post-{target}", student)]})
