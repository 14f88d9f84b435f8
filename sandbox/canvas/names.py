"""How Canvas derives a user's sortable name from the full name ("Ann Lee" -> "Lee, Ann")."""

from __future__ import annotations


def sortable_from(name: str) -> str:
    parts = name.split()
    if "," in name or len(parts) < 2:
        return name
    return f"{parts[-1]}, {' '.join(parts[:-1])}"


def from_parts(first: str, last: str) -> tuple[str, str]:
    """(name, sortable_name) from SIS first/last names."""
    name = f"{first} {last}".strip()
    sortable = f"{last}, {first}" if first and last else name
    return name, sortable
