"""Liveness and what is being served."""

from fastapi import APIRouter, Request
from pydantic import BaseModel

from app import __version__
from app.reload import ReloadStatus

router = APIRouter(tags=["meta"])


class Health(BaseModel):
    status: str
    version: str
    data_version: str
    triples: int
    files: int
    workers_idle: int | None = None
    reload: ReloadStatus | None = None


@router.get("/health", response_model=Health, summary="Liveness, data version, size and last reload")
def health(request: Request) -> Health:
    state = request.app.state
    dataset = state.dataset
    reloader = getattr(state, "reloader", None)
    engine = state.service.engine if hasattr(state, "service") else None
    return Health(
        status="ok" if reloader is None or reloader.status is None or reloader.status.ok else "degraded",
        version=__version__,
        data_version=dataset.version,
        triples=dataset.triples,
        files=len(dataset.files),
        workers_idle=getattr(engine, "idle", None),
        reload=reloader.status if reloader else None,
    )
