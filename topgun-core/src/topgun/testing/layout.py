"""The declared layout of an exchange distribution, checked from its files (docs/plugins.rst).

``layout_problems`` checks the file set, the ``pyproject.toml`` fields, the test file names, that
``plugin.py`` holds hook implementations and constants only, and (importing the installed plugin)
that hosts, API names and DataStores are declared where the layout says. It returns every
departure, each saying where and what to do, so one run shows them all.
"""

from __future__ import annotations

import ast
import importlib
import re
import tomllib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

__all__ = [
    "CLASSIFIERS",
    "EXTRAS",
    "REQUIRED_MODULES",
    "REQUIRED_TESTS",
    "TEST_EXTRA",
    "URLS",
    "layout_problems",
]

REQUIRED_MODULES = ("__init__.py", "plugin.py", "auth.py", "py.typed")
"""Files every package has; ``ws.py`` too where it registers WebSocket behaviour, and ``store.py``
(or a ``store/`` package) where it registers DataStores."""

REQUIRED_TESTS = ("http", "plugin")
"""``tests/test_<slug>_<part>.py`` every distribution has; ``ws`` and ``store`` too where it has
those parts."""

CLASSIFIERS = (
    "Framework :: AsyncIO",
    "Programming Language :: Python :: 3 :: Only",
    "Typing :: Typed",
)
URLS = ("Homepage", "Repository", "Issues")
EXTRAS = {"rsa": ["cryptography>=42"]}
"""The optional extras with one meaning everywhere: ``rsa`` signs with PEM private keys."""
TEST_EXTRA = "test"
"""A plugin outside the topgun workspace (the template's) lists its test requirements here."""

_CONSTANT = re.compile(r"_?[A-Z][A-Z0-9_]*")
_STORE_BASES = frozenset({"DataStore", "DataStoreCollection", "OrderBookStore"})


def _project(folder: Path) -> dict[str, Any]:
    project: dict[str, Any] = tomllib.loads((folder / "pyproject.toml").read_text())["project"]
    return project


def _pyproject_problems(
    folder: Path, project: dict[str, Any], slug: str, uses_rsa: bool
) -> Iterator[str]:
    where = f"{folder.name}/pyproject.toml"
    if project.get("name") != folder.name or not re.fullmatch(
        r"topgun-[a-z][a-z0-9-]*", folder.name
    ):
        yield f"{where}: name must be the folder's name, topgun-<slug>, not {project.get('name')!r}"
    description = project.get("description", "")
    if not isinstance(description, str) or not description.strip() or "\n" in description:
        yield f"{where}: description must be one non-empty line"
    if project.get("readme") != "README.md":
        yield f'{where}: readme = "README.md"'
    if project.get("requires-python") != ">=3.11":
        yield f'{where}: requires-python = ">=3.11"'
    if not isinstance(project.get("license"), str) or not project.get("license-files"):
        yield f'{where}: license (an SPDX expression) and license-files (["LICENSE"]) are required'
    for name in project.get("license-files", []):
        if not (folder / name).is_file():
            yield f"{where}: license-files names {name}, which does not exist"
    if not project.get("authors"):
        yield f"{where}: authors is required"
    keywords = project.get("keywords", [])
    if "topgun" not in keywords or slug.replace("_", "-") not in keywords:
        yield f"{where}: keywords must include 'topgun' and {slug.replace('_', '-')!r}"
    missing = [c for c in CLASSIFIERS if c not in project.get("classifiers", [])]
    if missing:
        yield f"{where}: classifiers must include {missing}"
    urls = project.get("urls", {})
    missing = [name for name in URLS if not str(urls.get(name, "")).startswith("https://")]
    if missing:
        yield f"{where}: [project.urls] needs https links for {missing}"
    module = f"topgun_{slug}.plugin"
    points = project.get("entry-points", {}).get("topgun")
    if points != {slug: module}:
        yield f'{where}: [project.entry-points.topgun] must be exactly {slug} = "{module}"'
    dependencies = project.get("dependencies", [])
    if not any(re.match(r"topgun-core\s*>=", d) for d in dependencies):
        yield f"{where}: dependencies must include topgun-core with a lower bound"
    if any(re.match(r"cryptography\b", d) for d in dependencies):
        yield f"{where}: cryptography goes in the optional extra rsa, not in dependencies"
    extras = dict(project.get("optional-dependencies", {}))
    extras.pop(TEST_EXTRA, None)
    for name, requirements in extras.items():
        if name not in EXTRAS:
            yield f"{where}: extra {name!r} is not one of {sorted(EXTRAS)} (or {TEST_EXTRA!r})"
        elif requirements != EXTRAS[name]:
            yield f"{where}: extra {name} must be exactly {EXTRAS[name]}"
    if uses_rsa != ("rsa" in extras):
        need = (
            "signs with PEM keys (cryptography), so it needs"
            if uses_rsa
            else "never signs with PEM keys, so drop"
        )
        yield f"{where}: the package {need} the extra rsa = {EXTRAS['rsa']}"


def _modules(package: Path) -> Iterator[tuple[Path, ast.Module]]:
    for path in sorted(package.rglob("*.py")):
        yield path, ast.parse(path.read_text(encoding="utf-8"), str(path))


def _uses_rsa(trees: list[tuple[Path, ast.Module]]) -> bool:
    rsa_helpers = {"rsa_private_key", "rsa_sha256_b64"}
    for _, tree in trees:
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and node.module:
                if node.module.split(".")[0] == "cryptography":
                    return True
                if node.module == "topgun.plugin" and rsa_helpers & {a.name for a in node.names}:
                    return True
            if isinstance(node, ast.Import) and any(
                a.name.split(".")[0] == "cryptography" for a in node.names
            ):
                return True
    return False


def _base_name(node: ast.expr) -> str:
    if isinstance(node, ast.Subscript):
        node = node.value
    if isinstance(node, ast.Attribute):
        return node.attr
    return node.id if isinstance(node, ast.Name) else ""


def _is_hookimpl(decorator: ast.expr) -> bool:
    return _base_name(decorator) == "hookimpl"


def _plugin_module_problems(path: Path, tree: ast.Module, shown: str) -> Iterator[str]:
    for index, node in enumerate(tree.body):
        if isinstance(node, ast.Expr) and index == 0 and isinstance(node.value, ast.Constant):
            continue  # the module docstring
        if isinstance(node, ast.Import | ast.ImportFrom):
            continue
        if isinstance(node, ast.If) and _base_name(node.test) == "TYPE_CHECKING":
            continue
        if isinstance(node, ast.Assign | ast.AnnAssign):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            for target in targets:
                name = target.id if isinstance(target, ast.Name) else ast.unparse(target)
                if not _CONSTANT.fullmatch(name):
                    yield f"{shown}:{node.lineno}: {name}: plugin.py holds UPPER_CASE constants only"
            continue
        if isinstance(node, ast.FunctionDef) and node.name.startswith("topgun_register_"):
            if not any(_is_hookimpl(d) for d in node.decorator_list):
                yield f"{shown}:{node.lineno}: {node.name} must be decorated with @hookimpl"
            continue
        what = getattr(node, "name", type(node).__name__)
        yield (
            f"{shown}:{node.lineno}: {what}: plugin.py holds hook implementations and the "
            "constants they register only; move it to auth.py, ws.py, store or a module of its own"
        )


def _registers_websockets(plugin: ast.Module) -> bool:
    """Whether a ``Host(...)`` in ``plugin.py`` carries WebSocket behaviour (``ws_*=``)."""
    return any(
        isinstance(node, ast.Call)
        and _base_name(node.func) == "Host"
        and any((keyword.arg or "").startswith("ws_") for keyword in node.keywords)
        for node in ast.walk(plugin)
    )


def _package_problems(
    folder: Path,
    package: Path,
    trees: list[tuple[Path, ast.Module]],
    has_stores: bool,
    has_websockets: bool,
) -> Iterator[str]:
    for name in (*REQUIRED_MODULES, *(("ws.py",) if has_websockets else ())):
        if not (package / name).is_file():
            yield f"{folder.name}: src/{package.name}/{name} is missing"
    store_module = (package / "store.py").is_file()
    store_package = (package / "store" / "__init__.py").is_file()
    if store_module and store_package:
        yield f"{folder.name}: src/{package.name} has both store.py and store/; keep one"
    if has_stores and not (store_module or store_package):
        yield f"{folder.name}: it registers DataStores, so src/{package.name}/store.py (or store/) is required"
    if not has_stores and (store_module or store_package):
        yield f"{folder.name}: src/{package.name}/store holds no registered DataStore; drop it or register one"
    for path, tree in trees:
        relative = path.relative_to(package)
        shown = f"{folder.name}/src/{package.name}/{relative.as_posix()}"
        in_store = relative.parts[0] in ("store", "store.py")
        for node in ast.walk(tree):
            if (
                isinstance(node, ast.Call)
                and _base_name(node.func) == "Host"
                and relative.name != "plugin.py"
            ):
                yield f"{shown}:{node.lineno}: Host(...) is built in plugin.py only, where hosts are declared"
            if (
                isinstance(node, ast.ClassDef)
                and not in_store
                and _STORE_BASES & {_base_name(base) for base in node.bases}
            ):
                yield f"{shown}:{node.lineno}: {node.name} is a DataStore class; it belongs in store"
        if relative == Path("plugin.py"):
            yield from _plugin_module_problems(path, tree, shown)


def _test_problems(
    folder: Path, slug: str, has_stores: bool, has_websockets: bool
) -> Iterator[str]:
    tests = folder / "tests"
    required = [
        *REQUIRED_TESTS,
        *(("ws",) if has_websockets else ()),
        *(("store",) if has_stores else ()),
    ]
    for part in required:
        if not (tests / f"test_{slug}_{part}.py").is_file():
            yield f"{folder.name}: tests/test_{slug}_{part}.py is missing"
    for path in sorted(tests.rglob("*.py")) if tests.is_dir() else []:
        name = path.relative_to(tests).as_posix()
        if name == "conftest.py" or re.fullmatch(rf"(test_)?{slug}_[a-z0-9_]+\.py", name):
            continue
        yield (
            f"{folder.name}: tests/{name}: test modules are named test_{slug}_<topic>.py "
            f"(helpers {slug}_<topic>.py, fixtures conftest.py), directly in tests/"
        )


def _registration_problems(folder: Path, slug: str, plugin_path: Path) -> Iterator[str]:
    from ..registry import build_registry

    module = importlib.import_module(f"topgun_{slug}.plugin")
    registry = build_registry([module], strict=True)
    tree = ast.parse(plugin_path.read_text(encoding="utf-8"))
    in_tables: set[str] = set()
    for node in tree.body:
        if isinstance(node, ast.Assign | ast.AnnAssign):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            names = [t.id for t in targets if isinstance(t, ast.Name)]
            if node.value is not None and any(n.endswith(("HOST", "HOSTS")) for n in names):
                in_tables |= {
                    c.value
                    for c in ast.walk(node.value)
                    if isinstance(c, ast.Constant) and isinstance(c.value, str)
                }
    shown = f"{folder.name}/src/topgun_{slug}/plugin.py"
    for host in sorted(registry.hosts):
        if host not in in_tables:
            yield f"{shown}: host {host} must be declared in a *_HOST or *_HOSTS constant of plugin.py"
    declared = {
        value
        for name, value in vars(module).items()
        if (name == "API" or name.endswith("_API")) and isinstance(value, str)
    }
    if declared != set(registry.apis):
        yield (
            f"{shown}: the API names {sorted(registry.apis)} must be the values of its API / "
            f"<KIND>_API constants, which are {sorted(declared)}"
        )
    store_module = f"topgun_{slug}.store"
    for name, cls in sorted(registry.datastores.items()):
        if cls.__module__ != store_module and not cls.__module__.startswith(store_module + "."):
            yield f"{shown}: DataStore {name} is defined in {cls.__module__}, not in {store_module}"


def layout_problems(folder: Path, *, registration: bool = True) -> list[str]:
    """How the distribution in ``folder`` departs from the declared layout (docs/plugins.rst).

    ``registration`` also imports its installed plugin module and builds a registry from it, to
    check that hosts, API names and DataStores are declared where the layout says."""
    project = _project(folder)
    slug = folder.name.removeprefix("topgun-").replace("-", "_")
    package = folder / "src" / f"topgun_{slug}"
    if not package.is_dir():
        return [f"{folder.name}: the import package src/topgun_{slug}/ is missing"]
    trees = list(_modules(package))
    plugin_path = package / "plugin.py"
    has_stores = (
        plugin_path.is_file() and "def topgun_register_datastores" in plugin_path.read_text()
    )
    problems = list(_pyproject_problems(folder, project, slug, _uses_rsa(trees)))
    readme = folder / "README.md"
    if not readme.is_file() or not readme.read_text().startswith(f"# {folder.name}\n"):
        problems.append(f"{folder.name}: README.md must start with '# {folder.name}'")
    plugin_tree = dict(trees).get(plugin_path)
    has_websockets = plugin_tree is not None and _registers_websockets(plugin_tree)
    problems.extend(_package_problems(folder, package, trees, has_stores, has_websockets))
    problems.extend(_test_problems(folder, slug, has_stores, has_websockets))
    if registration and plugin_path.is_file():
        problems.extend(_registration_problems(folder, slug, plugin_path))
    return problems
