"""The bearer tokens the test harness configures, in one place: the apps' settings use them and
tests send or look for them."""

from __future__ import annotations

ADMIN_TOKEN = "dev-create-endpoint-token"
"""`STAGECRAFT_COLLECTION_ENDPOINT_TOKEN`: the admin routes' token."""

SIGNON_TOKEN = "signon-token"
"""`SIGNON_API_USER_TOKEN`: what the read and write apps send to Stagecraft."""

WORKER_TOKEN = "worker-oauth-token"
"""`STAGECRAFT_OAUTH_TOKEN`: what a transform worker sends to Stagecraft."""
