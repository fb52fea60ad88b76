"""The transform outbox in tests."""

from __future__ import annotations

from backdrop.core.storage.base import Storage


def empty_outbox(storage: Storage) -> None:
    """Forget every dispatch that can be claimed now, so a test counts only its own."""
    while claimed := storage.claim_dispatches(100, 60):
        for dispatch in claimed:
            storage.finish_dispatch(dispatch.id)
