"""One data version, whole: everything a request reads that depends on the curated data.

A snapshot is built by one function (`build_snapshot`), published by one assignment
(`app.state.snapshot = ...`) and taken once per request (`app.routes.versioned`), so a request
that reads the canned runner, the query service, the Linked Data site and the web page's labels
reads them all from the same version, even while a reload swaps in the next one. Nothing in it is
replaced after it is built; the data version it answers from is `snapshot.version`.
"""

from __future__ import annotations

from dataclasses import dataclass

from app.canned import label_index
from app.canned.catalogue import Catalogue
from app.canned.citation import Citations
from app.canned.label_index import LabelIndex
from app.canned.runner import Runner
from app.engine.service import QueryService
from app.graph.build import Dataset
from app.linkeddata.annex import ensure as ensure_annex
from app.linkeddata.site import LinkedDataSite
from app.settings import Settings
from app.web.places import countries_of
from app.web.site import WebSite


@dataclass(frozen=True)
class Snapshot:
    """The dataset and the pieces built from it: label index, canned runner, what canned answers
    are cited with (document parts, release date), query service (its worker processes), Linked
    Data site and web page."""

    dataset: Dataset
    labels: LabelIndex
    canned: Runner
    citations: Citations
    service: QueryService
    linked_data: LinkedDataSite
    web: WebSite

    @property
    def version(self) -> str:
        """The data version every answer from this snapshot names (`X-Data-Version`)."""
        return self.dataset.version

    def close(self) -> None:
        self.service.close()

    def retire(self, grace: float) -> None:
        """Close once requests that took this snapshot have had `grace` seconds to finish."""
        self.service.retire(grace)


def build_snapshot(
    settings: Settings, dataset: Dataset, catalogue: Catalogue, previous: Snapshot | None = None
) -> Snapshot:
    """Index the labels, add the annex graphs (SPARQL examples, VoID) to an in-memory store, start
    the query service (carrying over the writable graphs of the snapshot it replaces) and build the
    Linked Data site and the web page on the same data.

    The workers' store host starts loading the data first and gets the annex graphs once they are
    computed: on two cores its load (10 s at 10^6 triples) and the annex overlap."""
    host = QueryService.begin_store_host(settings, dataset)
    try:
        labels = label_index.cached(dataset.store, dataset.store_path)
        runner = Runner(catalogue, labels)
        citations = Citations.from_store(dataset.store)
        added = ensure_annex(settings, dataset.store, dataset.version, dataset.store_path is None, runner)
        if host is not None:
            host.add(added)
        gateway = previous.service.gateway if previous else None
        service = QueryService(settings, dataset, gateway, host)
    except BaseException:
        if host is not None:
            host.close()
        raise
    if previous is not None:
        service.adopt_user_graphs(previous.service)
    return Snapshot(
        dataset=dataset,
        labels=labels,
        canned=runner,
        citations=citations,
        service=service,
        linked_data=LinkedDataSite(settings, dataset),
        web=WebSite.build(settings, runner, citations, countries_of(dataset.store)),
    )
