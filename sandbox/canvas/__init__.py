"""Canvas LMS emulator (REST API v1, SIS Imports, throttling) for the Atrium sandbox."""

from sandbox.canvas.app import create_app

__all__ = ["create_app"]
