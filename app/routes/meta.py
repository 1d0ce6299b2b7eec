"""Liveness and what is being served."""

from fastapi import APIRouter, Request
from pydantic import BaseModel, Field

from app import __version__
from app.reload import ReloadStatus

router = APIRouter(tags=["meta"])


class Workers(BaseModel):
    """The query worker pool: `size` configured; `idle` + `busy` alive; `starting` being replaced."""

    size: int
    idle: int
    busy: int
    starting: int
    confined: bool = Field(description="Workers reach nothing but our federation gateway.")
    confinement: str | None = Field(None, description="Why workers are not confined, when they are not.")
    last_failure: str | None = None


class Health(BaseModel):
    status: str = Field(description="ok; degraded after a failed reload or while the pool is short")
    version: str
    data_version: str
    triples: int
    files: int
    workers_idle: int | None = None
    workers: Workers | None = None
    reload: ReloadStatus | None = None


@router.get("/health", response_model=Health, summary="Liveness, data version, size and last reload")
def health(request: Request) -> Health:
    state = request.app.state
    dataset = state.dataset
    reloader = getattr(state, "reloader", None)
    service = getattr(state, "service", None)
    pool = service.engine.status() if service is not None and hasattr(service.engine, "status") else None
    workers = None
    if pool is not None:
        workers = Workers(
            size=pool.size,
            idle=pool.idle,
            busy=pool.busy,
            starting=pool.starting,
            confined=pool.confinement is None,
            confinement=pool.confinement,
            last_failure=pool.last_failure,
        )
    reload_ok = reloader is None or reloader.status is None or reloader.status.ok
    return Health(
        status="ok" if reload_ok and not (pool and pool.short) else "degraded",
        version=__version__,
        data_version=dataset.version,
        triples=dataset.triples,
        files=len(dataset.files),
        workers_idle=pool.idle if pool else None,
        workers=workers,
        reload=reloader.status if reloader else None,
    )
