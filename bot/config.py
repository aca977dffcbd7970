"""Settings from the environment: one object, built once at the edge and passed down."""

from __future__ import annotations

import datetime as dt
from functools import cached_property
from pathlib import Path
from typing import Annotated, Any, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import platformdirs
from pydantic import Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError

from bot.digests.opening import DEFAULT_ENGINES, SearchEngines
from bot.library.items import LOCAL_OWNER_CHAT_ID

PLACEHOLDER_SECRETS = frozenset({"changeme", "changethis", "your-token-here", "xxx", "token"})
# The stores lamplight has drivers and migrations for (SQLAlchemy driver names).
SUPPORTED_DRIVERS = frozenset({"sqlite", "sqlite+pysqlite", "postgresql+psycopg"})
SUPPORTED_STORES = (
    "use SQLite (sqlite:///path/to/lamplight.sqlite3) "
    "or PostgreSQL (postgresql://user:password@host/lamplight)"
)


def _id_list(value: Any) -> Any:
    """`ALLOWED_USER_IDS=1,2` is a comma list; a lone id must not decode as a JSON int."""
    if isinstance(value, str):
        return tuple(int(part) for part in value.replace(" ", "").split(",") if part)
    if isinstance(value, int):
        return (value,)
    return value


class Settings(BaseSettings):
    """Every setting lamplight reads; names match the environment variables."""

    # An empty `TELEGRAM_BOT_TOKEN=` left in an .env file means "not set", not an empty token.
    model_config = SettingsConfigDict(extra="ignore", frozen=True, env_ignore_empty=True)

    telegram_bot_token: SecretStr | None = None
    telegram_api_base_url: str = "https://api.telegram.org/bot"
    telegram_api_file_url: str = "https://api.telegram.org/file/bot"
    database_url: str | None = Field(
        default=None, description="SQLAlchemy URL; default: SQLite file in the data dir"
    )
    lamplight_data_dir: Path = Field(
        default_factory=lambda: platformdirs.user_data_path("lamplight", appauthor=False)
    )
    allowed_user_ids: Annotated[tuple[int, ...], NoDecode] = ()
    admin_user_ids: Annotated[tuple[int, ...], NoDecode] = ()
    default_timezone: str = "UTC"
    default_digest_time: dt.time = dt.time(8, 0)
    default_digest_size: int = Field(default=5, ge=1, le=20)
    digest_sweep_seconds: float = Field(
        default=60, gt=0, description="how often the scheduler looks for chats whose digest is due"
    )
    compose_processes: int = Field(
        default=0,
        ge=0,
        le=64,
        description="processes a sweep of over 250 due chats composes in; 0: one per CPU (up to 4)",
    )
    feeds_refresh_minutes: float = Field(
        default=60, gt=0, description="how often newsletters are pulled; a minute or less for tests"
    )
    lamplight_import_max_mb: float = Field(default=20, gt=0)
    lamplight_cache_dir: Path = Field(
        default_factory=lambda: platformdirs.user_cache_path("lamplight", appauthor=False),
        description="the mojibake repair's model, built here once (bot.library.repair.model)",
    )
    enrich: bool = Field(
        default=True, description="off: no paper is looked up on arXiv (the job nor the command)"
    )
    enrich_every_hours: float = Field(
        default=24, gt=0, description="how often papers not yet enriched are looked up on arXiv"
    )
    arxiv_api_url: str = "https://export.arxiv.org/api/query"
    arxiv_min_interval_seconds: float = Field(
        default=3.0, gt=0, description="arXiv's terms: one request every 3 s; less is for tests"
    )
    arxiv_contact: str = Field(
        default="", description="an e-mail or URL named in the User-Agent sent to arXiv"
    )
    backup: bool = Field(
        default=True, description="off: no daily backup, nor one before a schema upgrade"
    )
    backup_dir: Path | None = Field(
        default=None, description="where backups are written; default: backups/ in the data dir"
    )
    backup_keep: int = Field(
        default=7, ge=0, description="daily backups kept, the newest; 0 turns them off"
    )
    capture_timeout_seconds: float = Field(
        default=10, gt=0, description="how long a captured link's page (or arXiv) may take"
    )
    captures_per_minute: int = Field(
        default=10, ge=1, description="links, papers and quotes one user may add in a minute"
    )
    searches_per_minute: int = Field(
        default=20, ge=1, description="searches one user may make in a minute"
    )
    webhook_url: str | None = None
    webhook_secret: SecretStr | None = None
    webhook_listen: str = "0.0.0.0"
    webhook_port: int = 8443
    log_level: str = "INFO"
    log_format: Literal["text", "json"] = Field(
        default="text", description="json: one JSON object per log line"
    )
    paper_search_url: str = Field(
        default=DEFAULT_ENGINES.paper,
        description="where a paper without a link is looked up; {query} is its title",
    )
    web_search_url: str = Field(
        default=DEFAULT_ENGINES.web,
        description="where an article or a Chinese title without a link is looked up",
    )

    _ids = field_validator("allowed_user_ids", "admin_user_ids", mode="before")(_id_list)

    @field_validator("paper_search_url", "web_search_url")
    @classmethod
    def _search_template(cls, value: str) -> str:
        if not value.startswith(("https://", "http://")) or "{query}" not in value:
            raise ValueError("must be an http(s) URL with {query} where the title goes")
        return value

    @field_validator("database_url")
    @classmethod
    def _supported_store(cls, value: str | None) -> str | None:
        """`postgres://…` as hosting providers hand it out means psycopg 3 here; a store
        lamplight cannot open is refused now, in one line that never shows the password."""
        if not value:
            return None
        for prefix in ("postgres://", "postgresql://"):
            if value.startswith(prefix):
                value = "postgresql+psycopg://" + value.removeprefix(prefix)
        try:
            driver = make_url(value).drivername
        except ArgumentError:
            raise ValueError(f"is not a database URL; {SUPPORTED_STORES}") from None
        if driver not in SUPPORTED_DRIVERS:
            raise ValueError(f"{driver} is not supported; {SUPPORTED_STORES}")
        return value

    @field_validator("default_timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            hint = "use an IANA name such as Asia/Shanghai"
            raise ValueError(f"unknown time zone {value!r}; {hint}") from exc
        return value

    @field_validator("telegram_bot_token", "webhook_secret")
    @classmethod
    def _refuse_placeholders(cls, value: SecretStr | None) -> SecretStr | None:
        if value is not None and value.get_secret_value().strip().lower() in PLACEHOLDER_SECRETS:
            raise ValueError("is a placeholder; set the real secret")
        return value

    @cached_property
    def data_dir(self) -> Path:
        return self.lamplight_data_dir.expanduser()

    @cached_property
    def store_url(self) -> str:
        """The database to use: DATABASE_URL, or a SQLite file in the data dir."""
        return self.database_url or f"sqlite:///{self.data_dir / 'lamplight.sqlite3'}"

    @cached_property
    def backup_folder(self) -> Path:
        return (self.backup_dir or self.data_dir / "backups").expanduser()

    @property
    def backups_on(self) -> bool:
        """Daily backups, and one before each schema upgrade of a store with data."""
        return self.backup and self.backup_keep > 0

    @property
    def digest_sweep_every(self) -> dt.timedelta:
        return dt.timedelta(seconds=self.digest_sweep_seconds)

    @property
    def feeds_refresh_every(self) -> dt.timedelta:
        return dt.timedelta(minutes=self.feeds_refresh_minutes)

    @property
    def enrich_every(self) -> dt.timedelta:
        return dt.timedelta(hours=self.enrich_every_hours)

    @property
    def import_max_bytes(self) -> int:
        return int(self.lamplight_import_max_mb * 1024 * 1024)

    @property
    def search_engines(self) -> SearchEngines:
        return SearchEngines(paper=self.paper_search_url, web=self.web_search_url)

    @property
    def owner_chat_id(self) -> int:
        """Who the owner's read marks from notes files belong to: the first admin, else the
        local owner, whose state merges into the first admin once one sends /start."""
        return self.admin_user_ids[0] if self.admin_user_ids else LOCAL_OWNER_CHAT_ID
