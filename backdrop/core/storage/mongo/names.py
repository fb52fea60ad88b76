"""What MongoDB can be asked about: text BSON can encode, and the names a data set can have.

A lookup by anything else (a name with a NUL or a lone surrogate, the registry's own
collections) finds nothing, as on every engine, instead of failing in the driver; a write of
it is refused (ValueNotStorable).
"""

from __future__ import annotations

from backdrop.core.encoding import has_utf8

_INTERNAL_PREFIXES = ("backdrop.", "system.")

# BSON holds UTF-8: text with a lone surrogate cannot be sent.
encodable = has_utf8


def collection_name(name: str) -> bool:
    """MongoDB can name a collection so: not empty, no NUL or `$`, UTF-8."""
    return bool(name) and "\0" not in name and "$" not in name and encodable(name)


def data_set_name(name: str) -> bool:
    """A data set can have this name: a collection name outside the engine's own collections
    (`backdrop.*`: registry, versions, outbox) and MongoDB's (`system.*`)."""
    return collection_name(name) and not name.startswith(_INTERNAL_PREFIXES)
