"""GDPR across a school's systems: subject-access exports, erasure, tombstones and the retention
of Atrium's own data. Workflows in workflows/subject_access.py, workflows/erasure.py and
workflows/retention_purge.py; activities in activities/privacy*.py; routes in
api/routes/privacy.py."""
