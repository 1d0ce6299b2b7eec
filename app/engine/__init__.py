"""The query engine boundary: run SPARQL against the store, safely, and serialise the answer."""
