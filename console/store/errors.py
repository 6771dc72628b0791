"""What the store tells its callers when things go wrong; messages are for people."""


class StoreError(Exception):
    """The store cannot be used as asked (schema too new or too old, bad data...)."""

    exit_code = 1
    """What the CLI exits with: a runtime failure unless a subclass says it was bad input."""


class InvalidStoreUrl(StoreError):
    """The store URL itself is wrong (unparseable, unsupported, or carries a password)."""

    exit_code = 2


class StoreUnavailable(StoreError):
    """The store's server cannot be reached now; retrying later may work."""


class StoreBusy(StoreUnavailable):
    """The store was reached, but another transaction held what this one needed (a lock
    still held when the wait ran out, a conflicting serializable transaction, a deadlock).
    Nothing of this transaction was written; trying again in a moment may work.

    A kind of :class:`StoreUnavailable` ("retrying later may work"): whoever retries,
    backs off or works offline when the store cannot be reached does the same when it is
    busy, as they did before busy errors had a name of their own."""


class StoreLoginFailed(StoreError):
    """The server refused the credentials (no password saved, or a wrong one)."""
