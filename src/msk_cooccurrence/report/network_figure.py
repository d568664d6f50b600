"""The conditional association network (loglinear.csv's pairwise terms): labels that fit and never collide.

Each condition is a circle big enough for its label (wrapped to at most NODE_LINE characters a
line), all circles the same size; each edge carries the odds ratio of the pair given the other
conditions with its 95% CI, placed where it overlaps no circle and no label placed before it. Every
size is measured in points on the axes as drawn (the earlier figure measured before the axes took
their equal aspect, so its boxes were not where the text was drawn, and labels collided), and no
text is smaller than figures.MIN_FONT.
"""

from __future__ import annotations

import itertools
import textwrap

import numpy as np
import pandas as pd
from matplotlib.patches import Circle

from .figures import MIN_FONT, condition_colours, label, plt, sns

NODE_FONT = 10  # the conditions' labels
NODE_LINE = 18  # characters a line of a condition's label holds before it wraps
NODE_PAD = 6  # points between a label's corner and its circle
EDGE_FONT = max(MIN_FONT, 8)
EDGE_GAP = 90  # points between neighbouring circles: room for an edge label ("1.23 (1.01–1.50)" is about 60)
RING_MIN, MARGIN = 150, 12  # points: the smallest ring the circles stand on, and the room around the figure
# where along an edge a label may go, from the middle outwards, and how far beside it (points)
EDGE_POSITIONS = tuple(sorted(np.round(np.arange(0.1, 0.91, 0.05), 2), key=lambda t: (abs(t - 0.5), t)))
EDGE_OFFSETS = (0, 12, -12, 24, -24, 36, -36, 48, -48)


def node_text(name: str) -> str:
    """A condition's label in lines of at most NODE_LINE characters (a long word keeps its line)."""
    return "\n".join(textwrap.wrap(name, NODE_LINE, break_long_words=False)) or name


def network_figure(loglinear: pd.DataFrame, settings):
    """Conditional association network: conditions as nodes, pairwise log-linear terms as edges.

    Edge labels give the odds ratio of the pair given all other conditions with its 95% CI; edges
    whose CI excludes 1 are drawn solid and thick (red above 1, blue below), the others dashed grey.
    The axes' data units are points: the circles fit their labels, and the ring they stand on is
    as wide as neighbours need for an edge label between them (the figure grows with them).
    """
    sns.set_theme(style="white", context="paper")
    pairs = loglinear[(loglinear["kind"] == "coefficient") & (loglinear["order"] == 2)]
    ends = term_ends(settings.conditions)
    present = [c for c in settings.conditions if any(c in ends.get(str(t), ()) for t in pairs["term"])]
    colours = condition_colours(settings.conditions)
    fig = plt.figure(figsize=(6, 6))
    ax = fig.add_axes((0, 0, 1, 1))
    ax.axis("off")
    renderer = fig.canvas.get_renderer()
    texts = {
        c: ax.text(0, 0, node_text(label(c)), ha="center", va="center", fontsize=NODE_FONT, zorder=4) for c in present
    }
    radius = node_radius(texts.values(), renderer, fig.dpi)
    ring = max(RING_MIN, (2 * radius + EDGE_GAP) / (2 * np.sin(np.pi / max(len(present), 2))))
    half = ring + radius + MARGIN
    fig.set_size_inches(2 * half / 72, 2 * half / 72)
    ax.set_xlim(-half, half)
    ax.set_ylim(-half, half)
    angles = np.pi / 2 - 2 * np.pi * np.arange(len(present)) / max(len(present), 1)
    position = {c: (ring * np.cos(a), ring * np.sin(a)) for c, a in zip(present, angles)}
    boxes = []
    for c, (x, y) in position.items():
        texts[c].set_position((x, y))
        circle = Circle((x, y), radius, facecolor="#f2f2f2", edgecolor=colours.get(c, "#333333"), lw=2.5, zorder=3)
        ax.add_patch(circle)
        boxes.append(circle.get_window_extent(renderer))
    for row in pairs.itertuples():
        if str(row.term) not in ends or not np.isfinite(row.estimate):
            continue
        (x0, y0), (x1, y1) = (position[c] for c in ends[str(row.term)])
        significant = row.ci_low > 0 or row.ci_high < 0
        colour = ("#c0392b" if row.estimate > 0 else "#2e6db4") if significant else "#9a9a9a"
        width = 1 + 3 * min(abs(row.estimate), 1.5) if significant else 1
        ax.plot([x0, x1], [y0, y1], color=colour, lw=width, ls="-" if significant else "--", zorder=1)
        words = f"{np.exp(row.estimate):.2f}\n({np.exp(row.ci_low):.2f}–{np.exp(row.ci_high):.2f})"
        boxes.append(place_edge_label(ax, renderer, (x0, y0, x1, y1), words, boxes))
    return fig


def term_ends(conditions) -> dict[str, tuple[str, str]]:
    """Each pairwise term ("a:b") with its two conditions, found whole: a label may hold a colon."""
    return {f"{a}:{b}": (a, b) for a, b in itertools.permutations(conditions, 2)}


def node_radius(texts, renderer, dpi: float) -> float:
    """The radius (points) of a circle around the widest label with NODE_PAD points to spare."""
    corners = [np.hypot(b.width, b.height) / 2 * 72 / dpi for b in (t.get_window_extent(renderer) for t in texts)]
    return max(corners, default=20.0) + NODE_PAD


def place_edge_label(ax, renderer, edge, words: str, boxes: list):
    """Put `words` on the edge (or just beside it) at the first place, from the middle outwards,
    where its box (with its white background) overlaps none of `boxes`; return its box. The last
    resort is the least crowded place."""
    x0, y0, x1, y1 = edge
    length = np.hypot(x1 - x0, y1 - y0) or 1.0
    nx, ny = -(y1 - y0) / length, (x1 - x0) / length  # unit normal of the edge
    style = {"ha": "center", "va": "center", "fontsize": EDGE_FONT, "zorder": 5}
    style |= {"bbox": {"facecolor": "white", "edgecolor": "none", "alpha": 0.9, "pad": 1.5}}
    best = None
    for offset in EDGE_OFFSETS:
        for t in EDGE_POSITIONS:
            x, y = x0 + t * (x1 - x0) + offset * nx, y0 + t * (y1 - y0) + offset * ny
            text = ax.text(x, y, words, **style)
            box = _drawn_box(text, renderer)
            crowding = sum(box.overlaps(other) for other in boxes)
            if crowding == 0:
                return box
            if best is None or crowding < best[0]:
                best = (crowding, x, y)
            text.remove()
    _, x, y = best
    return _drawn_box(ax.text(x, y, words, **style), renderer)


def _drawn_box(text, renderer):
    """The box a text covers with its background patch."""
    text.draw(renderer)  # places the background patch
    patch = text.get_bbox_patch()
    return patch.get_window_extent(renderer) if patch is not None else text.get_window_extent(renderer)
