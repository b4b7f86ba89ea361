"""The minimum group across published figures, not only within each one.

Two figures over nested or overlapping groups of people give away the few people in which they differ: initiative
A's audience is teams a + b (13 respondents), B's is a + b + a 2-person team (15), and B − A is that team's answers.
So no two published figures may differ by 1 … min_group − 1 people.

A figure is described by the *cells* it aggregates: cell → people counted in it. A cell is a (block, facet) pair:
people in different blocks are different people (a block is one team in one wave); the facets of one block (the
capabilities a team rated) may count the same people. Figure A holds at least Σ over blocks of the largest facet
count people that figure B does not — the people "apart" from B, counted so that they are never overstated.

- `publishable`: figures are taken in order of importance (the plan's own before its initiatives'); one is
  published when it counts at least min_group people and is 0 or at least min_group people apart, both ways, from
  every figure published before it.
- `merge_small_groups`: labels for the grouping column of raw rows (the team of an anonymous export): groups under
  the minimum become "Other", and while "Other" holds fewer than min_group rows the smallest remaining groups join
  it, so no label points at fewer than min_group rows unless the whole table is that small.
"""

from __future__ import annotations

from collections.abc import Hashable, Mapping, Sequence

Cell = tuple[Hashable, Hashable]  # (block, facet)
Figure = Mapping[Cell, int]  # cell → people counted in it
OTHER = "Other"


def people(figure: Figure) -> int:
    """People a figure counts at least: one facet per block may already count everybody of the block."""
    largest: dict[Hashable, int] = {}
    for (block, _), n in figure.items():
        largest[block] = max(largest.get(block, 0), n)
    return sum(largest.values())


def apart(a: Figure, b: Figure) -> int:
    """People counted in `a` and not in `b` (at least)."""
    return people({cell: n for cell, n in a.items() if cell not in b})


def differ_by_a_few(a: Figure, b: Figure, min_group: int) -> bool:
    return 0 < apart(a, b) < min_group or 0 < apart(b, a) < min_group


def publishable(figures: Sequence[Figure], min_group: int) -> list[bool]:
    """Which figures may be published, most important first: each one large enough and not a few people apart from
    any figure published before it."""
    published: list[Figure] = []
    out = []
    for figure in figures:
        ok = people(figure) >= min_group and not any(differ_by_a_few(figure, p, min_group) for p in published)
        if ok:
            published.append(figure)
        out.append(ok)
    return out


def merge_small_groups(counts: Mapping[str, int], min_group: int) -> dict[str, str]:
    """Group → the label to publish: itself, or OTHER for groups merged because they are small."""
    merged = {g for g, n in counts.items() if n < min_group}
    remaining = sorted((n, g) for g, n in counts.items() if g not in merged)
    while merged and sum(counts[g] for g in merged) < min_group and remaining:
        merged.add(remaining.pop(0)[1])
    return {g: OTHER if g in merged else g for g in counts}
