"""The OpenAPI documentation at /docs, served from our own vendor folder.

FastAPI's default page loads Swagger UI from a CDN and starts it with an inline script; our
Content-Security-Policy (scripts from our origin only) refuses both, and a server without internet
would show nothing. This page loads the vendored Swagger UI build (app/static/vendor/swagger-ui,
see app.web.vendor) and starts it from a static script.
"""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import HTMLResponse

PAGE = """<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title} - API documentation</title>
<link rel="stylesheet" href="static/vendor/swagger-ui/swagger-ui.css">
</head>
<body>
<div id="swagger-ui" data-openapi="openapi.json"></div>
<script src="static/vendor/swagger-ui/swagger-ui-bundle.js"></script>
<script src="static/docs.js"></script>
</body>
</html>
"""


def install(app_title: str) -> APIRouter:
    """The router of /docs for an app of this title."""
    router = APIRouter(include_in_schema=False)
    page = PAGE.format(title=app_title)

    @router.get("/docs")
    def docs() -> HTMLResponse:
        return HTMLResponse(page)

    return router
