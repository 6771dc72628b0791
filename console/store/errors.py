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


class StoreLoginFailed(StoreError):
    """The server refused the credentials (no password saved, or a wrong one)."""
