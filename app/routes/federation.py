"""The federation gateway: our query workers reach partner endpoints only through here."""

from __future__ import annotations

import hmac

from fastapi import APIRouter, Request, Response

from app.routes.protocol import read_body
from app.routes.versioned import snapshot

router = APIRouter(include_in_schema=False)
LOOPBACK = {"127.0.0.1", "::1"}


@router.post("/_federation/{secret}/{ticket}/{index}")
async def forward(secret: str, ticket: str, index: int, request: Request) -> Response:
    gateway = snapshot(request).service.gateway
    client = request.client.host if request.client else ""
    if client not in LOOPBACK or not hmac.compare_digest(secret, gateway.secret):
        return Response("not found\n", status_code=404, media_type="text/plain")
    body = await read_body(request, request.app.state.settings.max_query_bytes * 4)
    status, payload, media_type = await gateway.forward(
        ticket, index, body, request.headers.get("content-type", "")
    )
    # One call per connection: a worker's relay carries exactly one request to us (app.engine.egress).
    return Response(payload, status_code=status, media_type=media_type, headers={"Connection": "close"})
