"""create_app(settings) -> FastAPI: builds the dataset (unless given one) and wires the routers."""

from __future__ import annotations

from fastapi import FastAPI

from app import __version__
from app.engine.embedded import EmbeddedEngine
from app.graph.build import Dataset, build_dataset
from app.routes import meta, sparql
from app.settings import Settings


def create_app(settings: Settings | None = None, dataset: Dataset | None = None) -> FastAPI:
    settings = settings or Settings()
    dataset = dataset or build_dataset(settings)
    app = FastAPI(
        title="CMS Synergies Knowledge Graph",
        version=__version__,
        description="SPARQL 1.1 endpoint and API over the knowledge graph of the CMS Family's "
        "synergies and partnerships (UNEP/CMS/COP11/Doc.21.1).",
    )
    app.state.settings = settings
    app.state.dataset = dataset
    app.state.engine = EmbeddedEngine(dataset.store)
    app.include_router(sparql.router)
    app.include_router(meta.router)
    return app
