"""Every knob of the service in one place: CLI flags override CMSKG_* environment variables."""

from pathlib import Path

from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

REPO_ROOT = Path(__file__).resolve().parent.parent


class Settings(BaseSettings):
    """Configuration read from the environment (prefix CMSKG_) and overridden by CLI flags."""

    model_config = SettingsConfigDict(env_prefix="CMSKG_", extra="ignore")

    root: Path = Field(REPO_ROOT, description="Folder holding ontology/, graph/, shapes/, queries/.")
    host: str = Field("127.0.0.1", description="Address to listen on.")
    port: int = Field(8000, ge=0, le=65535, description="Port to listen on.")
    store: Path | None = Field(
        None, description="On-disk store folder; rebuilt when the curated files change."
    )
    base_iri: str = Field("https://w3id.org/cms-kg/", description="Base of every IRI we mint.")
    query_timeout: float = Field(30.0, gt=0, description="Deadline of one query, in seconds.")
    max_rows: int = Field(100_000, gt=0, description="Most rows a SELECT answer carries.")
    max_query_bytes: int = Field(64 * 1024, gt=0, description="Largest accepted query text.")

    @field_validator("base_iri")
    @classmethod
    def _base_ends_with_slash(cls, value: str) -> str:
        return value if value.endswith(("/", "#")) else value + "/"

    @property
    def ontology_dir(self) -> Path:
        return self.root / "ontology"

    @property
    def graph_dir(self) -> Path:
        return self.root / "graph"

    @property
    def shapes_dir(self) -> Path:
        return self.root / "shapes"
