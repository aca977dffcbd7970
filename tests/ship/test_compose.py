"""docker-compose.yml, .env.example and README's "Deploy" section name the same settings as
the Settings object, and the compose file starts the bot only once PostgreSQL answers."""

from __future__ import annotations

import re
from typing import Any

import pytest
import yaml
from dotenv import dotenv_values
from pydantic import ValidationError
from sqlalchemy.engine import make_url

from bot.config import Settings
from tests.conftest import REPO

COMPOSE = REPO / "docker-compose.yml"
ENV_EXAMPLE = REPO / ".env.example"
SETTINGS = {name.upper() for name in Settings.model_fields}
DB_SETTINGS = {"POSTGRES_USER", "POSTGRES_PASSWORD", "POSTGRES_DB"}  # the postgres image's
PROXIES = {"HTTPS_PROXY", "ALL_PROXY"}  # honoured by httpx for Telegram and feeds
# What a user must fill in before the first `docker compose up`.
MUST_SET = {"TELEGRAM_BOT_TOKEN", "ADMIN_USER_IDS", "POSTGRES_PASSWORD"}
INTERPOLATION = re.compile(r"(?<!\$)\$\{([A-Za-z_]\w*)([^}]*)\}")


def compose() -> dict[str, Any]:
    loaded = yaml.safe_load(COMPOSE.read_text(encoding="utf-8"))
    assert isinstance(loaded, dict)
    return loaded


def example_names() -> set[str]:
    """Every name .env.example sets, or shows commented out at its default."""
    text = ENV_EXAMPLE.read_text(encoding="utf-8")
    return set(re.findall(r"^#?\s*([A-Z][A-Z0-9_]*)=", text, re.M))


def deploy_section() -> str:
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    found = re.search(r"^## Deploy\n(.*?)(?=^## )", readme, re.S | re.M)
    assert found, 'README has no "## Deploy" section'
    return found.group(1)


def interpolated(value: str, env: dict[str, str]) -> str:
    """Compose's ${NAME}, ${NAME:?message} and ${NAME:-default}, filled from `env`."""

    def fill(match: re.Match[str]) -> str:
        name, rest = match.groups()
        if env.get(name):
            return env[name]
        assert rest.startswith((":-", "-")), f"${{{name}}} has no value and no default"
        return rest.split("-", 1)[1]

    return INTERPOLATION.sub(fill, value)


def test_two_services_the_bot_built_here_and_postgresql() -> None:
    services = compose()["services"]
    assert set(services) == {"lamplight", "db"}
    assert services["lamplight"]["build"] in (".", {"context": "."})
    assert re.fullmatch(r"postgres:1[6-9](\.\d+)?(-\w+)?", services["db"]["image"])
    for service in services.values():
        assert service["restart"] == "unless-stopped"


def test_the_bot_starts_only_once_postgresql_is_healthy() -> None:
    services = compose()["services"]
    assert services["lamplight"]["depends_on"]["db"]["condition"] == "service_healthy"
    check = services["db"]["healthcheck"]
    test = check["test"] if isinstance(check["test"], str) else " ".join(check["test"])
    assert "pg_isready" in test


def test_both_keep_their_data_in_named_volumes() -> None:
    spec = compose()
    declared = set(spec["volumes"])
    # source:target pairs, e.g. lamplight-data:/data
    mounts = {
        name: dict(volume.split(":", 1) for volume in service["volumes"])
        for name, service in spec["services"].items()
    }
    assert list(mounts["lamplight"].values()) == ["/data"]
    assert "/var/lib/postgresql/data" in mounts["db"].values()
    for service_mounts in mounts.values():
        for source in service_mounts:
            assert source in declared, f"{source} is a bind mount, not a named volume"


def test_the_bot_reads_every_setting_from_dot_env_and_its_store_is_the_db_service() -> None:
    bot = compose()["services"]["lamplight"]
    env_file = bot["env_file"]
    assert ".env" in ([env_file] if isinstance(env_file, str) else env_file)
    example = {k: v or "" for k, v in dotenv_values(ENV_EXAMPLE).items()}
    example["POSTGRES_PASSWORD"] = "s3cret"
    database_url = interpolated(bot["environment"]["DATABASE_URL"], example)
    url = make_url(Settings(database_url=database_url).store_url)
    assert (url.drivername, url.host) == ("postgresql+psycopg", "db")
    assert (url.username, url.password, url.database) == ("lamplight", "s3cret", "lamplight")


def test_compose_names_only_settings_and_the_databases_own_variables() -> None:
    text = COMPOSE.read_text(encoding="utf-8")
    used = {name for name, _ in INTERPOLATION.findall(text)}
    assert used, "compose takes its values from .env"
    assert used <= SETTINGS | DB_SETTINGS, sorted(used - SETTINGS - DB_SETTINGS)
    assert used <= example_names(), "every variable compose needs is in .env.example"
    for name, service in compose()["services"].items():
        allowed = SETTINGS if name == "lamplight" else DB_SETTINGS
        assert set(service.get("environment", {})) <= allowed, name


def test_env_example_lists_every_setting_and_nothing_else() -> None:
    names = example_names()
    assert names >= SETTINGS, f"missing from .env.example: {sorted(SETTINGS - names)}"
    unknown = names - SETTINGS - DB_SETTINGS - PROXIES
    assert not unknown, f"not a setting lamplight reads: {sorted(unknown)}"


def test_env_example_values_are_valid_settings_except_the_token_to_replace() -> None:
    values = {
        k: v for k, v in dotenv_values(ENV_EXAMPLE).items() if k in SETTINGS and v is not None
    }
    with pytest.raises(ValidationError, match="placeholder"):
        Settings(**{k.lower(): v for k, v in values.items()})
    values["TELEGRAM_BOT_TOKEN"] = "123456:real-token"
    settings = Settings(**{k.lower(): v for k, v in values.items()})
    assert settings.default_digest_size == 5 and settings.admin_user_ids == ()


def test_secrets_in_dot_env_are_never_committed() -> None:
    ignored = (REPO / ".gitignore").read_text(encoding="utf-8").splitlines()
    assert ".env" in ignored


def test_readme_deploy_walks_from_botfather_to_a_first_digest_and_backups() -> None:
    section = deploy_section()
    named = set(re.findall(r"`([A-Z][A-Z0-9_]{2,})`", section))
    assert named >= MUST_SET, f"Deploy does not tell users to set {sorted(MUST_SET - named)}"
    assert named <= example_names(), f"not in .env.example: {sorted(named - example_names())}"
    for step in (
        "@BotFather",
        "cp .env.example .env",
        "docker compose up -d",
        "/start",
        "/digest",
        "lamplight import",
        "lamplight export",
        "lamplight backup",
        "lamplight restore",
        "BACKUP_DIR",
        "--build",
    ):
        assert step in section, f"Deploy does not mention {step}"
