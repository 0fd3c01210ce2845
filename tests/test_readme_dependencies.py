"""The README's list of topgun-core's runtime dependencies states the bounds core really requires."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
REQUIREMENT = re.compile(r"(?P<name>[A-Za-z0-9_.-]+)(?:\[[^\]]*\])?>=(?P<bound>[0-9][0-9.]*)")
README_ITEM = re.compile(r"^- `(?P<name>[A-Za-z0-9_.-]+)` \(>= (?P<bound>[0-9][0-9.]*)\)", re.M)


def _core_requirements() -> dict[str, str]:
    project = tomllib.loads((ROOT / "topgun-core" / "pyproject.toml").read_text())["project"]
    found: dict[str, str] = {}
    for requirement in [*project["dependencies"], *project["optional-dependencies"]["testing"]]:
        match = REQUIREMENT.fullmatch(requirement.replace(" ", ""))
        assert match, f"topgun-core requirement {requirement!r} has no plain lower bound"
        found[match["name"]] = match["bound"]
    return found


def test_readme_lists_every_core_dependency_with_its_bound() -> None:
    readme = (ROOT / "README.md").read_text()
    section = readme.split("## Runtime dependencies of topgun-core", 1)[1].split("\n## ", 1)[0]
    listed = {m["name"]: m["bound"] for m in README_ITEM.finditer(section)}
    assert listed == _core_requirements()
