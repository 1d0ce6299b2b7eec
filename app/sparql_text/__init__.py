"""SPARQL as text: one lexer (`tokens`), finding where a WHERE clause's body starts (`where`),
binding values as a VALUES block (`values`) and replacing spans (`spans`).

Every check and rewrite of query text in the server goes through here (the endpoint's guard, the
canned queries' binding, the remote backend's binding, federation routing, the SPARQL-based
shapes), so they all split the text the same way. It depends on nothing else in the application.
"""
