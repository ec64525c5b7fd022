#!/usr/bin/env python3
"""Writes each page of web/*.html to the site folder with its <!--#include NAME-->
lines replaced by web/partials/NAME: one HTML head (charset, CSP, icons) for every
page. Usage: assemble_pages.py WEB_DIR OUT_DIR"""
import pathlib
import re
import sys

INCLUDE = re.compile(r"^<!--#include ([a-z0-9-]+\.html)-->$")


def assemble(page: pathlib.Path, partials: pathlib.Path) -> str:
    out = []
    for line in page.read_text(encoding="utf-8").splitlines(keepends=True):
        match = INCLUDE.match(line.strip())
        if not match:
            out.append(line)
            continue
        part = partials / match.group(1)
        if not part.is_file():
            sys.exit(f"{page}: no partial {part}")
        out.append(part.read_text(encoding="utf-8"))
    return "".join(out)


def main() -> None:
    web, dist = pathlib.Path(sys.argv[1]), pathlib.Path(sys.argv[2])
    for page in sorted(web.glob("*.html")):
        (dist / page.name).write_text(assemble(page, web / "partials"), encoding="utf-8")


if __name__ == "__main__":
    main()
