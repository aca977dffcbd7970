"""What the Dockerfile says its image is and does, read with dockerfile-parse: the tests check
it and the replay runs the very commands it names."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field

from dockerfile_parse import DockerfileParser

from tests.conftest import REPO

DOCKERFILE = REPO / "Dockerfile"


@dataclass
class Stage:
    """One FROM … stage: its base image, name, and instructions in order."""

    base: str
    name: str | None
    instructions: list[tuple[str, str]] = field(default_factory=list)

    def values(self, instruction: str) -> list[str]:
        return [value for name, value in self.instructions if name == instruction]

    def last(self, instruction: str) -> str | None:
        found = self.values(instruction)
        return found[-1] if found else None


def stages() -> list[Stage]:
    parsed = DockerfileParser(str(DOCKERFILE))
    found: list[Stage] = []
    for entry in parsed.structure:
        instruction, value = entry["instruction"], entry["value"]
        if instruction == "FROM":
            base, _, name = value.partition(" AS ")
            found.append(Stage(base.strip(), name.strip() or None))
        elif instruction != "COMMENT" and found:
            found[-1].instructions.append((instruction, value))
    return found


def final() -> Stage:
    return stages()[-1]


def exec_form(value: str) -> list[str]:
    """An instruction's JSON argument list (ENTRYPOINT ["lamplight"]); shell form fails."""
    argv = json.loads(value)
    assert isinstance(argv, list), f"not an exec-form list: {value}"
    return [str(arg) for arg in argv]


def command() -> list[str]:
    """What the container runs when started with no arguments: ENTRYPOINT + CMD."""
    stage = final()
    entrypoint, cmd = stage.last("ENTRYPOINT"), stage.last("CMD")
    assert entrypoint is not None and cmd is not None
    return exec_form(entrypoint) + exec_form(cmd)


def healthcheck() -> list[str]:
    """The HEALTHCHECK's command, without its options."""
    value = final().last("HEALTHCHECK")
    assert value is not None, "no HEALTHCHECK"
    _, _, argv = re.split(r"(^|\s)CMD\s", value, maxsplit=1)
    return exec_form(argv)


def environment() -> dict[str, str]:
    """The final stage's ENV, as the running container sees it."""
    return dict(DockerfileParser(str(DOCKERFILE)).envs)
