"""The curator's tools: read the report into its parts and audit the graph against them.

Nothing here serves HTTP or changes the graph; `cmskg audit` (app/cli.py) is the way in."""
