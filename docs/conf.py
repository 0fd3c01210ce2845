"""Sphinx configuration for the topgun documentation site.

The build is offline (no intersphinx) and strict: ``make docs`` passes ``-W`` and every reference
to a topgun name must resolve (``nitpicky``). Only names of the standard library and third-party
packages, which have no pages here, are listed in ``nitpick_ignore_regex``.
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent / "_ext"))

project = "topgun"
author = "topgun developers"
extensions = [
    "sphinx.ext.autodoc",
    "myst_parser",  # for CHANGELOG.md, included by changelog.rst
    "topgun_typing",
    "topgun_api",
    "topgun_exchanges",
]
source_suffix = {".rst": "restructuredtext"}  # Markdown is only ever included, never a page
autodoc_member_order = "bysource"
html_theme = "alabaster"
exclude_patterns = ["_build"]

nitpicky = True
nitpick_ignore_regex = [
    # The standard library and third-party packages: no intersphinx offline, so no pages to link.
    (
        "py:(class|mod|obj|data|exc|func)",
        r"(collections|typing|asyncio|_asyncio|pathlib|os|"
        r"sqlite3|logging|types|enum|concurrent\.futures|socket|random|ssl|ipaddress)(\..*)?",
    ),
    (
        "py:(class|mod|obj|data|exc|func)",
        r"(aiohttp|yarl|multidict|orjson|cryptography|pytest|"
        r"pluggy|eth_account|zstandard|pyarrow)(\..*)?",
    ),
]
