"""Settings for cxm, read from CXM_* environment variables (imports nothing else from cxm)."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    """Every setting cxm reads; each can be set as CXM_<NAME> in the environment."""

    model_config = SettingsConfigDict(env_prefix="CXM_", env_file=".env", extra="ignore")

    database_url: str = Field(
        default="sqlite:///var/cxm.db",
        description="SQLAlchemy URL of the operational store (SQLite file or PostgreSQL).",
    )
    data_dir: Path = Field(default=Path("var"), description="Folder for local files.")
    host: str = Field(default="127.0.0.1", description="Address `cxm serve` binds to.")
    port: int = Field(default=8000, description="Port `cxm serve` listens on.")
    batch_max_items: int = Field(default=10_000, description="Most interactions per batch call.")
    page_size_default: int = Field(default=50, description="Default page size of lists.")
    page_size_max: int = Field(default=500, description="Largest page size a client may ask for.")
    import_chunk_size: int = Field(default=5_000, description="Lines per import transaction.")
    default_phone_region: str = Field(
        default="DE", description="Region assumed for phone numbers without a country code."
    )
    sql_echo: bool = Field(default=False, description="Log every SQL statement.")


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The process-wide settings, read once from the environment."""
    return Settings()
