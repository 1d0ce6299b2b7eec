"""Operations on the running server: reload the curated files (update token required)."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse

from app.routes.protocol import check_token

router = APIRouter(tags=["admin"])


@router.post(
    "/admin/reload",
    summary="Validate and load the curated files now (Authorization: Bearer <update token>)",
    responses={200: {"description": "reloaded, or unchanged"}, 422: {"description": "invalid: not loaded"}},
)
async def reload(request: Request) -> JSONResponse:
    check_token(request)
    status = await run_in_threadpool(request.app.state.reloader.reload)
    return JSONResponse(status.model_dump(), status_code=200 if status.ok else 422)
