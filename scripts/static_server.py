#!/usr/bin/env python3
"""Serves a folder on 127.0.0.1 with the MIME types the site needs (wasm streaming
compile requires application/wasm). Usage: static_server.py DIR PORT [HOST]"""
import functools
import http.server
import sys


# Only the fit card is meant to be framed by other sites; every other page refuses
# to be framed (a <meta> CSP cannot say frame-ancestors, so these are HTTP headers).
# README "Hosting" lists the same headers for other static servers.
FRAMEABLE = {"/card.html"}


def security_headers(path):
    page = path.split("?", 1)[0].split("#", 1)[0]
    if page.endswith("/"):
        page += "index.html"
    headers = [("X-Content-Type-Options", "nosniff"), ("Referrer-Policy", "no-referrer")]
    if page in FRAMEABLE:
        headers.append(("Content-Security-Policy", "frame-ancestors *"))
    elif page.endswith(".html"):
        headers += [("Content-Security-Policy", "frame-ancestors 'none'"), ("X-Frame-Options", "DENY")]
    return headers


class Handler(http.server.SimpleHTTPRequestHandler):
    extensions_map = {
        **http.server.SimpleHTTPRequestHandler.extensions_map,
        ".wasm": "application/wasm",
        ".mjs": "text/javascript",
        ".js": "text/javascript",
        ".json": "application/json",
        ".webmanifest": "application/manifest+json",
        ".svg": "image/svg+xml",
    }

    def end_headers(self):
        # The service worker decides what is cached; the browser must not keep stale copies.
        self.send_header("Cache-Control", "no-cache")
        for name, value in security_headers(self.path):
            self.send_header(name, value)
        super().end_headers()

    def log_message(self, *args):
        pass


def main():
    directory, port = sys.argv[1], int(sys.argv[2])
    host = sys.argv[3] if len(sys.argv) > 3 else "127.0.0.1"
    server = http.server.ThreadingHTTPServer((host, port), functools.partial(Handler, directory=directory))
    server.serve_forever()


if __name__ == "__main__":
    main()
