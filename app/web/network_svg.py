"""The network picture as SVG, drawn here from the layout the page draws (app.web.network_layout).

The page exports PNG with Cytoscape's own renderer; SVG is written by the server instead of by a
browser extension (the one on npm, cytoscape-svg, is GPL-3.0 and this project is MIT). Drawing from
the same positions, sizes and hub mode as the page gives the same picture, and as the layout is
computed, not random, the same data gives the same bytes. Labels are cut as the page cuts them (an
ellipsis at `LABEL_MAX_WIDTH`, estimated from the font size); each node's full name is its
`<title>`, which SVG viewers show on hover and screen readers read.
"""

from __future__ import annotations

from xml.sax.saxutils import escape, quoteattr

from app.web.network import BUNDLE, SHOW, Network, Point

COLOURS = {"organisation": "#0b57d0", "collaboration": "#8250df", "instrument": "#bf5700"}
EDGE_STYLE = {  # relation: stroke colour, dash pattern, width (as network.js draws them)
    "arrangement": ("#57606a", "", 1.5),
    "membership": ("#8250df", "6 3", 1.5),
    "administration": ("#bf5700", "2 3", 2.0),
}
CHAR_WIDTH = 0.56  # of the font size: an average label character in a sans-serif font
MARGIN = 20


def _cut(text: str, width: float, font: float) -> str:
    """The label as the page shows it: ended by an ellipsis where it would run past `width`."""
    fits = max(1, int(width / (font * CHAR_WIDTH)))
    return text if len(text) <= fits else text[: fits - 1].rstrip() + "…"


def network_svg(network: Network) -> str:
    """The picture: edges (the centre's own as the hub mode says), nodes by group, labels, boxes'
    titles; a white background, sized to hold every element."""
    sizes = network["sizes"]
    font, gap, label_width = sizes["font"], sizes["label_gap"], sizes["label_max_width"]
    where: dict[str, Point] = {n["data"]["id"]: n["position"] for n in network["nodes"]}
    where.update({t["data"]["id"]: t["position"] for t in network["titles"]})
    xs = [p["x"] for p in where.values()] or [0.0]
    ys = [p["y"] for p in where.values()] or [0.0]
    x0, y0 = min(xs) - sizes["centre"] - MARGIN, min(ys) - sizes["centre"] - MARGIN
    x1 = max(xs) + sizes["centre"] + gap + label_width + MARGIN
    y1 = max(ys) + sizes["centre"] + MARGIN
    width, height = round(x1 - x0, 1), round(y1 - y0, 1)

    out = [
        '<svg xmlns="http://www.w3.org/2000/svg" '
        f'viewBox="{round(x0, 1)} {round(y0, 1)} {width} {height}" width="{width}" height="{height}" '
        f'font-family="sans-serif" font-size="{font}">',
        f'<rect x="{round(x0, 1)}" y="{round(y0, 1)}" width="{width}" height="{height}" fill="#ffffff"/>',
    ]
    hub = network["hub"]
    edges = [e for e in network["edges"] if hub == SHOW or not e["data"]["spoke"]]
    if hub == BUNDLE:
        edges += network["bundles"]
    for edge in edges:
        line = edge["data"]
        a, b = where.get(line["source"]), where.get(line["target"])
        if a is None or b is None:
            continue
        if line["relation"] == "bundle":
            colour, dash, stroke = "#afb8c1", "", 4.0
        else:
            colour, dash, stroke = EDGE_STYLE.get(line["relation"], EDGE_STYLE["arrangement"])
        dashed = f' stroke-dasharray="{dash}"' if dash else ""
        out.append(
            f'<line x1="{a["x"]}" y1="{a["y"]}" x2="{b["x"]}" y2="{b["y"]}" stroke="{colour}" '
            f'stroke-width="{stroke}"{dashed} stroke-opacity="0.85"><title>{escape(line["label"])}'
            "</title></line>"
        )
    for title in network["titles"]:
        p = title["position"]
        text = _cut(title["data"]["label"], title["data"]["width"], font)
        out.append(
            f'<text x="{p["x"]}" y="{p["y"]}" dominant-baseline="middle" font-weight="600" '
            f'fill="#57606a">{escape(text)}</text>'
        )
    for node in network["nodes"]:
        data, p = node["data"], node["position"]
        size = sizes["centre"] if data["centre"] else sizes["node"]
        colour = COLOURS.get(data["group"], COLOURS["organisation"])
        ring = ' stroke="#f0b400" stroke-width="3"' if data["centre"] else ""
        half = size / 2
        if data["group"] == "collaboration":
            shape = (
                f'<rect x="{p["x"] - half}" y="{p["y"] - half}" width="{size}" height="{size}" '
                f'rx="3" fill="{colour}"{ring}/>'
            )
        elif data["group"] == "instrument":
            x, y = p["x"], p["y"]
            points = f"{x},{y - half} {x + half},{y} {x},{y + half} {x - half},{y}"
            shape = f'<polygon points="{points}" fill="{colour}"{ring}/>'
        else:
            shape = f'<circle cx="{p["x"]}" cy="{p["y"]}" r="{half}" fill="{colour}"{ring}/>'
        weight = ' font-weight="bold"' if data["centre"] else ""
        label = _cut(data["short"], label_width, font)
        out.append(
            f"<g><title>{escape(data['label'])}</title>{shape}"
            f'<text x="{round(p["x"] + half + gap, 1)}" y="{p["y"]}" dominant-baseline="middle" '
            f'fill="#1b1f23"{weight} data-iri={quoteattr(data["id"])}>{escape(label)}</text></g>'
        )
    out.append("</svg>")
    return "\n".join(out) + "\n"
