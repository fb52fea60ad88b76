"""The write app: bearer-token authenticated record writes (spec 1.2, 3)."""
