"""SHACL validation of the curated graph, reported per violation with the file that holds it."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

import pyshacl
import rdflib
from pydantic import BaseModel
from rdflib.namespace import SH, NamespaceManager

from app.graph import sparql_shapes
from app.graph.sources import SourceFile, Sources, load_sources


class Violation(BaseModel):
    """One SHACL result, in terms a curator can act on."""

    focus: str
    path: str | None
    message: str
    severity: str
    value: str | None = None
    file: str | None = None

    def describe(self) -> str:
        where = self.file or "(no file)"
        path = f" {self.path}" if self.path else ""
        value = f" (value: {self.value})" if self.value else ""
        return f"{where}: {self.severity}: <{self.focus}>{path}: {self.message}{value}"


class ValidationReport(BaseModel):
    conforms: bool
    violations: list[Violation]

    def describe(self) -> str:
        if self.conforms:
            return "The curated graph conforms to the shapes."
        lines = [v.describe() for v in self.violations]
        return "\n".join([f"{len(lines)} SHACL violation(s):", *lines])


def merge(files: Iterable[SourceFile]) -> rdflib.Graph:
    """The given parsed files merged into one rdflib graph."""
    merged = rdflib.Graph()
    for source in files:
        merged += source.graph
    return merged


def validate(sources: Sources) -> ValidationReport:
    """Validate the union of the data files against the shapes, the ontology giving subclasses.

    pySHACL checks the core shapes; the SPARQL-based ones run on Oxigraph (see sparql_shapes)."""
    data = merge(sources.data)
    core, sparql_based = sparql_shapes.split(merge(sources.shapes))
    conforms, results, _ = pyshacl.validate(
        data,
        shacl_graph=core,
        ont_graph=merge(sources.ontology),
        advanced=True,
        allow_warnings=True,
    )
    violations = [
        _violation(results, result, focus, sources, data.namespace_manager)
        for result, focus in results.subject_objects(SH.focusNode)
    ]
    store = sparql_shapes.data_store((s.content, s.path.as_uri()) for s in sources.data)
    for finding in sparql_shapes.check(store, sparql_based):
        violations.append(_finding(finding, sources, data.namespace_manager))
        conforms = conforms and finding.severity != str(SH.Violation)
    violations.sort(key=lambda v: (v.file or "", v.focus, v.path or "", v.message))
    return ValidationReport(conforms=bool(conforms), violations=violations)


def _finding(finding: sparql_shapes.Finding, sources: Sources, names: NamespaceManager) -> Violation:
    return Violation(
        focus=finding.focus,
        path=rdflib.URIRef(finding.path).n3(names) if finding.path else None,
        message=finding.message,
        severity=finding.severity.rsplit("#", 1)[-1],
        value=finding.value,
        file=sources.file_of(rdflib.URIRef(finding.focus)),
    )


def _text(node: rdflib.term.Node | None) -> str | None:
    return None if node is None else str(node)


def _violation(
    results: rdflib.Graph,
    result: rdflib.term.Node,
    focus: rdflib.term.Node,
    sources: Sources,
    names: NamespaceManager,
) -> Violation:
    path = results.value(result, SH.resultPath)
    severity = results.value(result, SH.resultSeverity)
    messages = sorted(str(m) for m in results.objects(result, SH.resultMessage))
    return Violation(
        focus=str(focus),
        path=path.n3(names) if isinstance(path, rdflib.URIRef) else _text(path),
        message="; ".join(messages) or "constraint violated",
        severity=str(severity).rsplit("#", 1)[-1] if severity else "Violation",
        value=_text(results.value(result, SH.value)),
        file=sources.file_of(focus),
    )


def validate_tree(root: Path) -> ValidationReport:
    """Parse and validate the files under `root` (ontology/, graph/, shapes/)."""
    return validate(load_sources(root))
