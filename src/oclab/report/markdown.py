"""The small, safe subset of Markdown used by the ODD documents, rendered to HTML.

No Markdown library is among oclab's dependencies, and the ODD documents (``docs/odd/*.md``) use
only headings, paragraphs, bullet and numbered lists, pipe tables, inline code, bold, italics and
HTML comments. This renderer handles exactly that and escapes everything else, so a document can
never inject markup or scripts into the report. Links are written as ``text (address)`` in plain
text: the report makes no external references.
"""

from __future__ import annotations

import re
from html import escape

from markupsafe import Markup

_COMMENT = re.compile(r"<!--.*?-->", re.DOTALL)
_HEADING = re.compile(r"^(#{1,6})\s+(.*)$")
_BULLET = re.compile(r"^\s*[-*+]\s+(.*)$")
_NUMBERED = re.compile(r"^\s*\d+[.)]\s+(.*)$")
_TABLE_RULE = re.compile(r"^\s*\|?\s*:?-{3,}:?\s*(\|\s*:?-{3,}:?\s*)*\|?\s*$")
_CODE = re.compile(r"`([^`]+)`")
_BOLD = re.compile(r"\*\*(.+?)\*\*")
_ITALIC = re.compile(r"(?<![\w*])\*(?!\s)(.+?)(?<!\s)\*(?![\w*])")
_LINK = re.compile(r"\[([^\]]+)\]\(([^)\s]+)\)")


def inline(text: str) -> str:
    """Inline Markdown (code, bold, italics, links) as escaped HTML."""
    pieces = _CODE.split(text)
    out = []
    for index, piece in enumerate(pieces):
        if index % 2:
            out.append(f"<code>{escape(piece, quote=False)}</code>")
            continue
        piece = _LINK.sub(lambda m: f"{m.group(1)} ({m.group(2)})", piece)
        piece = escape(piece, quote=False)
        piece = _BOLD.sub(r"<strong>\1</strong>", piece)
        piece = _ITALIC.sub(r"<em>\1</em>", piece)
        out.append(piece)
    return "".join(out)


def _cells(line: str) -> list[str]:
    return [c.strip() for c in line.strip().strip("|").split("|")]


def _table(lines: list[str]) -> str:
    header, body = _cells(lines[0]), [_cells(line) for line in lines[2:]]
    head = "".join(f"<th>{inline(c)}</th>" for c in header)
    rows = "".join("<tr>" + "".join(f"<td>{inline(c)}</td>" for c in r) + "</tr>" for r in body)
    return f"<table><thead><tr>{head}</tr></thead><tbody>{rows}</tbody></table>"


def to_html(text: str, heading_offset: int = 2) -> Markup:
    """Render ``text`` (the subset above) to HTML; headings are shifted down ``heading_offset``."""
    lines = _COMMENT.sub("", text).splitlines()
    html: list[str] = []
    paragraph: list[str] = []
    items: list[str] = []
    list_tag = ""

    def flush() -> None:
        nonlocal list_tag
        if paragraph:
            html.append(f"<p>{inline(' '.join(paragraph))}</p>")
            paragraph.clear()
        if items:
            html.append(f"<{list_tag}>" + "".join(f"<li>{inline(i)}</li>" for i in items))
            html.append(f"</{list_tag}>")
            items.clear()
            list_tag = ""

    i = 0
    while i < len(lines):
        line = lines[i]
        heading = _HEADING.match(line)
        bullet = _BULLET.match(line) or _NUMBERED.match(line)
        if not line.strip():
            flush()
        elif heading:
            flush()
            level = min(6, len(heading.group(1)) + heading_offset)
            html.append(f"<h{level}>{inline(heading.group(2).strip())}</h{level}>")
        elif (
            line.lstrip().startswith("|") and i + 1 < len(lines) and _TABLE_RULE.match(lines[i + 1])
        ):
            flush()
            end = i + 2
            while end < len(lines) and lines[end].lstrip().startswith("|"):
                end += 1
            html.append(_table(lines[i:end]))
            i = end
            continue
        elif bullet:
            tag = "ul" if _BULLET.match(line) else "ol"
            if paragraph or (items and tag != list_tag):
                flush()
            list_tag = tag
            items.append(bullet.group(1))
        elif items and line.startswith((" ", "\t")):
            items[-1] += " " + line.strip()
        else:
            if items:
                flush()
            paragraph.append(line.strip())
        i += 1
    flush()
    return Markup("\n".join(html))  # every piece above is escaped
