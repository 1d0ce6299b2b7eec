"""CMS Synergies Knowledge Graph: curated Turtle, SHACL-gated loading, a SPARQL 1.1 service."""

__version__ = "0.1.0"  # the one version source: pyproject.toml reads it (dynamic)
