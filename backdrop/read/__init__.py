"""The read app: the public, unauthenticated query API (spec 1.1, 2)."""
