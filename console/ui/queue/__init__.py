"""The queue screen: the lazy ticket table and its view."""
