"""Emulators of the systems a school owns (SIS, LMS, library, ...), served by `atrium sandbox`.

Each system lives in its own sub-package exposing ``create_app(ctx) -> FastAPI`` and is mounted
under its own prefix (``/oneroster``, ``/canvas``, ``/moodle``, ...), so a connection's base URL is
for example ``http://127.0.0.1:8100/canvas`` exactly as a real one would be
``https://school.instructure.com``.
"""
