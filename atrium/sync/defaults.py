"""The mappings a sync uses when none is stored: OneRoster 1.2 JSON -> canonical records.

They are ordinary specs (the same shape administrators save through /api/v1/mappings), so a
school can start from these and change one field.
"""

from __future__ import annotations

from atrium.sync.mapping import MappingSpec

BOOLEAN = {"true": True, "false": False}
COMMON = {"source_id": "sourcedId", "status": "status", "date_last_modified": "dateLastModified"}

ONEROSTER: dict[str, MappingSpec] = {
    "orgs": MappingSpec(
        fields={
            **COMMON,
            "name": "name",
            "type": "type",
            "identifier": "identifier",
            "parent_id": "parent.sourcedId",
        }
    ),
    "academicSessions": MappingSpec(
        fields={
            **COMMON,
            "title": "title",
            "type": "type",
            "start_date": "startDate",
            "end_date": "endDate",
            "school_year": "schoolYear",
            "parent_id": "parent.sourcedId",
        }
    ),
    "users": MappingSpec(
        fields={
            **COMMON,
            "username": "username",
            "given_name": "givenName",
            "family_name": "familyName",
            "preferred_first_name": "preferredFirstName",
            "email": "email",
            "phone": "phone",
            # the primary role, else the first (a user may hold only secondary roles), else 1.1's
            "role": "(roles[?roleType=='primary'].role | [0]) || roles[0].role || role",
            "identifier": "identifier",
            "org_ids": "roles[].org.sourcedId",
            "enabled": "enabledUser",
        },
        value_maps={"enabled": BOOLEAN},
    ),
    "courses": MappingSpec(
        fields={
            **COMMON,
            "title": "title",
            "course_code": "courseCode",
            "org_id": "org.sourcedId",
            "school_year_id": "schoolYear.sourcedId",
        }
    ),
    "classes": MappingSpec(
        fields={
            **COMMON,
            "title": "title",
            "class_code": "classCode",
            "course_id": "course.sourcedId",
            "school_id": "school.sourcedId",
            "term_ids": "terms[].sourcedId",
        }
    ),
    "enrollments": MappingSpec(
        fields={
            **COMMON,
            "person_id": "user.sourcedId",
            "class_id": "class.sourcedId",
            "school_id": "school.sourcedId",
            "role": "role",
            "primary": "primary",
            "begin_date": "beginDate",
            "end_date": "endDate",
        },
        value_maps={"primary": BOOLEAN},
    ),
}
