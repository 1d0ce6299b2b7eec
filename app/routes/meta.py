"""Liveness and what is being served."""

from fastapi import APIRouter, Request
from pydantic import BaseModel

from app import __version__

router = APIRouter(tags=["meta"])


class Health(BaseModel):
    status: str
    version: str
    data_version: str
    triples: int
    files: int


@router.get("/health", response_model=Health, summary="Liveness, data version and size")
def health(request: Request) -> Health:
    dataset = request.app.state.dataset
    return Health(
        status="ok",
        version=__version__,
        data_version=dataset.version,
        triples=dataset.triples,
        files=len(dataset.files),
    )
