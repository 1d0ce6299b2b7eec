"""Linked Data: dereferenceable IRIs, resource pages, ontology, VoID/DCAT and dumps."""

from fastapi import APIRouter

router = APIRouter(tags=["linked data"])
