"""Use cases over the stores: plain Python, one Session (transaction) per user action."""
