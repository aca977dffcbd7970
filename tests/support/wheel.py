"""lamplight's wheel, built once per test session and installed into a fresh virtualenv: the
tests that run it share one build.

pip installs the wheel itself (its `lamplight` command, its bundled data), but not its
dependencies: those are the very ones this virtualenv (the tests') has installed, linked in —
only the distributions the wheel requires, with theirs, and `pip check` confirms they are all
there in versions it accepts. A dependency the wheel does not declare is therefore missing, as
in the image, while nothing is downloaded, unpacked or compiled again.
"""

from __future__ import annotations

import subprocess
import sys
import sysconfig
import venv
from importlib.metadata import Distribution, distribution, distributions
from pathlib import Path
from zipfile import ZipFile

import pytest
from packaging.requirements import Requirement  # packaging: pytest's own dependency
from packaging.utils import canonicalize_name

from tests.support.shared import built_once

REPO = Path(__file__).resolve().parents[2]


def installed_wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The `bin` folder of a virtualenv holding only the wheel and its dependencies."""
    return built_once(tmp_path_factory, "lamplight-wheel", _install) / "venv" / "bin"


def _install(root: Path) -> None:
    dist = root / "dist"
    subprocess.run(
        [sys.executable, "-m", "build", "--wheel", "--outdir", str(dist), str(REPO)],
        check=True,
        capture_output=True,
    )
    wheel = next(dist.glob("lamplight-*.whl"))
    venv.create(root / "venv", with_pip=False)
    python = root / "venv" / "bin" / "python"
    site = subprocess.run(
        [python, "-c", "import sysconfig; print(sysconfig.get_path('purelib'))"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout.strip()
    _link_dependencies(wheel, Path(site))
    # This process's pip works on the venv, which needs no pip of its own.
    pip = [sys.executable, "-m", "pip", "--python", str(python)]
    for command in (["install", "--no-deps", "--no-index", str(wheel)], ["check"]):
        done = subprocess.run([*pip, *command], capture_output=True, text=True)
        assert done.returncode == 0, done.stdout + done.stderr


def _link_dependencies(wheel: Path, site: Path) -> None:
    """Link into `site` what the installed distributions the wheel requires consist of."""
    ours = Path(sysconfig.get_path("purelib"))
    needed = _required(_requires(wheel))
    owners: dict[str, set[str]] = {}
    for installed in distributions():
        for top in _top_level(installed):
            owners.setdefault(top, set()).add(canonicalize_name(installed.metadata["Name"]))
    for name in needed:
        for top in _top_level(distribution(name)):
            assert owners[top] <= needed, f"{top} is shared with {owners[top] - needed}"
            link = site / top
            if not link.exists():
                link.symlink_to(ours / top)


def _requires(wheel: Path) -> list[str]:
    with ZipFile(wheel) as archive:
        [metadata] = [n for n in archive.namelist() if n.endswith(".dist-info/METADATA")]
        text = archive.read(metadata).decode("utf-8")
    return [
        line.split(":", 1)[1].strip()
        for line in text.splitlines()
        if line.startswith("Requires-Dist:")
    ]


def _required(requirements: list[str]) -> set[str]:
    """The names of the distributions these requirements need, with all that those need."""
    needed: set[str] = set()
    expanded: set[tuple[str, str]] = set()
    # Each requirement with the extra its marker is read under ("" for none).
    todo = [(Requirement(r), "") for r in requirements]
    while todo:
        requirement, extra = todo.pop()
        if requirement.marker and not requirement.marker.evaluate({"extra": extra}):
            continue
        name = canonicalize_name(requirement.name)
        needed.add(name)
        for wanted in ["", *requirement.extras]:
            if (name, wanted) not in expanded:
                expanded.add((name, wanted))
                # A dependency this virtualenv lacks fails the build here.
                todo += [(Requirement(r), wanted) for r in distribution(name).requires or []]
    return needed


def _top_level(installed: Distribution) -> set[str]:
    """The entries of site-packages a distribution installed (scripts and data elsewhere are
    not needed)."""
    files = installed.files or []
    return {f.parts[0] for f in files if f.parts[0] not in ("..", "__pycache__")}
