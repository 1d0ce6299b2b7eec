"""Reload the curated files without downtime: validate the new graph aside, then swap it in.

The new data version is built whole as a snapshot (app.snapshot) and published by one assignment;
each request took the snapshot current when it arrived, so each answer comes from the old graph or
the new one, never a mix. An invalid new graph changes nothing: the server keeps serving the previous
one and /health says the reload failed and why.
"""

from __future__ import annotations

import logging
import threading
from datetime import UTC, datetime

from fastapi import FastAPI
from pydantic import BaseModel

from app import heap
from app.canned.catalogue import load_catalogue, queries_dir
from app.canned.errors import CatalogueError
from app.graph.build import InvalidData, build_dataset
from app.graph.sources import TurtleSyntaxError, version_of
from app.linkeddata.annex import for_build as annex_for_build
from app.settings import Settings
from app.snapshot import Snapshot, build_snapshot

log = logging.getLogger(__name__)


class ReloadStatus(BaseModel):
    """The outcome of the last reload attempt, as /health and POST /admin/reload report it."""

    ok: bool
    at: str
    data_version: str
    changed: bool = False
    error: str | None = None


class Reloader:
    def __init__(self, app: FastAPI, settings: Settings) -> None:
        self.app, self.settings = app, settings
        self._lock = threading.Lock()
        self.status: ReloadStatus | None = None
        self._watching = threading.Event()

    def reload(self) -> ReloadStatus:
        """Validate and load the files now; swap them in if they are valid and new."""
        with self._lock:
            serving: Snapshot = self.app.state.snapshot
            now = datetime.now(UTC).isoformat(timespec="seconds")
            try:
                dataset = build_dataset(self.settings, annex_for_build(self.settings))
                catalogue = load_catalogue(queries_dir(self.settings))
            except InvalidData as error:
                return self._failed(now, serving.version, error.report.describe())
            except (TurtleSyntaxError, CatalogueError, FileNotFoundError, ValueError, OSError) as error:
                return self._failed(now, serving.version, str(error))
            if dataset.version == serving.version:
                self.status = ReloadStatus(ok=True, at=now, data_version=dataset.version)
                return self.status
            with serving.service.handing_over():  # no write may land between adoption and swap
                self.app.state.snapshot = build_snapshot(self.settings, dataset, catalogue, serving)
            serving.retire(grace=self.settings.query_timeout + 1)
            log.info("reloaded: now serving data version %s", dataset.version)
            self.status = ReloadStatus(ok=True, at=now, data_version=dataset.version, changed=True)
            heap.settle()
            return self.status

    def _failed(self, now: str, version: str, why: str) -> ReloadStatus:
        log.error("reload failed; still serving data version %s:\n%s", version, why)
        self.status = ReloadStatus(ok=False, at=now, data_version=version, error=why)
        return self.status

    def watch(self, interval: float) -> None:
        """Poll the files' version every `interval` seconds and reload when it changes."""

        def loop() -> None:
            seen = version_of(self.settings.root)
            while not self._watching.wait(interval):
                try:
                    current = version_of(self.settings.root)
                except OSError:
                    continue
                if current != seen:
                    seen = current
                    self.reload()

        threading.Thread(target=loop, daemon=True, name="cmskg-watch").start()

    def stop(self) -> None:
        self._watching.set()
