"""Render the plugin template: ``python render.py --slug foo --host api.foo.example DEST``."""

from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path

TEMPLATE = Path(__file__).resolve().parent / "template"


def render(
    slug: str, label: str, host: str, dest: Path, author: str = "", url: str = ""
) -> list[Path]:
    if not re.fullmatch(r"[a-z][a-z0-9_]*", slug):
        raise SystemExit(f"--slug must be lower-case letters, digits and underscores, not {slug!r}")
    if dest.exists() and any(dest.iterdir()):
        raise SystemExit(f"{dest} exists and is not empty")
    dist_slug = slug.replace("_", "-")
    dist = f"topgun-{dist_slug}"
    if url and not url.startswith("https://"):
        raise SystemExit(f"--url must be an https:// link, not {url!r}")
    values = {
        "SLUG": slug,
        "LABEL": label,
        "HOST": host,
        "DIST": dist,
        "DIST_SLUG": dist_slug,
        "AUTHOR": author or f"The {dist} authors",
        "URL": url or f"https://github.com/your-account/{dist}",
    }
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
    parser.add_argument("--author", default="", help="who the license names (default: the authors)")
    parser.add_argument("--url", default="", help="the plugin's repository (https://...)")
    parser.add_argument("dest", type=Path)
    args = parser.parse_args(argv)
    label = args.label or args.slug
    for path in render(args.slug, label, args.host, args.dest, args.author, args.url):
        print(path)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
