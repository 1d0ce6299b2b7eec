"""Curated files to a validated store: parsing, SHACL validation and store building (no HTTP)."""
