"""Prints, one per line, the links of the entries of each feed URL given, as feedparser
reads them (an independent parser's view of what a feed reader shows)."""

import sys

import feedparser

for url in sys.argv[1:]:
    parsed = feedparser.parse(url)
    if parsed.bozo and not parsed.entries:
        print(f"error {url}: {parsed.bozo_exception}", file=sys.stderr)
        sys.exit(1)
    for entry in parsed.entries:
        print(f"{url} {entry.get('link', '')}")
