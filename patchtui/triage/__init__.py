"""Rules: statuses, re-scan verification, policy, exceptions and tasks."""
