"""The thin HTTP layer: starts, queries and signals workflows, reads the store."""
