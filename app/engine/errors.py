"""Errors the engine raises; the HTTP layer maps each to one status code."""


class QueryError(Exception):
    """A query that cannot be run as sent (400)."""


class QueryForbidden(Exception):
    """A query that asks for something this service does not allow (403)."""


class QueryTimeout(Exception):
    """A query that ran past its deadline and was stopped (503)."""


class ServerBusy(Exception):
    """Every query worker is busy (503 with Retry-After)."""


class QueryTooLarge(Exception):
    """A query or update text over the configured size (413)."""


class QueryAborted(Exception):
    """A query that stopped its worker (too much memory, or a crash): 503, and the worker replaced."""
