# -*- coding: utf-8 -*-
# Copyright: (c) 2026, clawops contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The collection's self-contained report pages (compliance report, fleet report): one style,
escaped tables, and the page's data riding along as JSON - nothing loaded, nothing executed.

Pure: no Ansible.
"""

from __future__ import annotations

import html
import json

from ._files import write_atomic

STYLE = ("body{font:14px/1.45 system-ui,sans-serif;margin:2em;color:#1b1b1b}"
         "h1{font-size:1.5em}h2{font-size:1.15em;margin-top:1.8em}h3{font-size:1.05em;margin-top:1.4em}"
         "table{border-collapse:collapse;margin:.5em 0}th,td{border:1px solid #ccc;"
         "padding:.25em .6em;text-align:left;vertical-align:top}th{background:#f2f2f2}"
         ".bad{color:#a40000;font-weight:600}.ok{color:#136f2d;font-weight:600}"
         ".warn{color:#8a5a00;font-weight:600}"
         ".note{color:#555}.cards{display:flex;gap:1em;flex-wrap:wrap}"
         ".card{border:1px solid #ccc;border-radius:6px;padding:.6em 1em;min-width:9em}"
         ".card b{display:block;font-size:1.6em}"
         "section.gateway{border-top:2px solid #ddd;margin-top:2em}"
         "details{margin:.4em 0}summary{cursor:pointer;color:#234}code{font-size:.95em}")

# the page carries its data as JSON (a person's browser shows the tables; a program, or a
# second run deciding whether anything changed, reads this)
DATA_OPEN = '<script type="application/json" id="report-data">'


def esc(value):
    return html.escape("" if value is None else str(value))


def page_data(text):
    """The data a page (``page``) carries."""
    return json.loads(text.split(DATA_OPEN, 1)[1].split("</script>", 1)[0]
                      .replace("<\\/", "</"))


def table(headers, rows, empty="none", classes=None):
    """An escaped table; ``classes``: per row, a CSS class for the row (or None)."""
    if not rows:
        return '<p class="note">%s</p>' % esc(empty)
    head = "".join("<th>%s</th>" % esc(h) for h in headers)
    body = "".join("<tr%s>%s</tr>" % (
        ' class="%s"' % esc(classes[index]) if classes and classes[index] else "",
        "".join("<td>%s</td>" % esc(cell) for cell in row)) for index, row in enumerate(rows))
    return "<table><thead><tr>%s</tr></thead><tbody>%s</tbody></table>" % (head, body)


def cards(items):
    """Summary figures: [(name, value)]."""
    return '<div class="cards">%s</div>' % "".join(
        '<div class="card" data-card="%s"><b>%s</b>%s</div>' % (esc(name), esc(value), esc(name))
        for name, value in items)


def page(title, body_parts, data):
    """The whole page: title, the parts (already escaped HTML), the data as JSON."""
    return "\n".join([
        "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\">",
        "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">",
        "<title>%s</title><style>%s</style></head><body>" % (esc(title), STYLE),
    ] + list(body_parts) + [
        DATA_OPEN + json.dumps(data, sort_keys=True).replace("</", "<\\/") + "</script>",
        "</body></html>",
    ]) + "\n"


def write_private(path, text):
    """Write a report file atomically, 0600 in a 0700 directory (reports name the fleet's
    gateways and people)."""
    write_atomic(path, text, 0o600, 0o700)
