"""Authentication, authorization, audit and traffic limits for the API (see api/security.py)."""
