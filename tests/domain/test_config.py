"""Settings come from the environment with the names README documents."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from pydantic import ValidationError

from bot.config import Settings
from bot.library.items import LOCAL_OWNER_CHAT_ID


def test_id_lists_accept_one_id_or_a_comma_list(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ALLOWED_USER_IDS", "12345")
    monkeypatch.setenv("ADMIN_USER_IDS", "7, 8,9")
    settings = Settings()
    assert settings.allowed_user_ids == (12345,)
    assert settings.admin_user_ids == (7, 8, 9)
    assert settings.owner_chat_id == 7


def test_without_admins_the_owner_is_the_local_owner() -> None:
    assert Settings().owner_chat_id == LOCAL_OWNER_CHAT_ID


def test_default_store_is_a_sqlite_file_in_the_data_dir(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LAMPLIGHT_DATA_DIR", "/srv/lamplight")
    settings = Settings()
    assert settings.store_url == f"sqlite:///{Path('/srv/lamplight') / 'lamplight.sqlite3'}"


@pytest.mark.parametrize("given", ["postgres://u:p@db/lamp", "postgresql://u:p@db/lamp"])
def test_postgres_urls_use_psycopg(monkeypatch: pytest.MonkeyPatch, given: str) -> None:
    monkeypatch.setenv("DATABASE_URL", given)
    assert Settings().store_url == "postgresql+psycopg://u:p@db/lamp"


def test_digest_defaults_read_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DEFAULT_DIGEST_TIME", "07:30")
    monkeypatch.setenv("DEFAULT_TIMEZONE", "Asia/Shanghai")
    monkeypatch.setenv("LAMPLIGHT_IMPORT_MAX_MB", "1")
    settings = Settings()
    assert settings.default_digest_time == dt.time(7, 30)
    assert settings.default_timezone == "Asia/Shanghai"
    assert settings.import_max_bytes == 1024 * 1024


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("DEFAULT_TIMEZONE", "Mars/Olympus"),
        ("TELEGRAM_BOT_TOKEN", "changeme"),
        ("DEFAULT_DIGEST_SIZE", "0"),
        ("ADMIN_USER_IDS", "alice"),
        ("DIGEST_SWEEP_SECONDS", "0"),
        ("FEEDS_REFRESH_MINUTES", "-1"),
    ],
)
def test_bad_values_are_refused(monkeypatch: pytest.MonkeyPatch, name: str, value: str) -> None:
    monkeypatch.setenv(name, value)
    with pytest.raises(ValidationError):
        Settings()


def test_the_token_never_shows_in_the_settings_repr(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TELEGRAM_BOT_TOKEN", "123456:SECRET-TOKEN")
    settings = Settings()
    assert "SECRET-TOKEN" not in repr(settings)
    assert settings.telegram_bot_token is not None
    assert settings.telegram_bot_token.get_secret_value() == "123456:SECRET-TOKEN"


def test_an_empty_value_in_the_environment_counts_as_unset(monkeypatch: pytest.MonkeyPatch) -> None:
    """A compose .env copied from the example leaves some names empty: they take defaults."""
    for name in ("TELEGRAM_BOT_TOKEN", "DATABASE_URL", "DEFAULT_TIMEZONE", "ADMIN_USER_IDS"):
        monkeypatch.setenv(name, "")
    settings = Settings()
    assert settings.telegram_bot_token is None
    assert settings.database_url is None
    assert settings.default_timezone == "UTC"
    assert settings.admin_user_ids == ()


@pytest.mark.parametrize(
    ("given", "refused"),
    [
        ("mysql://lamp:hunter2@db/lamp", "mysql is not supported"),
        ("postgresql+asyncpg://lamp:hunter2@db/lamp", "postgresql+asyncpg is not supported"),
        ("lamp:hunter2@db", "is not a database URL"),
    ],
)
def test_a_store_lamplight_cannot_open_is_refused_without_its_password(
    monkeypatch: pytest.MonkeyPatch, given: str, refused: str
) -> None:
    monkeypatch.setenv("DATABASE_URL", given)
    with pytest.raises(ValidationError) as raised:
        Settings()
    [error] = raised.value.errors()
    assert refused in error["msg"]
    assert "SQLite (sqlite:///" in error["msg"] and "PostgreSQL (postgresql://" in error["msg"]
    assert "hunter2" not in error["msg"]


@pytest.mark.parametrize(
    "given",
    ["sqlite:///tmp/lamp.sqlite3", "sqlite+pysqlite:///lamp.db", "postgresql+psycopg://db/l"],
)
def test_sqlite_and_postgresql_urls_are_kept(monkeypatch: pytest.MonkeyPatch, given: str) -> None:
    monkeypatch.setenv("DATABASE_URL", given)
    assert Settings().store_url == given


def test_the_scheduler_intervals_take_short_values(monkeypatch: pytest.MonkeyPatch) -> None:
    assert Settings().digest_sweep_every == dt.timedelta(minutes=1)
    assert Settings().feeds_refresh_every == dt.timedelta(hours=1)
    monkeypatch.setenv("DIGEST_SWEEP_SECONDS", "0.5")
    monkeypatch.setenv("FEEDS_REFRESH_MINUTES", "0.02")
    assert Settings().digest_sweep_every == dt.timedelta(seconds=0.5)
    assert Settings().feeds_refresh_every == dt.timedelta(seconds=1.2)
