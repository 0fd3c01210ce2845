"""The plugin template renders into a working third-party plugin that core discovers unchanged."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def _uv() -> str:
    found = os.environ.get("UV") or shutil.which("uv") or str(ROOT / ".tools" / "bin" / "uv")
    if not Path(found).exists():
        pytest.fail("uv is needed for this test; run it through `make test`, which bootstraps uv")
    return found


def test_rendered_plugin_installs_is_listed_and_its_tests_pass(tmp_path: Path) -> None:
    dest = tmp_path / "topgun-foo"
    subprocess.run(
        [
            sys.executable,
            str(ROOT / "plugins-template" / "render.py"),
            "--slug",
            "foo",
            "--label",
            "Foo",
            "--host",
            "api.foo.example",
            str(dest),
        ],
        check=True,
        capture_output=True,
        timeout=60,
    )
    assert (dest / "src" / "topgun_foo" / "plugin.py").is_file()
    venv = tmp_path / "venv"
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in {"VIRTUAL_ENV", "UV_PROJECT_ENVIRONMENT"} and not k.startswith("TOPGUN_")
    }
    uv = _uv()
    subprocess.run(
        [uv, "venv", "-q", "--python", sys.executable, str(venv)], check=True, env=env, timeout=120
    )
    subprocess.run(
        [
            uv,
            "pip",
            "install",
            "-q",
            "--python",
            str(venv / "bin" / "python"),
            f"{ROOT / 'topgun-core'}[testing]",
            f"{dest}[test]",
        ],
        check=True,
        env=env,
        timeout=600,
    )
    listing = subprocess.run(
        [str(venv / "bin" / "topgun"), "exchanges"],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
        check=False,
    )
    assert listing.returncode == 0, listing.stderr
    assert "foo  (topgun-foo 0.1.0)" in listing.stdout
    assert "api.foo.example" in listing.stdout
    tests = subprocess.run(
        [
            str(venv / "bin" / "python"),
            "-m",
            "pytest",
            "-q",
            "-p",
            "no:cacheprovider",
            str(dest / "tests"),
        ],
        capture_output=True,
        text=True,
        env=env,
        cwd=dest,
        timeout=120,
        check=False,
    )
    assert tests.returncode == 0, tests.stdout + tests.stderr
    assert "1 passed" in tests.stdout
