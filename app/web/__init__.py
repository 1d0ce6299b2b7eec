"""The analyst's web page at `/`: its forms, label look-ups and network data (no HTTP here).

The routes in app/routes/web.py are thin; the logic they call lives in this package.
"""
