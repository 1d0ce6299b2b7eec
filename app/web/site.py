"""What the web page needs, built once per server: label look-ups, the forms, the page settings.

Also the small JSON answers behind the page's widgets (label completion, the network, a canned
query's SPARQL with its values bound), so the router stays a list of routes.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from app.canned.citation import Citations
from app.canned.errors import CannedError
from app.canned.examples import EXAMPLES
from app.canned.kinds import KINDS, ResourceKind
from app.canned.runner import Runner
from app.engine.service import QueryService
from app.namespaces import CMS
from app.settings import Settings
from app.web.forms import QueryForm, build_forms
from app.web.label_lookup import LabelLookup
from app.web.network import BUNDLE, HUB_MODES, RELATIONS, Network, NetworkFilter, build_network

# What the network can be centred on: its nodes. Completion (/web/labels?kind=node) and the focus
# parameter use it; canned queries do not, so it is not in the catalogue's KINDS.
NODE_KIND = ResourceKind(
    "node", "an organisation, standing group or instrument", (CMS + "Organisation", CMS + "Instrument")
)
WEB_KINDS: dict[str, ResourceKind] = {**KINDS, NODE_KIND.name: NODE_KIND}


class UnknownKind(ValueError):
    """A label look-up for a kind the catalogue does not know (400)."""


class BadNetworkRequest(ValueError):
    """A network request naming an edge kind or a way of drawing the hub that does not exist (400);
    `parameter` names the parameter at fault."""

    def __init__(self, parameter: str, message: str) -> None:
        self.parameter = parameter
        super().__init__(message)


@dataclass
class WebSite:
    settings: Settings
    labels: LabelLookup
    forms: list[QueryForm]
    runner: Runner
    citations: Citations | None = None
    countries: dict[str, dict[str, str]] = field(default_factory=dict)  # place IRI -> ISO codes
    _default_focus: str | None = field(default=None, init=False, repr=False)

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
        if kind not in WEB_KINDS:
            raise UnknownKind(f"unknown kind {kind!r} (known: {', '.join(WEB_KINDS)})")
        return [option.as_json() for option in self.labels.suggest_of(WEB_KINDS[kind], text, limit)]

    def labels_of(self, iris: list[str]) -> dict[str, str]:
        """The display label of each IRI the graph labels, by IRI (sorted): read from the label
        index built at start-up, so the caller's text never goes into a query."""
        found = {iri: self.labels.label(iri) for iri in sorted(set(iris))}
        return {iri: label for iri, label in found.items() if label}

    def default_focus(self, service: QueryService) -> str:
        """The label of the node the network is centred on when the page opens: the one with the
        most links (the CMS Secretariat), read once per data version."""
        if self._default_focus is None:
            whole = build_network(service, self.labels, NetworkFilter())
            centre = whole["centre"]
            self._default_focus = self._name_of(centre) if centre else ""
        return self._default_focus

    def _name_of(self, iri: str) -> str:
        """The shortest name that focuses the network on the node: its short name if that names it
        alone, else its label."""
        for name in (self.labels.short(iri), self.labels.label(iri)):
            if name:
                try:
                    if [m.iri for m in self.runner.index.resolve("focus", NODE_KIND, name)] == [iri]:
                        return name
                except CannedError:
                    continue
        return iri

    def network(
        self,
        service: QueryService,
        subject: str | None,
        arrangement_type: str | None,
        relations: list[str],
        focus: str | None = None,
        hub: str = BUNDLE,
    ) -> Network:
        """Resolve the filters like a canned query would (LabelNotFound gives 404 with close
        labels; an unknown edge kind or hub mode, BadNetworkRequest), then build the network in the
        worker pool."""
        unknown = sorted(set(relations) - set(RELATIONS))
        if unknown:
            raise BadNetworkRequest(
                "relations", f"unknown kind of edge {unknown[0]!r} (known: {', '.join(RELATIONS)})"
            )
        if hub not in HUB_MODES:
            raise BadNetworkRequest(
                "hub", f"unknown way to draw the hub {hub!r} (known: {', '.join(HUB_MODES)})"
            )
        subject_iri = type_iri = focus_iri = None
        reported: dict[str, dict[str, str | None]] = {}
        if focus and focus.strip():
            match = self.runner.index.resolve("focus", NODE_KIND, focus.strip())[0]
            focus_iri = match.iri
            reported["focus"] = {"value": focus, "iri": match.iri, "label": match.label}
        if subject and subject.strip():
            match = self.runner.index.resolve("subject", KINDS["subject"], subject.strip())[0]
            subject_iri = match.iri
            reported["subject"] = {"value": subject, "iri": match.iri, "label": match.label}
        if arrangement_type and arrangement_type.strip():
            match = self.runner.index.resolve("type", KINDS["arrangement-type"], arrangement_type.strip())[0]
            type_iri = match.iri
            reported["type"] = {"value": arrangement_type, "iri": match.iri, "label": match.label}
        wanted = NetworkFilter(subject_iri, type_iri, frozenset(relations), focus_iri, hub)
        network = build_network(service, self.labels, wanted)
        network["filters"] = reported
        return network
