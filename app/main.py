"""create_app(settings) -> FastAPI: builds the dataset (unless given one) and wires the routers.

The data-dependent pieces live in one snapshot (app.snapshot), built when the app starts serving
and replaced whole by a reload; the routers read it per request (app.routes.versioned).
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware

from app import __version__
from app.canned.catalogue import load_catalogue, queries_dir
from app.graph.build import Dataset, build_dataset
from app.http_protocol import LongUrlAnswer
from app.linkeddata.annex import for_build as annex_for_build
from app.public_origin import PublicOrigin
from app.reload import Reloader
from app.routes import admin, docs, errors, federation, meta, queries, resources, sparql, store, web
from app.routes.versioned import TakeSnapshot
from app.security_headers import SecurityHeaders
from app.settings import Settings
from app.snapshot import build_snapshot


def create_app(settings: Settings | None = None, dataset: Dataset | None = None) -> FastAPI:
    settings = settings or Settings()
    dataset = dataset or build_dataset(settings, annex_for_build(settings))
    catalogue = load_catalogue(queries_dir(settings))  # a broken file stops us here, named

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        app.state.snapshot = build_snapshot(settings, dataset, catalogue)
        app.state.reloader = Reloader(app, settings)
        if settings.watch:
            app.state.reloader.watch(settings.watch_interval)
        try:
            yield
        finally:
            app.state.reloader.stop()
            app.state.snapshot.close()

    app = FastAPI(
        title="CMS Synergies Knowledge Graph",
        version=__version__,
        description="SPARQL 1.1 endpoint and API over the knowledge graph of the CMS Family's "
        "synergies and partnerships (UNEP/CMS/COP11/Doc.21.1).",
        lifespan=lifespan,
        docs_url=None,  # our own /docs, from the vendored Swagger UI (app/routes/docs.py)
        redoc_url=None,
    )
    app.state.settings = settings
    app.add_middleware(
        CORSMiddleware,
        allow_origins=settings.cors_origins,
        allow_credentials=False,
        allow_methods=["GET", "POST", "PUT", "DELETE", "OPTIONS"],
        allow_headers=["*"],
        expose_headers=[
            "ETag",
            "X-Result-Count",
            "X-Result-Capped",
            "X-Federation-Skipped",
            "X-Federation-Capped",
            "Retry-After",
            "X-Data-Version",
        ],
    )
    app.add_middleware(TakeSnapshot)
    app.add_middleware(SecurityHeaders)
    app.add_middleware(LongUrlAnswer)
    app.add_middleware(PublicOrigin, public_base=settings.public_base)  # outermost: before routing
    errors.install(app)
    app.include_router(sparql.router)
    app.include_router(store.router)
    app.include_router(federation.router)
    app.include_router(meta.router)
    app.include_router(admin.router)
    app.include_router(docs.install(app.title))
    queries.install(app, settings, catalogue)  # canned queries: /api/queries
    resources.install(app, settings)  # Linked Data: /id/, /ontology, /void, /dumps/, /static
    web.install(app)  # the analyst's page at / and its JSON helpers under /web/
    return app
