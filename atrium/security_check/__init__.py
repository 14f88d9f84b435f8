"""The security assessment of a deployment (``atrium security check``, GET
/api/v1/security/findings): one module per kind of finding, each reading the store, Vault's
metadata or the settings and saying, for each finding, how to fix it."""

from __future__ import annotations

from atrium.security_check.assess import assess
from atrium.security_check.finding import SEVERITIES, Context, Finding

__all__ = ["SEVERITIES", "Context", "Finding", "assess"]
