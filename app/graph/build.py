"""The one pipeline from files to a servable dataset: parse, validate, load. Nothing invalid passes."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path

from pyoxigraph import Store

from app.graph import store as stores
from app.graph.sources import Sources, data_files, load_sources, version_of
from app.graph.validation import ValidationReport, validate
from app.settings import Settings

log = logging.getLogger(__name__)


class InvalidData(Exception):
    """The curated files do not conform to the shapes; carries the report."""

    def __init__(self, report: ValidationReport) -> None:
        self.report = report
        super().__init__(report.describe())


@dataclass(frozen=True)
class Dataset:
    """A validated, loaded graph: the store, its data version and where it lives on disk."""

    store: Store
    version: str
    triples: int
    files: tuple[str, ...]
    store_path: Path | None = None


def build_dataset(settings: Settings) -> Dataset:
    """Parse and validate the curated files, then load them into the store the settings ask for.

    An on-disk store whose current build already has this data version is reused as it is.
    """
    if settings.store is not None:
        version = version_of(settings.root)
        if stores.current_version(settings.store) == version:
            return _open_current(settings, version)
    sources = load_sources(settings.root)
    report = validate(sources)
    if not report.conforms:
        raise InvalidData(report)
    return load_dataset(sources, settings)


def load_dataset(sources: Sources, settings: Settings) -> Dataset:
    if settings.store is None:
        store = stores.in_memory(sources, settings.base_iri)
        path = None
    else:
        path = stores.on_disk(sources, settings.base_iri, settings.store)
        store = stores.open_read_only(path)
    triples = stores.triple_count(store)
    log.info("serving %d quads, data version %s", triples, sources.version)
    return Dataset(
        store=store,
        version=sources.version,
        triples=triples,
        files=tuple(s.name for s in sources.data),
        store_path=path,
    )


def _open_current(settings: Settings, version: str) -> Dataset:
    """Reuse the on-disk build of this data version: it was validated before it was built."""
    assert settings.store is not None
    path = stores.version_dir(settings.store, version)
    store = stores.open_read_only(path)
    root = settings.root.resolve()
    files = tuple(p.relative_to(root).as_posix() for p in data_files(root))
    log.info("reusing store %s at data version %s", path, version)
    return Dataset(
        store=store, version=version, triples=stores.triple_count(store), files=files, store_path=path
    )
