"""What the web page needs, built once per server: label look-ups, the forms, the page settings.

Also the small JSON answers behind the page's widgets (label completion, the network, a canned
query's SPARQL with its values bound), so the router stays a list of routes.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from app.canned.citation import Citations
from app.canned.examples import EXAMPLES
from app.canned.kinds import KINDS
from app.canned.runner import Runner
from app.engine.service import QueryService
from app.settings import Settings
from app.web.forms import QueryForm, build_forms
from app.web.label_lookup import LabelLookup
from app.web.network import ADMINISTRATION, ARRANGEMENT, MEMBERSHIP, NetworkFilter, build_network

RELATIONS = (ARRANGEMENT, MEMBERSHIP, ADMINISTRATION)


class UnknownKind(ValueError):
    """A label look-up for a kind the catalogue does not know (400)."""


@dataclass
class WebSite:
    settings: Settings
    labels: LabelLookup
    forms: list[QueryForm]
    runner: Runner
    citations: Citations | None = None
    countries: dict[str, dict[str, str]] = field(default_factory=dict)  # place IRI -> ISO codes

    @classmethod
    def build(
        cls,
        settings: Settings,
        runner: Runner,
        citations: Citations | None = None,
        countries: dict[str, dict[str, str]] | None = None,
    ) -> WebSite:
        labels = LabelLookup.sharing(runner.index)
        forms = build_forms(runner.catalogue, labels)
        return cls(settings, labels, forms, runner, citations, countries or {})

    def page_config(self) -> dict[str, Any]:
        """Settings the page's scripts read from the page itself (no extra request at start)."""
        return {
            "base": self.settings.base_iri,
            "endpoint": "/sparql",
            "queries": {
                form.name: {
                    "title": form.title,
                    "columns": form.columns,
                    "detail_columns": form.detail_columns,
                    "example": form.example,
                    "views": form.views,  # the views that fit its answer, the default first
                    # a value at its default is left out of a download's name (app.canned.naming)
                    "defaults": {f.name: f.default for f in form.fields if f.default is not None},
                }
                for form in self.forms
            },
            "examples": [{"title": e.title, "sparql": e.sparql} for e in EXAMPLES],
            # part numbers as the answers' paragraphs cells hold them, to link and cite each one
            "parts": self.citations.numbered() if self.citations else {},
            # the country of each place, so the map view can draw the places an answer names
            "countries": self.countries,
        }

    def page_config_json(self) -> str:
        """The config as JSON that is safe inside a <script> element."""
        text = json.dumps(self.page_config(), ensure_ascii=False)
        return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")

    def suggest(self, kind: str, text: str, limit: int) -> list[dict[str, str]]:
        if kind not in KINDS:
            raise UnknownKind(f"unknown kind {kind!r} (known: {', '.join(KINDS)})")
        return [option.as_json() for option in self.labels.suggest(kind, text, limit)]

    def network(
        self,
        service: QueryService,
        subject: str | None,
        arrangement_type: str | None,
        relations: list[str],
    ) -> dict[str, Any]:
        """Resolve the filters like a canned query would (LabelNotFound gives 404 with close
        labels), then build the network in the worker pool."""
        subject_iri = type_iri = None
        reported: dict[str, Any] = {}
        if subject and subject.strip():
            match = self.runner.index.resolve("subject", KINDS["subject"], subject.strip())[0]
            subject_iri = match.iri
            reported["subject"] = {"value": subject, "iri": match.iri, "label": match.label}
        if arrangement_type and arrangement_type.strip():
            match = self.runner.index.resolve("type", KINDS["arrangement-type"], arrangement_type.strip())[0]
            type_iri = match.iri
            reported["type"] = {"value": arrangement_type, "iri": match.iri, "label": match.label}
        wanted = NetworkFilter(subject_iri, type_iri, frozenset(r for r in relations if r in RELATIONS))
        network = build_network(service, self.labels, wanted)
        network["filters"] = reported
        return network

