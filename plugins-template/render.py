"""Render the plugin template: ``python render.py --slug foo --host api.foo.example DEST``."""

from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path

TEMPLATE = Path(__file__).resolve().parent / "template"


def render(slug: str, label: str, host: str, dest: Path) -> list[Path]:
    if not re.fullmatch(r"[a-z][a-z0-9_]*", slug):
        raise SystemExit(f"--slug must be lower-case letters, digits and underscores, not {slug!r}")
    if dest.exists() and any(dest.iterdir()):
        raise SystemExit(f"{dest} exists and is not empty")
    values = {"SLUG": slug, "LABEL": label, "HOST": host, "DIST": f"topgun-{slug.replace('_', '-')}"}
    written: list[Path] = []
    for source in sorted(TEMPLATE.rglob("*")):
        if source.is_dir() or "__pycache__" in source.parts:
            continue
        relative = Path(*(part.replace("SLUG", slug) for part in source.relative_to(TEMPLATE).parts))
        target = dest / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        text = source.read_text()
        for name, value in values.items():
            text = text.replace("{{" + name + "}}", value)
        target.write_text(text)
        written.append(target)
    return written


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--slug", required=True, help="exchange slug: API name and entry-point name")
    parser.add_argument("--label", default="", help="human name of the exchange")
    parser.add_argument("--host", required=True, help="the exchange's HTTP API host")
    parser.add_argument("dest", type=Path)
    args = parser.parse_args(argv)
    for path in render(args.slug, args.label or args.slug, args.host, args.dest):
        print(path)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
