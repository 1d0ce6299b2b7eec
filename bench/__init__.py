"""Benchmarks of the CMS KG server against peers (raw Oxigraph server, rdflib-endpoint).

`python -m bench --sizes 1e4,1e5,1e6` runs the full comparison and writes bench/results/REPORT.md;
`python -m bench --smoke` is the seconds-long version (10^4 triples, our server only) CI runs.
"""
