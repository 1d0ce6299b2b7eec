"""Where each place of the graph lies, by ISO 3166-1 code, for the page's map of an answer.

A canned answer names places by IRI (a country, a city, a region). The map draws countries from
Natural Earth's shapes (npm world-atlas, which keys them by the ISO 3166-1 numeric code), so the
page needs each place's country: a country is its own, a city or a site is the country it lies
within (`cms:withinPlace`, followed up), and a region spanning many countries has none and is
listed beside the map rather than drawn. Read once per data version, from the loaded store.
"""

from __future__ import annotations

from pyoxigraph import QuerySolutions, Store

from app.namespaces import CMS

COUNTRIES = f"""
SELECT ?place ?alpha2 ?alpha3 WHERE {{
  ?place <{CMS}withinPlace>* ?country .
  ?country a <{CMS}Country> ; <{CMS}iso3166Alpha2> ?alpha2 ; <{CMS}iso3166Alpha3> ?alpha3 .
}}
"""


def countries_of(store: Store) -> dict[str, dict[str, str]]:
    """{place IRI: {"alpha2", "alpha3"}} for every place that lies in one country (a place within
    two countries, such as a cross-border site, keeps the first by code, so the map is stable)."""
    solutions = store.query(COUNTRIES)
    assert isinstance(solutions, QuerySolutions)  # our own SELECT text
    found = sorted((row["place"].value, row["alpha2"].value, row["alpha3"].value) for row in solutions)
    out: dict[str, dict[str, str]] = {}
    for place, alpha2, alpha3 in found:
        out.setdefault(place, {"alpha2": alpha2, "alpha3": alpha3})
    return out
