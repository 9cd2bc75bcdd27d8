"""Reads the API and the CLI need beyond loading one row: listings, progress, history."""
