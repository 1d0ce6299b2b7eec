"""The canned-query catalogue as a REST API (/api/queries)."""

from fastapi import APIRouter

router = APIRouter(tags=["canned queries"])
