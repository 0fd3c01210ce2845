"""Every distribution's metadata is what publishing needs, declared the same way everywhere.

The built files are checked by ``twine check`` in test_dist.py; this checks the sources, quickly,
and names the distribution that lacks something.
"""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import pytest

from topgun.registry import get_registry

ROOT = Path(__file__).resolve().parent.parent
FOLDERS = [ROOT, ROOT / "topgun-core", *sorted((ROOT / "topgun-exchanges").glob("topgun-*"))]


def _project(folder: Path) -> dict[str, object]:
    project: dict[str, object] = tomllib.loads((folder / "pyproject.toml").read_text())["project"]
    return project


@pytest.mark.parametrize("folder", FOLDERS, ids=lambda f: f.name)
def test_publish_ready(folder: Path) -> None:
    project = _project(folder)
    assert project["requires-python"] == ">=3.11"
    assert project["license"] == "MIT" and project["license-files"] == ["LICENSE"]
    assert (folder / "LICENSE").read_bytes() == (ROOT / "LICENSE").read_bytes()
    assert project["readme"] == "README.md"
    readme = (folder / "README.md").read_text()
    assert readme.startswith(f"# {project['name']}\n"), "the README must be this distribution's own"
    assert str(project["description"]).strip()
    classifiers = project["classifiers"]
    assert isinstance(classifiers, list) and "Programming Language :: Python :: 3.11" in classifiers
    assert project["urls"] == _project(ROOT)["urls"]  # one home for all, changed in one go


@pytest.mark.parametrize("folder", FOLDERS[2:], ids=lambda f: f.name)
def test_exchange_readme_names_its_install_and_credentials(folder: Path) -> None:
    readme = (folder / "README.md").read_text()
    wheel = folder.name.replace("-", "_")
    assert f"dist/topgun_core-*.whl dist/{wheel}-*.whl" in readme
    assert f"pip install topgun-core {folder.name}" in readme
    assert "apis = {" in readme


@pytest.mark.parametrize("folder", FOLDERS[2:], ids=lambda f: f.name)
def test_exchange_readme_lists_exactly_the_registered_api_names(folder: Path) -> None:
    registry = get_registry()
    (plugin,) = [p for p in registry.plugins if p.distribution == folder.name]
    rows = re.findall(
        r"^\| `(\w+)` \| [^|]+ \| `\[([^\]]*)\]` \|$", (folder / "README.md").read_text(), re.M
    )
    expected = []
    for api in plugin.apis:
        spec = registry.apis[api]
        expected.append((api, ", ".join([*spec.fields, *(f"{f}?" for f in spec.optional_fields)])))
    assert rows == expected, f"{folder.name}/README.md: the Credentials table must list {expected}"


@pytest.mark.parametrize("folder", FOLDERS[2:], ids=lambda f: f.name)
def test_exchange_readme_lists_its_datastores_and_links_its_page(folder: Path) -> None:
    """A user landing on the distribution's page sees every DataStore it registers, with its
    stores, and the exchange's page of the documentation (which exists)."""
    registry = get_registry()
    (plugin,) = [p for p in registry.plugins if p.distribution == folder.name]
    readme = (folder / "README.md").read_text()
    listed = re.findall(r"^- `topgun\.(\w+)`: (.+)$", readme, re.M)
    expected = [
        (name, ", ".join(f"`{store}`" for store in registry.datastores[name]()))
        for name in plugin.datastores
    ]
    assert listed == expected, (
        f"{folder.name}/README.md: the DataStores section must list {expected}"
    )
    assert ("## DataStores" in readme) == bool(plugin.datastores)
    page = f"https://github.com/topgun-py/topgun/blob/main/docs/{plugin.name}.rst"
    assert f"]({page})" in readme
    assert (ROOT / "docs" / f"{plugin.name}.rst").is_file()
