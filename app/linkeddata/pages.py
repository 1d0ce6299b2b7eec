"""Rendering pages with Jinja2 templates (app/templates), which share one base layout."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, select_autoescape

from app import __version__
from app.linkeddata.void import DEFAULT_LICENCE, LICENCE_NAMES
from app.links import linkable

TEMPLATES = Path(__file__).resolve().parent.parent / "templates"

_env = Environment(
    loader=FileSystemLoader(TEMPLATES),
    autoescape=select_autoescape(["html"]),
    trim_blocks=True,
    lstrip_blocks=True,
)


def _filesize(size: int) -> str:
    scaled = float(size)
    for unit in ("bytes", "KiB", "MiB", "GiB"):
        if scaled < 1024 or unit == "GiB":
            return f"{size} {unit}" if unit == "bytes" else f"{scaled:.1f} {unit}"
        scaled /= 1024
    return str(size)


_env.filters["filesize"] = _filesize
_env.filters["linkable"] = linkable  # every href from the data goes through it
_env.globals["app_version"] = __version__
# The licence of the curated data, in every page's footer (the VoID says the same: a test checks).
_env.globals["licence"] = {"iri": DEFAULT_LICENCE, "name": LICENCE_NAMES[DEFAULT_LICENCE]}


def render(template: str, **context: Any) -> str:
    """One page; every template extends base.html."""
    return _env.get_template(template).render(**context)
