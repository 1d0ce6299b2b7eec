"""Liveness and what is being served."""

from fastapi import APIRouter, Request
from pydantic import BaseModel, Field

from app import __version__
from app.engine.pool import PoolStatus
from app.reload import Reloader, ReloadStatus
from app.routes.versioned import snapshot

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
    fast_lane: Workers | None = Field(None, description="The workers kept for lookups.")
    reload: ReloadStatus | None = None


def _workers(status: PoolStatus | None) -> Workers | None:
    """A worker pool's state, or None (the remote backend has none; the fast lane may be off)."""
    if status is None:
        return None
    return Workers(
        size=status.size,
        idle=status.idle,
        busy=status.busy,
        starting=status.starting,
        confined=status.confinement is None,
        confinement=status.confinement,
        last_failure=status.last_failure,
    )


@router.get("/health", response_model=Health, summary="Liveness, data version, size and last reload")
def health(request: Request) -> Health:
    taken = snapshot(request)
    dataset, service = taken.dataset, taken.service
    reloader: Reloader | None = getattr(request.app.state, "reloader", None)
    workers = _workers(service.engine.status())
    lane = _workers(service.lane.pool.status() if service.lane is not None else None)
    short = any(w is not None and w.starting > 0 for w in (workers, lane))
    reload_ok = reloader is None or reloader.status is None or reloader.status.ok
    return Health(
        status="ok" if reload_ok and not short else "degraded",
        version=__version__,
        data_version=dataset.version,
        triples=dataset.triples,
        files=len(dataset.files),
        workers_idle=workers.idle if workers else None,
        workers=workers,
        fast_lane=lane,
        reload=reloader.status if reloader else None,
    )
