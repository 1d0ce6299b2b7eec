"""CMS Synergies Knowledge Graph: curated Turtle, SHACL-gated loading, a SPARQL 1.1 service."""

__version__ = "0.1.0"
