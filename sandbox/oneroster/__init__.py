"""OneRoster 1.2 SIS emulator (rostering, gradebook, CSV export). See ``app.py`` for routes."""

from sandbox.oneroster.app import create_app

__all__ = ["create_app"]
