"""Sphinx configuration for the topgun documentation site."""

project = "topgun"
author = "topgun developers"
extensions = ["sphinx.ext.autodoc"]  # no intersphinx: the docs build offline
autodoc_member_order = "bysource"
html_theme = "alabaster"
exclude_patterns = ["_build"]
nitpicky = False
suppress_warnings = ["ref.class", "ref.meth", "ref.attr", "ref.mod"]
