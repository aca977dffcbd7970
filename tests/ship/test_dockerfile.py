"""The Dockerfile: lint-clean, and an image a self-hoster can trust with their data.

No Docker engine runs here; hadolint lints the file and test_image_replay.py replays it."""

from __future__ import annotations

import re
import subprocess
import sys
import tomllib
from pathlib import Path

from tests.conftest import REPO
from tests.ship import image

HADOLINT = Path(sys.executable).parent / "hadolint"


def test_hadolint_passes_the_dockerfile() -> None:
    assert HADOLINT.is_file(), "hadolint comes with the dev extras: pip install -e '.[dev]'"
    done = subprocess.run(
        [str(HADOLINT), "--no-color", str(image.DOCKERFILE)],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stdout + done.stderr


def test_every_hadolint_exception_says_why() -> None:
    lines = image.DOCKERFILE.read_text(encoding="utf-8").splitlines()
    for n, line in enumerate(lines):
        for rule in re.findall(r"hadolint ignore=([\w,]+)", line):
            for code in rule.split(","):
                explained = [other for other in lines if code in other and other != line]
                assert explained, f"line {n + 1}: {code} is ignored without a reason"


def test_the_image_is_built_in_one_stage_and_runs_from_a_slim_python_in_another() -> None:
    stages = image.stages()
    assert len(stages) >= 2
    base = stages[-1].base
    assert re.fullmatch(r"python:3\.(1[1-9])[.\d]*-slim(-\w+)?", base), base
    assert not stages[-1].values("COPY"), "the final stage takes no source, only wheels"
    assert any("pip install" in run for run in stages[-1].values("RUN"))


def test_the_builder_gets_everything_the_wheel_is_made_of() -> None:
    project = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))
    wheel = project["tool"]["hatch"]["build"]["targets"]["wheel"]
    needed = {"pyproject.toml", project["project"]["readme"], *wheel["packages"]}
    needed |= set(wheel.get("force-include", {}))
    copied = {
        source.rstrip("/")
        for value in image.stages()[0].values("COPY")
        for source in value.split()[:-1]
        if not source.startswith("--")
    }
    assert needed <= copied, f"the builder misses {sorted(needed - copied)}"
    ignored = _dockerignore()
    assert not needed & ignored, ".dockerignore keeps out what the wheel needs"


def test_it_runs_as_a_user_without_root_rights() -> None:
    user = image.final().last("USER")
    assert user is not None, "no USER: the bot would run as root"
    name = user.split(":")[0]
    assert name not in {"root", "0"}


def test_data_lives_in_a_volume_at_slash_data() -> None:
    assert image.environment()["LAMPLIGHT_DATA_DIR"] == "/data"
    volumes = " ".join(image.final().values("VOLUME"))
    assert '"/data"' in volumes or re.search(r"(^|\s)/data(\s|$)", volumes)


def test_it_runs_the_bot_checks_its_health_and_stops_on_sigterm() -> None:
    assert image.command() == ["lamplight", "run"]
    assert image.healthcheck() == ["lamplight", "health"]
    assert image.final().last("STOPSIGNAL") == "SIGTERM"


def test_python_neither_buffers_its_log_nor_writes_bytecode_and_pip_keeps_no_cache() -> None:
    env = image.environment()
    assert env.get("PYTHONUNBUFFERED") == "1", "logs would reach `docker logs` late"
    assert env.get("PYTHONDONTWRITEBYTECODE") == "1"
    for run in image.final().values("RUN"):
        if "pip install" in run:
            assert "--no-cache-dir" in run
        if "apt-get install" in run:
            assert "rm -rf /var/lib/apt/lists/*" in run


def test_secrets_git_and_local_environments_stay_out_of_the_build_context() -> None:
    ignored = _dockerignore()
    assert {".git", ".venv", ".env", "tests"} <= ignored


def _dockerignore() -> set[str]:
    lines = (REPO / ".dockerignore").read_text(encoding="utf-8").splitlines()
    return {line.strip().rstrip("/") for line in lines if line.strip() and line[0] != "#"}


def test_the_image_carries_the_repair_model_built_once() -> None:
    """A container's first mojibaked line must not build the model (35 s, 400 MB)."""
    runs = image.final().values("RUN")
    env = image.environment()
    assert any("lamplight repair --build-model" in run for run in runs)
    assert env["LAMPLIGHT_CACHE_DIR"].startswith("/opt/"), "outside the /data volume"
