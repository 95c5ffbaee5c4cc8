"""Settings for cxm, read from CXM_* environment variables (imports nothing else from cxm)."""

from __future__ import annotations

import secrets
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
    secret_key: str | None = Field(
        default=None,
        description="Signs survey links and sessions. Unset: generated once into data_dir.",
    )
    public_base_url: str = Field(
        default="http://127.0.0.1:8000", description="Base of links sent to customers."
    )
    survey_fatigue_days: int = Field(
        default=30, description="Contact-fatigue window for survey invitations (days)."
    )
    survey_fatigue_max: int = Field(
        default=1, description="Most survey invitations per customer within the window."
    )
    anonymous_rate_limit: str = Field(
        default="20/minute", description="Responses per client address on anonymous links."
    )
    widget_origins: list[str] = Field(
        default_factory=list, description="Web origins allowed to post the feedback widget."
    )
    smtp_host: str | None = Field(default=None, description="SMTP server; unset: print mails.")
    smtp_port: int = Field(default=25, description="SMTP port.")
    smtp_user: str | None = Field(default=None, description="SMTP user name.")
    smtp_password: str | None = Field(default=None, description="SMTP password.")
    smtp_starttls: bool = Field(default=False, description="Use STARTTLS.")
    redis_url: str | None = Field(
        default=None, description="Redis for the job queue (many workers); unset: SQLite file."
    )
    mail_from: str = Field(default="cxm <no-reply@example.com>", description="Sender address.")
    sms_provider_url: str | None = Field(
        default=None, description="HTTP endpoint of the SMS/messaging provider; unset: print."
    )
    sms_api_key: str | None = Field(default=None, description="Bearer key for the SMS provider.")
    sms_sender: str = Field(default="cxm", description="Sender name or number for SMS.")
    webhook_url: str | None = Field(
        default=None, description="Where signed webhook notifications are posted; unset: off."
    )
    webhook_secret: str | None = Field(
        default=None, description="Shared secret for the webhook signature (HMAC-SHA256)."
    )
    business_calendar: str = Field(
        default="DE-BE",
        description="Business-hours calendar for SLAs: DE-<state> (Mon-Fri 08-18, holidays).",
    )
    company_name: str = Field(default="Lindenfunk", description="Company name in messages.")
    dashboard_cache_seconds: float = Field(
        default=300.0,
        description="How long the dashboard keeps figures that read many rows (0: never).",
    )

    def signing_key(self) -> str:
        """The secret key; generated once and kept in data_dir when not configured."""
        if self.secret_key:
            return self.secret_key
        path = self.data_dir / "secret_key"
        if not path.exists():
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(secrets.token_urlsafe(48))
            path.chmod(0o600)
        return path.read_text().strip()


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The process-wide settings, read once from the environment."""
    return Settings()
