"""HEAD wherever GET works (RFC 9110), documented once.

One route serving both methods makes two operations with one operationId in the OpenAPI document,
which is then invalid and loses operations in generated clients. `get_and_head` registers the
endpoint twice instead: GET as documented, HEAD left out of the document.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from fastapi import APIRouter

Endpoint = TypeVar("Endpoint", bound=Callable[..., Any])


def get_and_head(router: APIRouter, path: str, **options: Any) -> Callable[[Endpoint], Endpoint]:
    """A decorator: serve `path` by GET (documented with `options`) and by HEAD (not documented)."""

    def register(endpoint: Endpoint) -> Endpoint:
        router.add_api_route(path, endpoint, methods=["GET"], **options)
        router.add_api_route(path, endpoint, methods=["HEAD"], **{**options, "include_in_schema": False})
        return endpoint

    return register
