"""Canned queries: named, typed, parameterised SPARQL questions kept as .rq files in queries/.

The pieces, one job each: `spec` (the typed metadata header), `catalogue` (reading and checking
the files), `params` (checking parameter values), `labels` (turning labels into IRIs), `binding`
(putting values into a query safely), `runner` (running and reshaping), `render` (output formats).
Nothing here knows about HTTP.
"""
