"""Find and parse the curated Turtle files, naming the file and line of any syntax error."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

import rdflib
from pyoxigraph import RdfFormat, parse

SOURCE_DIRS = ("ontology", "graph")
SHAPES_DIR = "shapes"


class TurtleSyntaxError(Exception):
    """A curated file is not valid Turtle; carries the file and the 1-based line and column."""

    def __init__(self, file: str, line: int, column: int, reason: str) -> None:
        self.file, self.line, self.column, self.reason = file, line, column, reason
        super().__init__(f"{file}:{line}:{column}: Turtle syntax error: {reason}")


@dataclass(frozen=True)
class SourceFile:
    """One Turtle file, checked to parse; `name` is its path relative to the data root, e.g.
    graph/x.ttl. Its rdflib graph is parsed when first asked for: serving reads the bytes into
    Oxigraph and never needs it, and at 10^6 triples rdflib's parse took 40 s of start-up."""

    name: str
    path: Path
    digest: str
    content: bytes = field(compare=False, repr=False)

    @property
    def stem(self) -> str:
        return self.name.removesuffix(".ttl")

    @cached_property
    def graph(self) -> rdflib.Graph:
        """The file as an rdflib graph (for the curation tools and pySHACL)."""
        graph = rdflib.Graph()
        graph.parse(data=self.content, format="turtle", publicID=self.path.as_uri())
        return graph


@dataclass(frozen=True)
class Sources:
    """The parsed curated files of one data root, and the version hash of their bytes."""

    root: Path
    data: tuple[SourceFile, ...]
    shapes: tuple[SourceFile, ...]
    version: str

    @property
    def ontology(self) -> tuple[SourceFile, ...]:
        return tuple(f for f in self.data if f.name.startswith("ontology/"))


def data_files(root: Path) -> list[Path]:
    """The Turtle files that make up the served graph, in a stable order."""
    return [p for d in SOURCE_DIRS for p in sorted((root / d).glob("*.ttl"))]


def shape_files(root: Path) -> list[Path]:
    return sorted((root / SHAPES_DIR).glob("*.ttl"))


def combined_version(files: list[tuple[str, str]]) -> str:
    """The data version: a hash over each file's name and content digest."""
    digest = hashlib.sha256()
    for name, file_digest in files:
        digest.update(f"{name}\0{file_digest}\0".encode())
    return digest.hexdigest()[:16]


def version_of(root: Path) -> str:
    """The data version of the files under `root`, without parsing them."""
    root = root.resolve()
    return combined_version(
        [
            (p.relative_to(root).as_posix(), hashlib.sha256(p.read_bytes()).hexdigest())
            for p in [*data_files(root), *shape_files(root)]
        ]
    )


def parse_file(path: Path, root: Path) -> SourceFile:
    """Read a file and check that it parses (with Oxigraph, the parser that will load it)."""
    name = path.relative_to(root).as_posix()
    content = path.read_bytes()
    try:
        for _ in parse(content, format=RdfFormat.TURTLE, base_iri=path.as_uri()):
            pass
    except SyntaxError as error:
        # "Parser error at line 3 column 11: Unexpected end of file" -> its reason
        reason = (error.msg or str(error)).split(": ", 1)[-1]
        raise TurtleSyntaxError(name, error.lineno or 0, error.offset or 0, reason) from None
    except ValueError as error:
        raise TurtleSyntaxError(name, 0, 0, str(error)) from None
    digest = hashlib.sha256(content).hexdigest()
    return SourceFile(name=name, path=path, digest=digest, content=content)


def load_sources(root: Path) -> Sources:
    """Parse every curated and shape file under `root`; raise TurtleSyntaxError on the first bad one."""
    root = root.resolve()
    data = tuple(parse_file(p, root) for p in data_files(root))
    shapes = tuple(parse_file(p, root) for p in shape_files(root))
    if not data:
        raise FileNotFoundError(f"no Turtle files under {root}/ontology or {root}/graph")
    version = combined_version([(f.name, f.digest) for f in (*data, *shapes)])
    return Sources(root=root, data=data, shapes=shapes, version=version)
