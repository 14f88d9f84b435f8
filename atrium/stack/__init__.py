"""The embedded stack: real Temporal and OpenBao servers from PyPI packages, no Docker."""
