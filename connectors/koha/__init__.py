"""Koha ILS connector (REST API v1)."""

from connectors.koha.client import KohaClient
from connectors.koha.models import Patron, PatronWrite, Restriction, RestrictionCreate
from connectors.koha.probe import koha_probe

__all__ = [
    "KohaClient",
    "Patron",
    "PatronWrite",
    "Restriction",
    "RestrictionCreate",
    "koha_probe",
]
