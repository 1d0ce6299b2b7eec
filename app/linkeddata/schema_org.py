"""The dataset in schema.org terms (a `Dataset` as Google Dataset Search and other crawlers read it),
written from the VoID/DCAT description so the two never disagree: name, description, licence,
creator and publisher, dates, temporal and spatial coverage, keywords, sources, the downloads and
the SPARQL endpoint. Also the FAIR Signposting links of the dataset's landing pages."""

from __future__ import annotations

import json
from typing import Any

from pyoxigraph import NamedNode, Triple

from app.graph.oxigraph import text
from app.linkeddata.iris import IriSpace
from app.linkeddata.void import DEFAULT_LICENCE, Addresses, dump_files
from app.namespaces import DCAT, DCT, FOAF, PROV

SCHEMA = "https://schema.org/"


def _values(triples: list[Triple], subject: str, predicate: str) -> list[str]:
    node = NamedNode(subject)
    return sorted(text(t.object) for t in triples if t.subject == node and t.predicate.value == predicate)


def _one(triples: list[Triple], subject: str, predicate: str) -> str | None:
    found = _values(triples, subject, predicate)
    return found[0] if found else None


def dataset(void: list[Triple], space: IriSpace, where: Addresses) -> dict[str, Any]:
    """The schema.org Dataset of the VoID description `void`."""
    iri = space.base + "void#dataset"
    publisher = _one(void, iri, DCT + "publisher")
    organisation = {
        "@type": "Organization",
        "@id": publisher,
        "name": _one(void, publisher, FOAF + "name") if publisher else None,
    }
    period = _one(void, iri, DCT + "temporal")
    start = _one(void, period, DCAT + "startDate") if period else None
    end = _one(void, period, DCAT + "endDate") if period else None
    downloads = [
        {
            "@type": "DataDownload",
            "name": f"cms-kg.{fmt.extension}" + (".gz" if gz else ""),
            "encodingFormat": "application/gzip" if gz else fmt.media_type,
            "contentUrl": where.dump(f"cms-kg.{fmt.extension}" + (".gz" if gz else "")),
        }
        for fmt, gz in dump_files()
    ]
    found: dict[str, Any] = {
        "@context": SCHEMA,
        "@type": "Dataset",
        "@id": iri,
        "name": _one(void, iri, DCT + "title"),
        "description": _one(void, iri, DCT + "description"),
        "url": where.public,
        "identifier": space.base,
        "sameAs": space.base,
        "license": _one(void, iri, DCT + "license") or DEFAULT_LICENCE,
        "isAccessibleForFree": True,
        "creator": organisation,
        "publisher": organisation,
        "version": _one(void, iri, DCAT + "version"),
        "dateCreated": _one(void, iri, DCT + "issued"),
        "datePublished": _one(void, iri, DCT + "issued"),
        "dateModified": _one(void, iri, DCT + "modified"),
        "keywords": _values(void, iri, DCAT + "keyword"),
        "inLanguage": "en",
        "temporalCoverage": f"{start}/{end}" if start and end else None,
        # The report and the conventions it covers concern the whole world.
        "spatialCoverage": {"@type": "Place", "name": "Worldwide"},
        "isBasedOn": _values(void, iri, PROV + "wasDerivedFrom"),
        "distribution": downloads,
        "measurementTechnique": "Curated by hand from the report, each fact traced to its paragraph",
        "potentialAction": {
            "@type": "SearchAction",
            "name": "Query the graph with SPARQL 1.1",
            "target": {"@type": "EntryPoint", "urlTemplate": where.endpoint + "?query={query}"},
            "query-input": "required name=query",
        },
        "subjectOf": {"@type": "CreativeWork", "url": where.void, "encodingFormat": "text/turtle"},
    }
    return {k: v for k, v in found.items() if v not in (None, [], "")}


def script_json(markup: dict[str, Any]) -> str:
    """JSON that is safe inside a <script type="application/ld+json"> element."""
    text = json.dumps(markup, ensure_ascii=False, indent=1)
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def landing_links(space: IriSpace, where: Addresses) -> str:
    """FAIR Signposting for the dataset's landing pages (/ and /void)."""
    links = [
        f'<{space.base}>; rel="cite-as"',
        f'<{where.public}void.ttl>; rel="describedby"; type="text/turtle"',
        f'<{where.public}void.jsonld>; rel="describedby"; type="application/ld+json"',
        f'<{DEFAULT_LICENCE}>; rel="license"',
        f'<{SCHEMA}Dataset>; rel="type"',
        f'<{SCHEMA}AboutPage>; rel="type"',
    ]
    links += [
        f'<{where.dump(f"cms-kg.{fmt.extension}")}>; rel="item"; type="{fmt.media_type}"'
        for fmt, gz in dump_files()
        if not gz
    ]
    return ", ".join(links)
