"""SHACL validation of the curated graph, reported per violation with the file that holds it."""

from __future__ import annotations

import logging
from collections.abc import Iterable, Iterator
from pathlib import Path

import rdflib
from pydantic import BaseModel
from rdflib.namespace import SH, NamespaceManager

from app.graph import core_shapes, sparql_shapes
from app.graph.shape_data import ShapeData
from app.graph.sources import SourceFile, Sources, load_sources

log = logging.getLogger(__name__)


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


def validate(sources: Sources, data: ShapeData | None = None) -> ValidationReport:
    """Validate the union of the data files against the shapes, the ontology giving subclasses.

    Both kinds of shape run on Oxigraph: the core shapes compiled to SPARQL (core_shapes), the
    SPARQL-based ones as written (sparql_shapes). A core shape the compiler does not translate
    sends the core shapes to pySHACL instead, which gives the same results slower. `data` is the
    store that will serve the files, loaded and not yet serving (app.graph.store.fill); without
    it the files are loaded into a store of their own."""
    core, sparql_based = sparql_shapes.split(merge(sources.shapes))
    if data is None:
        data = ShapeData.load((s.content, s.path.as_uri(), s.name) for s in sources.data)
    try:
        findings = core_shapes.check(data, core)
    except core_shapes.Unsupported as why:
        log.warning("core shapes checked by pySHACL: %s", why)
        findings = list(pyshacl_findings(sources, core))
    findings += sparql_shapes.check(data, sparql_based)
    names = rdflib.Graph().namespace_manager
    violations = sorted(
        # a triple in two files is two rows of the union the checks read: one violation
        (_violation(finding, data, names) for finding in set(findings)),
        key=lambda v: (v.file or "", v.focus, v.path or "", v.message),
    )
    conforms = all(finding.severity != str(SH.Violation) for finding in findings)
    return ValidationReport(conforms=conforms, violations=violations)


def pyshacl_findings(sources: Sources, core: rdflib.Graph) -> Iterator[sparql_shapes.Finding]:
    """The core shapes checked by pySHACL, with the ontology mixed into the data as it reads it."""
    import pyshacl  # here, not at start-up: only a shape the compiler does not translate needs it

    _, results, _ = pyshacl.validate(
        merge(sources.data),
        shacl_graph=core,
        ont_graph=merge(sources.ontology),
        advanced=True,
        allow_warnings=True,
    )
    for result, focus in results.subject_objects(SH.focusNode):
        path = results.value(result, SH.resultPath)
        severity = results.value(result, SH.resultSeverity)
        messages = sorted(str(m) for m in results.objects(result, SH.resultMessage))
        yield sparql_shapes.Finding(
            focus=str(_name(focus)),
            path=str(path) if isinstance(path, rdflib.URIRef) else None,
            value=_name(results.value(result, SH.value)),
            message="; ".join(messages) or "constraint violated",
            severity=str(severity or SH.Violation),
            component=str(results.value(result, SH.sourceConstraintComponent)),
        )


def _violation(finding: sparql_shapes.Finding, data: ShapeData, names: NamespaceManager) -> Violation:
    return Violation(
        focus=finding.focus,
        path=rdflib.URIRef(finding.path).n3(names) if finding.path else None,
        message=finding.message,
        severity=finding.severity.rsplit("#", 1)[-1],
        value=finding.value,
        file=data.file_of(finding.focus),
    )


def _name(node: rdflib.term.Node | None) -> str | None:
    """A node as core_shapes names it: an IRI or lexical form as it is, a blank node as _:id."""
    if node is None:
        return None
    return f"_:{node}" if isinstance(node, rdflib.BNode) else str(node)


def validate_tree(root: Path) -> ValidationReport:
    """Parse and validate the files under `root` (ontology/, graph/, shapes/)."""
    return validate(load_sources(root))
