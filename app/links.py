"""Which URLs a page may make a live link of: the one rule every HTML writer follows (Linked Data
pages, canned answers as HTML), so curated data can never put script into a page."""

from __future__ import annotations

from urllib.parse import urlsplit

LINKABLE_SCHEMES = ("http", "https")


def linkable(url: str | None) -> str | None:
    """`url` if a page may make a live link of it: a path or fragment on this server, or an http(s)
    URL; otherwise None. A curated IRI such as `javascript:...` or `data:...` is shown as text,
    never linked (a careless or hostile curated file must not put script into our pages)."""
    if not url:
        return None
    if url.startswith(("/", "#", "?")) and not url.startswith("//"):
        return url
    parts = urlsplit(url)
    return url if parts.scheme.lower() in LINKABLE_SCHEMES and parts.netloc else None
