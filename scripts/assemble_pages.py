#!/usr/bin/env python3
"""Writes each page of web/*.html to the site folder with its <!--#include NAME-->
lines replaced by web/partials/NAME (partials may include others): one HTML head
(charset, CSP, icons) for every page. The pages that are only a script in the shared
shell are listed in web/shell-pages.json and written from partials/shell-page.html.
Usage: assemble_pages.py WEB_DIR OUT_DIR"""
import html
import json
import pathlib
import re
import sys

INCLUDE = re.compile(r"^<!--#include ([a-z0-9-]+\.html)-->$")


def assemble_text(text: str, partials: pathlib.Path, depth: int = 0) -> str:
    if depth > 4:
        sys.exit("partials nest deeper than 4 levels")
    out = []
    for line in text.splitlines(keepends=True):
        match = INCLUDE.match(line.strip())
        if not match:
            out.append(line)
            continue
        part = partials / match.group(1)
        if not part.is_file():
            sys.exit(f"no partial {part}")
        out.append(assemble_text(part.read_text(encoding="utf-8"), partials, depth + 1))
    return "".join(out)


def main() -> None:
    web, dist = pathlib.Path(sys.argv[1]), pathlib.Path(sys.argv[2])
    partials = web / "partials"
    for page in sorted(web.glob("*.html")):
        (dist / page.name).write_text(assemble_text(page.read_text(encoding="utf-8"), partials), encoding="utf-8")
    shell = (partials / "shell-page.html").read_text(encoding="utf-8")
    for entry in json.loads((web / "shell-pages.json").read_text(encoding="utf-8"))["pages"]:
        text = shell.replace("{{title}}", html.escape(entry["title"])).replace("{{script}}", html.escape(entry["script"]))
        (dist / entry["page"]).write_text(assemble_text(text, partials), encoding="utf-8")


if __name__ == "__main__":
    main()
