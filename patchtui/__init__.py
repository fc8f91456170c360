"""patchtui: triage scanner findings and track patch work in a local SQLite record."""

__version__ = "0.1.0"
