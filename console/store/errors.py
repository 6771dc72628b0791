"""What the store tells its callers when things go wrong; messages are for people."""


class StoreError(Exception):
    """The store cannot be used as asked (bad URL, schema too new or too old, bad data)."""


class StoreUnavailable(StoreError):
    """The store's server cannot be reached now; retrying later may work."""
