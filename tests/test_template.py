"""The plugin template's README works as written, and the rendered plugin's own README too.

On a fresh copy of the checkout: the template README's commands run literally (render, a new
virtual environment, core from the checkout, the plugin with its test extra, pytest with warnings
as errors); then the rendered plugin's README commands run literally in that environment, and
core discovers the plugin unchanged, and it has the declared layout.
"""

from __future__ import annotations

import re
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest
from processes import run

from topgun.testing import import_problems

Shell = Callable[[str, Path], str]


def _all_passed(out: str) -> bool:
    """pytest's summary: the conformance suite's checks ran, none failed, nothing to warn about."""
    summary = re.search(r"(\d+) passed", out)
    return summary is not None and int(summary.group(1)) > 1 and "failed" not in out


@pytest.mark.timeout(600)  # fresh venvs and package installs: slow on a loaded machine
def test_template_readme_then_rendered_readme(
    fresh_checkout: Path,
    newcomer_env: dict[str, str],
    shell: Shell,
    sh_blocks: Callable[[str], list[str]],
) -> None:
    (commands,) = sh_blocks((fresh_checkout / "plugins-template" / "README.md").read_text())
    out = shell(commands, fresh_checkout)
    assert _all_passed(out) and "warning" not in out.lower(), out

    plugin = fresh_checkout.parent / "topgun-foo"
    assert (plugin / "src" / "topgun_foo" / "plugin.py").is_file()
    (own,) = sh_blocks((plugin / "README.md").read_text())
    out = shell(f". .venv/bin/activate\n{own}", plugin)
    assert _all_passed(out) and "warning" not in out.lower(), out

    def in_plugin(command: str, *args: str) -> subprocess.CompletedProcess[str]:
        """A command of the plugin's virtual environment, run in the plugin's folder."""
        venv_bin = plugin / ".venv" / "bin"
        return run(
            [str(venv_bin / command), *args], cwd=plugin, env=newcomer_env, timeout=120, check=False
        )

    # Nothing to warn about at all, whatever the settings: pytest's whole output, both streams.
    again = in_plugin("pytest", "-q", "-p", "no:cacheprovider", "-W", "default")
    assert again.returncode == 0, again.stdout + again.stderr
    assert "warn" not in (again.stdout + again.stderr).lower(), again.stdout + again.stderr

    # The declared layout (docs/plugins.rst), checked where the plugin is installed, so its
    # registration is checked too; and the imports of its sources and tests.
    check = "import pathlib; from topgun.testing import layout_problems as p; print(p(pathlib.Path.cwd()))"
    layout = in_plugin("python", "-c", check)
    assert layout.returncode == 0 and layout.stdout.strip() == "[]", layout.stdout + layout.stderr
    assert import_problems([plugin / "src", plugin / "tests"], plugin) == []

    listing = in_plugin("topgun", "exchanges")
    assert listing.returncode == 0, listing.stderr
    assert "foo  (topgun-foo 0.1.0)" in listing.stdout
    assert "api.foo.example" in listing.stdout
