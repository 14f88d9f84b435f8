"""Thin, idempotent activities: one external call or one batch each, keyed by the workflow."""
