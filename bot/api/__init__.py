"""The lender-facing JSON API under /api/v1 (bearer token)."""
