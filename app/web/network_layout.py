"""Where each node of the network picture goes: a grouped, concentric layout around one centre,
computed here so that the same data gives the same picture, byte for byte, on every load.

The partnership network is a star: the CMS Secretariat touches two thirds of the nodes, and a
force-directed layout (randomised on every load) drew it as a hairball whose labels covered each
other. Here the centre (the node the analyst focused on, else the node with the most links) sits
in the middle and every other node goes into a box of its kind (secretariats, NGOs, instruments…,
and apart those not linked to the centre), laid out as a grid of rows whose labels run to the
right of their node. The boxes are placed around the centre on an ellipse, pushed outwards until
no two boxes touch. Every label is cut to `LABEL_MAX_WIDTH` by the page's style (ellipsis), so a
cell of `CELL_WIDTH` always holds node and label: no two labels can overlap, whatever the data.

The page draws these positions as they are (Cytoscape's `preset` layout) and only zooms to fit.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

# Model units (pixels at zoom 1); the page's style (network.js) uses the same numbers.
NODE_SIZE = 14
CENTRE_SIZE = 26
LABEL_GAP = 5  # between a node and its label
LABEL_MAX_WIDTH = 150  # labels longer than this end in an ellipsis
FONT_SIZE = 13
CELL_WIDTH = NODE_SIZE + LABEL_GAP + LABEL_MAX_WIDTH + 16
CELL_HEIGHT = 26
BOX_MARGIN = 24  # between two boxes, and between a box and the centre
RADIUS_STEP = 6.0
# The arrangements tried: how many rows a box's column holds, how much wider than high the ellipse
# the boxes sit on is; the one that fills a panel of PANEL_ASPECT (the page's: about 1240 x 544
# pixels) at the largest zoom wins.
ROWS_PER_COLUMN = (4, 5, 6, 7, 8, 10, 12)
ELLIPSE_RATIOS = (1.0, 1.5, 2.0, 2.5, 3.0, 4.0)
PANEL_ASPECT = 2.25


@dataclass(frozen=True)
class Group:
    """One box: its title, and its members' ids in the order they are drawn."""

    key: str
    title: str
    members: tuple[str, ...]


@dataclass(frozen=True)
class Box:
    """A group's box, placed: its top-left corner and size (model units)."""

    group: Group
    x: float
    y: float
    columns: int
    rows: int

    @property
    def width(self) -> float:
        return self.columns * CELL_WIDTH

    @property
    def height(self) -> float:
        return (self.rows + 1) * CELL_HEIGHT  # a title row, then the members

    @property
    def rect(self) -> Rect:
        return (self.x, self.y, self.width, self.height)

    def overlaps(self, other: Rect) -> bool:
        return _overlap(self.rect, other)


Rect = tuple[float, float, float, float]  # x, y, width, height


def _overlap(a: Rect, b: Rect, margin: float = BOX_MARGIN) -> bool:
    ax, ay, aw, ah = a
    bx, by, bw, bh = b
    return ax < bx + bw + margin and bx < ax + aw + margin and ay < by + bh + margin and by < ay + ah + margin


def _shape(count: int, rows_per_column: int) -> tuple[int, int]:
    """Columns and rows of a box of `count` members: columns of at most `rows_per_column`."""
    columns = max(1, math.ceil(count / rows_per_column))
    return columns, max(1, math.ceil(count / columns))


def centre_rect() -> Rect:
    """The space the centre node and its label take, around (0, 0)."""
    width = CENTRE_SIZE + LABEL_GAP + LABEL_MAX_WIDTH + 10
    return (-CENTRE_SIZE / 2 - 4, -CENTRE_SIZE / 2 - 4, width, CENTRE_SIZE + 8)


def _around(groups: Sequence[Group], rows_per_column: int, ratio: float) -> list[Box]:
    """Each box at its angle (the first at the top, then clockwise), pushed out along its ray on an
    ellipse `ratio` times wider than high until it touches neither the centre nor a box before it."""
    centre = centre_rect()
    cx = centre[0] + centre[2] / 2
    boxes: list[Box] = []
    for index, group in enumerate(groups):
        columns, rows = _shape(len(group.members), rows_per_column)
        width, height = columns * CELL_WIDTH, (rows + 1) * CELL_HEIGHT
        angle = -math.pi / 2 + 2 * math.pi * index / len(groups)
        radius = 0.0
        while True:
            mid_x = cx + ratio * radius * math.cos(angle)
            mid_y = radius * math.sin(angle)
            box = Box(group, round(mid_x - width / 2, 1), round(mid_y - height / 2, 1), columns, rows)
            if not box.overlaps(centre) and not any(box.overlaps(b.rect) for b in boxes):
                break
            radius += RADIUS_STEP
        boxes.append(box)
    return boxes


def extent(boxes: Sequence[Box]) -> Rect:
    """The rectangle the centre and every box take together."""
    rects = [centre_rect(), *(b.rect for b in boxes)]
    x0, y0 = min(r[0] for r in rects), min(r[1] for r in rects)
    x1, y1 = max(r[0] + r[2] for r in rects), max(r[1] + r[3] for r in rects)
    return (x0, y0, x1 - x0, y1 - y0)


def place_boxes(groups: Sequence[Group], aspect: float = PANEL_ASPECT) -> list[Box]:
    """The boxes around the centre, in the arrangement (columns per box, shape of the ellipse)
    that lets the picture fill a panel `aspect` times wider than high at the largest zoom; on a
    tie, the first tried. Every candidate is computed, none is random: the same groups give the
    same boxes."""
    best: tuple[float, list[Box]] | None = None
    for rows_per_column in ROWS_PER_COLUMN:
        for ratio in ELLIPSE_RATIOS:
            boxes = _around(groups, rows_per_column, ratio)
            _, _, width, height = extent(boxes)
            scale = min(aspect / width, 1 / height)
            if best is None or scale > best[0] + 1e-12:
                best = (scale, boxes)
    return best[1] if best else []


def positions(boxes: Sequence[Box]) -> dict[str, tuple[float, float]]:
    """Each member's position (its node's centre), column by column inside its box, and each
    box's title at the box's top left (key `title:<group key>`); the centre is at (0, 0)."""
    placed: dict[str, tuple[float, float]] = {}
    for box in boxes:
        left = box.x + NODE_SIZE / 2
        placed[f"title:{box.group.key}"] = (left, box.y + CELL_HEIGHT / 2)
        for index, member in enumerate(box.group.members):
            column, row = divmod(index, box.rows)
            placed[member] = (
                round(left + column * CELL_WIDTH, 1),
                round(box.y + (row + 1.5) * CELL_HEIGHT, 1),
            )
    return placed
