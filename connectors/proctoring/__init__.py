"""Proctoring platform connector: typed client, and the header its webhooks are signed in."""

from connectors.proctoring.client import ProctoringClient
from connectors.proctoring.signature import SIGNATURE_HEADER

__all__ = ["SIGNATURE_HEADER", "ProctoringClient"]
