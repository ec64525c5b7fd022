#!/usr/bin/env python3
"""Writes each page of web/*.html to the site folder with its <!--#include NAME-->
lines replaced by web/partials/NAME (partials may include others): one HTML head
(charset, CSP, icons) for every page. The pages that are only a script in the shared
shell are listed in web/shell-pages.json and written from partials/shell-page.html.
A <!--#catalog-preload--> line becomes a preload of each catalog file the module loads
(OUT_DIR/data/catalog-files.json, written by the core before this runs).
Usage: assemble_pages.py WEB_DIR OUT_DIR"""
import html
import json
import pathlib
import re
import sys

INCLUDE = re.compile(r"^<!--#include ([a-z0-9-]+\.html)-->$")
CATALOG_PRELOAD = "<!--#catalog-preload-->"
CATALOG_NAME = re.compile(r"^[a-z0-9_-]+\.json$")


def catalog_preload(dist: pathlib.Path) -> str:
    """Preload links for the catalog list and every file in it (fetched as runwell.mjs fetches them)."""
    listed = json.loads((dist / "data" / "catalog-files.json").read_text(encoding="utf-8"))
    names = ["catalog-files.json"] + listed
    if not all(isinstance(n, str) and CATALOG_NAME.match(n) for n in names):
        sys.exit("catalog-files.json lists a name that is not a plain .json file name")
    return "".join(f'<link rel="preload" href="data/{n}" as="fetch" crossorigin>\n' for n in names)


def assemble_text(text: str, partials: pathlib.Path, preload: str, depth: int = 0) -> str:
    if depth > 4:
        sys.exit("partials nest deeper than 4 levels")
    out = []
    for line in text.splitlines(keepends=True):
        if line.strip() == CATALOG_PRELOAD:
            out.append(preload)
            continue
        match = INCLUDE.match(line.strip())
        if not match:
            out.append(line)
            continue
        part = partials / match.group(1)
        if not part.is_file():
            sys.exit(f"no partial {part}")
        out.append(assemble_text(part.read_text(encoding="utf-8"), partials, preload, depth + 1))
    return "".join(out)


def main() -> None:
    web, dist = pathlib.Path(sys.argv[1]), pathlib.Path(sys.argv[2])
    partials = web / "partials"
    preload = catalog_preload(dist)
    for page in sorted(web.glob("*.html")):
        (dist / page.name).write_text(assemble_text(page.read_text(encoding="utf-8"), partials, preload), encoding="utf-8")
    shell = (partials / "shell-page.html").read_text(encoding="utf-8")
    for entry in json.loads((web / "shell-pages.json").read_text(encoding="utf-8"))["pages"]:
        text = shell.replace("{{title}}", html.escape(entry["title"])).replace("{{script}}", html.escape(entry["script"]))
        (dist / entry["page"]).write_text(assemble_text(text, partials, preload), encoding="utf-8")


if __name__ == "__main__":
    main()
