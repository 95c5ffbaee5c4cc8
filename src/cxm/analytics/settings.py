"""Settings of the analytical layer, read from CXM_ANALYTICS_* (the store lives in data_dir)."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

from cxm.analytics.metrics import DEFAULT_MIN_N
from cxm.config import Settings

STORE_FILE = "analytics.duckdb"
PARQUET_DIR = "analytics-parquet"


class AnalyticsSettings(BaseSettings):
    """Every analytics setting; each can be set as CXM_ANALYTICS_<NAME> in the environment."""

    model_config = SettingsConfigDict(env_prefix="CXM_ANALYTICS_", env_file=".env", extra="ignore")

    path: Path | None = Field(
        default=None,
        description="The DuckDB file of the analytical store "
        "(default: <data_dir>/analytics.duckdb).",
    )
    min_n: int = Field(
        default=DEFAULT_MIN_N,
        ge=1,
        description="No score is shown for fewer valid answers (or less exposure) than this.",
    )
    max_lag_seconds: float = Field(
        default=300.0,
        description="The API and `cxm kpi` sync first when the store is older than this; "
        "a negative value never syncs on read (rely on `cxm analytics sync` / a scheduled job).",
    )
    overlap_seconds: float = Field(
        default=600.0,
        ge=0,
        description="Each incremental sync re-reads this much before its watermark, so rows of "
        "transactions that committed late are not missed (duplicates are dropped).",
    )
    full_refresh_seconds: float = Field(
        default=86_400.0,
        description="Mutable tables (customers, holdings) are reloaded whole this often, which "
        "also removes rows deleted in the operational store; between, they sync by updated_at.",
    )
    chunk_rows: int = Field(default=50_000, ge=1, description="Rows per sync transaction.")
    complaint_sources: tuple[str, ...] = Field(
        default=("complaint",),
        description="Feedback sources counted as complaints in the complaint rate.",
    )
    engine: Literal["duckdb", "spark"] = Field(
        default="duckdb",
        description="Where the KPI queries run: the DuckDB file (embedded), or Apache Spark "
        "over the Parquet copy of the store (the sync then always writes Parquet).",
    )
    parquet: bool = Field(
        default=False,
        description="Write the Parquet copy of the store after each sync even with the "
        "DuckDB engine (for Spark or other readers).",
    )
    parquet_dir: Path | None = Field(
        default=None,
        description="Where the Parquet copy lives (default: analytics-parquet next to the "
        "DuckDB file); one folder per table, one file per month.",
    )
    spark_master: str = Field(
        default="local[2]",
        description="The Spark master URL (local[N], spark://host:7077, yarn, k8s://...).",
    )
    spark_conf: dict[str, str] = Field(
        default_factory=dict,
        description='Extra Spark settings as JSON, e.g. {"spark.executor.memory": "8g"}.',
    )

    @property
    def writes_parquet(self) -> bool:
        """Whether the sync keeps the Parquet copy up to date."""
        return self.parquet or self.engine == "spark"


def store_path(settings: Settings, analytics: AnalyticsSettings | None = None) -> Path:
    """Where the analytical store lives: the explicit path, else <data_dir>/analytics.duckdb."""
    if analytics is not None and analytics.path is not None:
        return analytics.path
    return settings.data_dir / STORE_FILE


def parquet_path(store_file: Path, analytics: AnalyticsSettings | None = None) -> Path:
    """Where the Parquet copy of the store at `store_file` lives."""
    if analytics is not None and analytics.parquet_dir is not None:
        return analytics.parquet_dir
    return Path(store_file).parent / PARQUET_DIR
