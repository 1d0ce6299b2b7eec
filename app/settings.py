"""Every knob of the service in one place: CLI flags override CMSKG_* environment variables."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any, Literal
from urllib.parse import urlsplit, urlunsplit

from pydantic import Field, PrivateAttr, SecretStr, field_validator, model_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

REPO_ROOT = Path(__file__).resolve().parent.parent
DATA_FOLDERS = ("ontology", "graph", "shapes")

RootOrigin = Literal["given", "current folder", "install"]


def holds_data(folder: Path) -> bool:
    """True when the folder is a data tree: it holds ontology/, graph/ and shapes/."""
    return all((folder / name).is_dir() for name in DATA_FOLDERS)


def default_root() -> Path:
    """The current folder when it is a data tree, else the install's own checkout.

    A curator who runs `cmskg validate` inside a copy of the data means that copy; before this rule
    the command validated the install's checkout instead, and said nothing.
    """
    here = Path.cwd()
    return here if holds_data(here) else REPO_ROOT


class Settings(BaseSettings):
    """Configuration read from the environment (prefix CMSKG_) and overridden by CLI flags."""

    model_config = SettingsConfigDict(env_prefix="CMSKG_", extra="ignore")

    # The descriptions are the README's settings table (scripts/readme.py writes it; `default_text`
    # stands in for a default that is not a plain value).
    root: Path = Field(
        default_factory=default_root,
        description="The data folder: it holds `ontology/`, `graph/` and `shapes/` (and `queries/`; "
        "without one, the install's canned queries are used).",
        json_schema_extra={
            "default_text": "the current folder if it holds `ontology/`, `graph/` and `shapes/`, "
            "else the install's checkout"
        },
    )
    backend: Literal["embedded", "remote"] = Field(
        "embedded", description="Where answers come from: the embedded store, or a remote SPARQL server."
    )
    endpoint: str | None = Field(
        None, description="The remote SPARQL query endpoint (with `--backend remote`)."
    )
    host: str = Field("127.0.0.1", description="The address to listen on.")
    port: int = Field(8000, ge=0, le=65535, description="The port to listen on.")
    store: Path | None = Field(
        None,
        description="An on-disk store folder, rebuilt only when the curated files, the canned queries, "
        "`--base-iri` or `--public-url` change.",
        json_schema_extra={"default_text": "in memory"},
    )
    base_iri: str = Field("https://w3id.org/cms-kg/", description="The base of every IRI we mint.")
    public_url: str | None = Field(
        None,
        description="The address clients reach the server at (e.g. `https://kg.example.org/`): every "
        "absolute URL we write (redirects, the service description, the VoID's endpoint and download "
        "URLs, the examples' `schema:target`, the JSON-LD context, signposting links, relative IRIs in "
        "queries) is built from it, never from the request's `Host` header; IRIs stay under "
        "`--base-iri`.",
        json_schema_extra={"default_text": "`http://HOST:PORT/`"},
    )
    watch: bool = Field(
        False, description="Reload when the curated files change; an invalid change keeps the old graph."
    )
    watch_interval: float = Field(2.0, gt=0, description="How often `--watch` looks at the files (s).")
    query_timeout: float = Field(30.0, gt=0, description="The deadline of one query (s).")
    max_rows: int = Field(100_000, gt=0, description="Most rows or triples in one answer.")
    max_query_bytes: int = Field(64 * 1024, gt=0, description="The largest query text (bytes).")
    max_upload_bytes: int = Field(
        16 * 1024 * 1024, gt=0, description="The largest Graph Store upload (bytes)."
    )
    workers: int = Field(2, ge=1, le=64, description="Query worker processes kept warm.")
    fast_workers: int = Field(
        1,
        ge=0,
        le=16,
        description="Worker processes kept for lookups (queries small by construction), so they never "
        'wait behind heavy ones (see "Safety": *Fair admission*); 0 for none.',
    )
    inline_answers: bool = Field(
        True,
        description="Answer in the server process the queries whose work the store bounds before they "
        'run (see "Safety": *Bounded queries*); false sends every query to the workers.',
    )
    fast_lane_deadline: float = Field(
        2.0, gt=0, description="How long a lookup may run in the fast lane before it joins the others (s)."
    )
    query_memory: int = Field(
        2048,
        ge=64,
        description="Memory one query, update or upload parse may use beyond its store (MiB); past it "
        "the query is stopped with 503.",
    )
    confine: bool = Field(
        True,
        description="Run query workers and jobs in a network namespace of their own, whose only way "
        "out is our federation gateway.",
    )
    queue_wait: float = Field(
        5.0, ge=0, description="How long a query waits for a free worker before 503 (s)."
    )
    update_token: SecretStr | None = Field(
        None,
        description="The bearer token that enables SPARQL Update, Graph Store writes and `/admin/reload`.",
        json_schema_extra={"default_text": "none: read-only"},
    )
    federation_allow: Annotated[list[str], NoDecode] = Field(
        default_factory=list,
        description="SERVICE endpoints queries may reach, besides the partner endpoints the graph describes.",
    )
    federation_timeout: float = Field(10.0, gt=0, description="The timeout of one SERVICE call (s).")
    federation_max_rows: int = Field(10_000, gt=0, description="Most rows taken from one SERVICE call.")
    federation_max_bytes: int = Field(
        64 * 1024 * 1024, gt=0, description="The largest answer taken from one SERVICE call (bytes)."
    )
    cors_origins: Annotated[list[str], NoDecode] = Field(
        default_factory=lambda: ["*"], description="The origins CORS allows."
    )

    @field_validator("federation_allow", "cors_origins", mode="before")
    @classmethod
    def _comma_separated(cls, value: object) -> object:
        if isinstance(value, str):
            return [item.strip() for item in value.split(",") if item.strip()]
        return value

    @field_validator("update_token")
    @classmethod
    def _token_not_blank(cls, value: SecretStr | None) -> SecretStr | None:
        return value if value is not None and value.get_secret_value().strip() else None

    @field_validator("base_iri")
    @classmethod
    def _base_ends_with_slash(cls, value: str) -> str:
        return value if value.endswith(("/", "#")) else value + "/"

    @field_validator("public_url")
    @classmethod
    def _public_url_is_absolute(cls, value: str | None) -> str | None:
        if value is None or not value.strip():
            return None
        parts = urlsplit(value.strip())
        if parts.scheme not in ("http", "https") or not parts.netloc or parts.query or parts.fragment:
            raise ValueError("--public-url must be an absolute http(s) URL without query or fragment")
        return urlunsplit((parts.scheme, parts.netloc, parts.path.rstrip("/") + "/", "", ""))

    @property
    def public_base(self) -> str:
        """The server's own address, ending in '/': --public-url, else http://HOST:PORT/ (a wildcard
        listen address is written as 127.0.0.1: set --public-url when clients come from elsewhere)."""
        if self.public_url is not None:
            return self.public_url
        host = "127.0.0.1" if self.host in ("0.0.0.0", "::", "") else self.host
        host = f"[{host}]" if ":" in host else host
        return f"http://{host}:{self.port}/"

    @model_validator(mode="after")
    def _remote_needs_endpoint(self) -> Settings:
        if self.backend == "remote" and not self.endpoint:
            raise ValueError("--backend remote needs --endpoint URL (CMSKG_ENDPOINT)")
        return self

    _root_origin: RootOrigin = PrivateAttr("given")

    def model_post_init(self, context: Any, /) -> None:
        """Note where the root came from while the current folder is the one the default looked at,
        so that the command line can say which data it read."""
        if "root" in self.model_fields_set:
            self._root_origin = "given"
        else:
            self._root_origin = "current folder" if self.root == Path.cwd() else "install"

    @property
    def root_origin(self) -> RootOrigin:
        """Where the root came from: "given" (a flag, CMSKG_ROOT or the caller), "current folder" or
        "install" (the checkout this package runs from)."""
        return self._root_origin

    @property
    def ontology_dir(self) -> Path:
        return self.root / "ontology"

    @property
    def graph_dir(self) -> Path:
        return self.root / "graph"

    @property
    def shapes_dir(self) -> Path:
        return self.root / "shapes"
