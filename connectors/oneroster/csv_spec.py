"""The OneRoster CSV bindings' files and columns, 1.1 and 1.2, and how headers are matched.

Sources: the 1.2 columns are those of 1EdTech's OneRoster 1.2 CSV binding as vendored in
``tests/standards/oneroster-1.2/csv-columns.md`` (``?`` = optional). The 1.1 columns come from
1EdTech's OneRoster v1.1 CSV Tables document (IMS Final Release, 2017), section 2: the files a
roster reader needs are the same as 1.2's except ``users.csv``, which in 1.1 carries the role
(``role``) and the orgs (``orgSourcedIds``) itself and has no ``roles.csv``, no
``userMasterIdentifier``/``preferred*``/``primaryOrgSourcedId``/``pronouns``.

Columns are found by header name, never by position. A header cell matches a column when it is
equal after trimming whitespace (and a BOM) and ignoring case; known misspellings seen in real
packages (``prefferedGivenName``) match too. Both are loaded with a warning. ``status`` and
``dateLastModified`` are required cells in delta files only.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Column:
    name: str
    required: bool


def _columns(text: str) -> tuple[Column, ...]:
    return tuple(
        Column(word.rstrip("?"), not word.endswith("?"))
        for word in text.split()
        if word not in ("status", "dateLastModified")
    ) + (Column("status", False), Column("dateLastModified", False))


_COMMON_12 = {
    "orgs": "sourcedId status dateLastModified name type identifier? parentSourcedId?",
    "academicSessions": "sourcedId status dateLastModified title type startDate endDate "
    "parentSourcedId? schoolYear",
    "courses": "sourcedId status dateLastModified schoolYearSourcedId? title courseCode? grades? "
    "orgSourcedId subjects? subjectCodes?",
    "classes": "sourcedId status dateLastModified title grades? courseSourcedId classCode? "
    "classType location? schoolSourcedId termSourcedIds subjects? subjectCodes? periods?",
    "enrollments": "sourcedId status dateLastModified classSourcedId schoolSourcedId "
    "userSourcedId role primary? beginDate? endDate?",
}
COLUMNS: dict[str, dict[str, tuple[Column, ...]]] = {
    "1.2": {
        **{name: _columns(text) for name, text in _COMMON_12.items()},
        "roles": _columns(
            "sourcedId status dateLastModified userSourcedId roleType role beginDate? endDate? "
            "orgSourcedId userProfileSourcedId?"
        ),
        "users": _columns(
            "sourcedId status dateLastModified enabledUser username userIds? givenName "
            "familyName middleName? identifier? email? sms? phone? agentSourcedIds? grades? "
            "password? userMasterIdentifier? preferredGivenName? preferredMiddleName? "
            "preferredFamilyName? primaryOrgSourcedId? pronouns?"
        ),
    },
    "1.1": {
        **{name: _columns(text) for name, text in _COMMON_12.items()},
        # 1.1 section 2.10: enabledUser, orgSourcedIds and role are required; username too.
        "users": _columns(
            "sourcedId status dateLastModified enabledUser orgSourcedIds role username userIds? "
            "givenName familyName middleName? identifier? email? sms? phone? agentSourcedIds? "
            "grades? password?"
        ),
    },
}
# Files read in this order so references can be checked against what came before (1.2 reads
# roles before users: a user's role lives there).
READ_ORDER = ("orgs", "academicSessions", "courses", "classes", "roles", "users", "enrollments")
VERSIONS = tuple(COLUMNS)

# Seen in exported packages: misspelt headers that mean a binding column.
MISSPELLINGS = {
    "prefferedgivenname": "preferredGivenName",
    "prefferedmiddlename": "preferredMiddleName",
    "prefferedfamilyname": "preferredFamilyName",
    "prefferedfirstname": "preferredGivenName",
}

ORG_TYPES = ("department", "school", "district", "local", "state", "national")
SESSION_TYPES = ("gradingPeriod", "semester", "schoolYear", "term")
CLASS_TYPES = ("homeroom", "scheduled")
ROLE_TYPES = ("primary", "secondary")
STATUSES = ("active", "tobedeleted")
# 1.2 roles.csv / users.csv (1.1) vocabularies, and the enrollment roles of both.
USER_ROLES = {
    "1.2": (
        "aide",
        "counselor",
        "districtAdministrator",
        "guardian",
        "parent",
        "principal",
        "proctor",
        "relative",
        "siteAdministrator",
        "student",
        "systemAdministrator",
        "teacher",
    ),
    "1.1": (
        "administrator",
        "aide",
        "guardian",
        "parent",
        "proctor",
        "relative",
        "student",
        "teacher",
    ),
}
ENROLLMENT_ROLES = {
    "1.2": ("administrator", "proctor", "student", "teacher"),
    "1.1": USER_ROLES["1.1"],  # 1.1 types an enrollment's role with the one RoleEnum
}


def normalise(header: str) -> str:
    return "".join(header.replace("\ufeff", "").split()).casefold()


def match_header(cell: str, known: dict[str, str]) -> tuple[str | None, bool]:
    """(binding column for a header cell or None, whether it matched only loosely)."""
    if cell in known.values():
        return cell, False
    key = normalise(cell)
    if key in known:
        return known[key], True
    if key in MISSPELLINGS and normalise(MISSPELLINGS[key]) in known:
        return MISSPELLINGS[key], True
    return None, False


# Header cell -> kept without a warning: extensions the binding allows.
def is_extension(header: str) -> bool:
    return header.strip().startswith("metadata.")
