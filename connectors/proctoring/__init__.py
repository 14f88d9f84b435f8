"""Proctoring platform connector: typed client and webhook signature verification."""

from connectors.proctoring.client import ProctoringClient
from connectors.proctoring.signature import SIGNATURE_HEADER, InvalidSignature, verify_signature

__all__ = ["SIGNATURE_HEADER", "InvalidSignature", "ProctoringClient", "verify_signature"]
