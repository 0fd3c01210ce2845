"""The Sphinx site: it builds cleanly, and it documents what the code provides.

- Every warning is an error (``-W``, as in ``make docs``) and the build is nitpicky: a reference
  to a topgun name that does not resolve fails it. A fresh output directory, so no cached
  environment hides a warning in a page that did not change. No network (no intersphinx).
- Each installed exchange plugin has its page, whose registered facts (API names, hosts,
  DataStores and every one of their stores) are generated from the registry, not copied.
"""

from __future__ import annotations

import html
import importlib
import re
import runpy
import sys
from pathlib import Path

import pytest
from processes import run
from sphinx.util.inventory import InventoryFile

from topgun.registry import get_registry
from topgun_api import HOMES

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs"

# Whichever test runs first builds the site: above the build's own 300 s limit, so its output shows.
pytestmark = pytest.mark.timeout(330)


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("html")
    run([sys.executable, "-m", "sphinx", "-W", "-q", "-b", "html", str(DOCS), str(out)], cwd=ROOT)
    return out


def page_text(path: Path) -> str:
    """The words of a built page, without markup (``<wbr>`` and tags split long names)."""
    return html.unescape(re.sub(r"<[^>]+>", "", path.read_text(encoding="utf-8")))


def test_docs_build_without_warnings(site: Path) -> None:
    assert (site / "index.html").is_file()


def test_docs_are_nitpicky_about_topgun_names() -> None:
    """Broken links to our own names fail the build: nothing suppresses them or ignores them."""
    conf = runpy.run_path(str(DOCS / "conf.py"))
    assert conf["nitpicky"] is True
    assert not conf.get("suppress_warnings")
    assert not conf.get("nitpick_ignore")
    own = ["topgun", "topgun.Client", "topgun.store.Item", "topgun_okx.store.Books", "Handler"]
    for _kind, pattern in conf["nitpick_ignore_regex"]:
        matched = [name for name in own if re.fullmatch(pattern, name)]
        assert not matched, f"nitpick_ignore_regex {pattern!r} hides topgun names {matched}"


def test_every_registered_fact_is_on_its_exchange_page(site: Path) -> None:
    registry = get_registry()
    assert registry.plugins, "no exchange plugin installed: nothing to check"
    overview = page_text(site / "exchanges.html")
    problems: list[str] = []
    for info in registry.plugins:
        source = DOCS / f"{info.name}.rst"
        if not source.is_file():
            problems.append(f"{info.distribution}: no page docs/{info.name}.rst")
            continue
        if f".. topgun-exchange:: {info.name}\n" not in source.read_text(encoding="utf-8"):
            problems.append(f"docs/{info.name}.rst does not generate its facts (topgun-exchange)")
        text = page_text(site / f"{info.name}.html")
        expected = [*info.apis, *info.hosts]
        for name in info.datastores:
            expected.append(f"topgun.{name}")
            expected.extend(registry.datastores[name]())  # every store of the collection
        problems += [f"{info.name}.html lacks {item!r}" for item in expected if item not in text]
        problems += [
            f"exchanges.html lacks {item!r}"
            for item in [info.distribution, *info.apis, *(f"topgun.{n}" for n in info.datastores)]
            if item not in overview
        ]
    assert not problems, "\n".join(problems)


CORE_MODULES = (*HOMES, "topgun.testing.conformance", "topgun.ws.owner")
"""Core's public modules: the homes of re-exported names (docs/_ext/topgun_api.py), and two
whose names no other module exports."""
_MISSING = object()


def resolve(dotted: str) -> object:
    """The object a documented name stands for (attributes first: ``topgun.plugin.decompress`` is
    the function, though a submodule has that name too)."""
    parts = dotted.split(".")
    try:
        obj: object = importlib.import_module(parts[0])
    except ImportError:
        return _MISSING
    for index, part in enumerate(parts[1:], start=2):
        try:
            obj = getattr(obj, part)
        except AttributeError:
            try:
                obj = importlib.import_module(".".join(parts[:index]))
            except ImportError:
                return _MISSING
    return obj


def documented_python_names(site: Path) -> list[str]:
    inventory = InventoryFile.loads((site / "objects.inv").read_bytes(), uri="")
    entries = inventory.data if hasattr(inventory, "data") else inventory
    return [name for kind, names in entries.items() if kind.startswith("py:") for name in names]


def public_names() -> list[tuple[str, str, object]]:
    """(where, name, object) for every name users are given: the ``__all__`` of core's public
    modules and of each exchange package, every registered DataStore class and its store classes."""
    registry = get_registry()
    modules = [*CORE_MODULES, *(i.distribution.replace("-", "_") for i in registry.plugins)]
    found: list[tuple[str, str, object]] = []
    for module_name in modules:
        module = importlib.import_module(module_name)
        found += [(module_name, name, getattr(module, name)) for name in module.__all__]
    for public, cls in registry.datastores.items():
        found.append((f"topgun.{public}", cls.__name__, cls))
        collection = cls()
        for store in collection:
            kind = type(collection[store])
            found.append((f"topgun.{public}[{store!r}]", kind.__name__, kind))
    return found


def test_api_reference_documents_every_public_name(site: Path) -> None:
    documented: dict[str, list[object]] = {}
    for name in documented_python_names(site):
        documented.setdefault(name.rsplit(".", 1)[-1], []).append(resolve(name))
    missing = [
        f"{where}.{name}" if not where.endswith("]") else f"{where} ({name})"
        for where, name, obj in public_names()
        if not any(candidate is obj for candidate in documented.get(name, ()))
    ]
    assert not missing, "not in the API reference (autodoc):\n" + "\n".join(sorted(set(missing)))


KEEP_A_CHANGELOG_SECTIONS = {"Added", "Changed", "Deprecated", "Removed", "Fixed", "Security"}


def test_changelog_page_renders_changelog_md_in_keep_a_changelog_style(site: Path) -> None:
    """CHANGELOG.md is the one source: the page renders it; each version has only the sections
    Keep a Changelog names, at most once each, newest version first, back to 0.1.0."""
    text = (ROOT / "CHANGELOG.md").read_text(encoding="utf-8")
    versions = re.findall(r"^## \[([^\]]+)\]", text, flags=re.MULTILINE)
    assert versions[0] == "Unreleased" and versions[-1] == "0.1.0", versions
    for block in re.split(r"^## ", text, flags=re.MULTILINE)[1:]:
        sections = re.findall(r"^### (.+)$", block, flags=re.MULTILINE)
        version = block.splitlines()[0]
        assert set(sections) <= KEEP_A_CHANGELOG_SECTIONS, (version, sections)
        assert len(sections) == len(set(sections)), f"{version}: a section twice: {sections}"
    page = page_text(site / "changelog.html")
    assert all(f"[{version}]" in page for version in versions)
