"""Linked Data publishing: describing resources, pages, the ontology, VoID/DCAT and dumps.

Nothing here knows about HTTP; the routers in app/routes/ turn these pieces into responses.
"""
