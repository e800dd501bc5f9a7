"""Reads shaped for a caller, by subject: catalog, jobs, dashboard (import from those modules)."""
