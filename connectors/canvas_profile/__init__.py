"""A tiny Canvas client for profile updates (until connectors/canvas exposes user updates)."""
