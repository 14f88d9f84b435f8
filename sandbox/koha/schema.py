"""The Koha ``patron`` object as its OpenAPI definition describes it, and request validation.

Field names and types follow ``api/v1/swagger/definitions/patron.yaml`` (Koha 24.x). Bad bodies
get the error shape of Mojolicious::Plugin::OpenAPI / JSON::Validator, which Koha answers with:
``{"errors": [{"message": "...", "path": "/body/..."}], "status": 400}``.
"""

from __future__ import annotations

import re
from typing import Any

NULLABLE_STRINGS = [
    "cardnumber",
    "surname",
    "firstname",
    "preferred_name",
    "middle_name",
    "title",
    "other_name",
    "initials",
    "pronouns",
    "street_number",
    "street_type",
    "address",
    "address2",
    "city",
    "state",
    "postal_code",
    "country",
    "email",
    "phone",
    "mobile",
    "fax",
    "secondary_email",
    "secondary_phone",
    "altaddress_street_number",
    "altaddress_street_type",
    "altaddress_address",
    "altaddress_address2",
    "altaddress_city",
    "altaddress_state",
    "altaddress_postal_code",
    "altaddress_country",
    "altaddress_email",
    "altaddress_phone",
    "staff_notes",
    "relationship_type",
    "gender",
    "userid",
    "opac_notes",
    "altaddress_notes",
    "statistics_1",
    "statistics_2",
    "altcontact_firstname",
    "altcontact_surname",
    "altcontact_address",
    "altcontact_address2",
    "altcontact_city",
    "altcontact_state",
    "altcontact_postal_code",
    "altcontact_country",
    "altcontact_phone",
    "sms_number",
    "overdrive_auth_token",
]
NULLABLE_DATES = ["date_of_birth", "date_enrolled", "expiry_date", "date_renewed"]
STRINGS = ["library_id", "category_id", "check_previous_checkout", "lang"]
NULLABLE_BOOLEANS = ["incorrect_address", "patron_card_lost"]
BOOLEANS = ["autorenew_checkouts", "privacy_guarantor_fines", "protected"]
INTEGERS = ["privacy", "privacy_guarantor_checkouts"]
NULLABLE_INTEGERS = ["sms_provider_id", "login_attempts"]
READ_ONLY = ["patron_id", "restricted", "anonymized"]
# Embeddable or server-maintained attributes: accepted by the schema, never stored from a body.
IGNORED = [
    "updated_on",
    "last_seen",
    "extended_attributes",
    "checkouts_count",
    "overdues_count",
    "account_balance",
    "library",
    "_strings",
]
REQUIRED = ["surname", "library_id", "category_id"]

WRITABLE = [
    *NULLABLE_STRINGS,
    *NULLABLE_DATES,
    *STRINGS,
    *NULLABLE_BOOLEANS,
    *BOOLEANS,
    *INTEGERS,
    *NULLABLE_INTEGERS,
]
ALL_FIELDS = [*READ_ONLY, *WRITABLE, "updated_on", "last_seen"]
DEFAULTS: dict[str, Any] = {
    "autorenew_checkouts": True,
    "privacy_guarantor_fines": False,
    "protected": False,
    "privacy": 1,
    "privacy_guarantor_checkouts": 0,
    "check_previous_checkout": "inherit",
    "lang": "default",
}
DATE_RE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def _type_name(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "integer"
    if isinstance(value, float):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list):
        return "array"
    return "object"


def _expected(field: str) -> tuple[set[str], bool]:
    """Allowed JSON types of ``field`` and whether it is a date."""
    if field in NULLABLE_STRINGS:
        return {"string", "null"}, False
    if field in NULLABLE_DATES:
        return {"string", "null"}, True
    if field in STRINGS:
        return {"string"}, False
    if field in NULLABLE_BOOLEANS:
        return {"boolean", "null"}, False
    if field in BOOLEANS:
        return {"boolean"}, False
    if field in INTEGERS:
        return {"integer"}, False
    if field in NULLABLE_INTEGERS:
        return {"integer", "null"}, False
    return {"string", "null", "boolean", "integer", "number", "array", "object"}, False


def validate_patron_body(body: Any) -> list[dict[str, str]]:
    """JSON::Validator-style errors for a POST/PUT body; empty when the body is valid."""
    if not isinstance(body, dict):
        return [{"message": f"Expected object - got {_type_name(body)}.", "path": "/body"}]
    errors: list[dict[str, str]] = []
    unknown = sorted(k for k in body if k not in (*WRITABLE, *READ_ONLY, *IGNORED))
    if unknown:
        errors.append(
            {"message": f"Properties not allowed: {', '.join(unknown)}.", "path": "/body"}
        )
    for field in REQUIRED:
        if field not in body:
            errors.append({"message": "Missing property.", "path": f"/body/{field}"})
    for field, value in body.items():
        if field in unknown:
            continue
        if field in READ_ONLY:
            errors.append({"message": "Read-only.", "path": f"/body/{field}"})
            continue
        allowed, is_date = _expected(field)
        got = _type_name(value)
        if got not in allowed and not (got == "integer" and "number" in allowed):
            want = "/".join(sorted(allowed))
            errors.append({"message": f"Expected {want} - got {got}.", "path": f"/body/{field}"})
        elif is_date and isinstance(value, str) and not DATE_RE.match(value):
            errors.append({"message": "Does not match date format.", "path": f"/body/{field}"})
    return errors
