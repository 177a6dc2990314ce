"""The selection algorithm `ewdraw-1`: counts from the published ratios, a seeded shuffle in each
credit class, then inspector assignment (docs/draws.md, "Selection").

Pure and deterministic: the same seed and inputs give the same result on every machine, and the
in-browser check (site/templates/static/draws-verify.js) repeats it step by step.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from enforcewatch.draws.hashing import Stream

BASIS_POINTS = 10_000  # ratios are kept in basis points (1% = 100) so counts use integer arithmetic only


def count_for(size: int, ratio_bp: int) -> int:
    """Enterprises drawn from a class of `size` at `ratio_bp`: the ratio rounded up (at least one
    whenever the ratio is above zero and the class is not empty), never more than the class."""
    return min(size, (size * ratio_bp + BASIS_POINTS - 1) // BASIS_POINTS)


def shuffle_prefix(items: Sequence[str], count: int, stream: Stream) -> list[str]:
    """The first `count` places of a Fisher–Yates shuffle of `items` (only those swaps are made)."""
    a = list(items)
    for i in range(count):
        j = i + stream.uniform(len(a) - i)
        a[i], a[j] = a[j], a[i]
    return a[:count]


@dataclass(frozen=True)
class ClassDraw:
    code: str
    leaves: Sequence[str]  # sorted ascending
    count: int


@dataclass(frozen=True)
class Pick:
    credit_class: str
    leaf: str
    inspectors: tuple[str, ...]


def select(seed: str, classes: Sequence[ClassDraw]) -> list[tuple[str, str]]:
    """(class, leaf) of every enterprise drawn, class by class in the record's order."""
    return [(c.code, leaf) for c in classes
            for leaf in shuffle_prefix(c.leaves, c.count, Stream(seed, f"shuffle/{c.code}"))]


def assign(seed: str, chosen: Sequence[tuple[str, str]], inspectors: Sequence[str], team_size: int,
           avoid: Mapping[str, Sequence[str]]) -> list[Pick]:
    """A team for each drawn enterprise, in order: a fresh shuffle of all inspectors, stably sorted by
    how many enterprises each already has; the first `team_size` not in the enterprise's `avoid`
    list (who inspected it last time), then, only if too few remain, avoided ones in the same order."""
    stream = Stream(seed, "assign")
    load = dict.fromkeys(inspectors, 0)
    picks = []
    for code, leaf in chosen:
        order = shuffle_prefix(inspectors, len(inspectors), stream)
        order.sort(key=load.__getitem__)  # stable: equal loads keep their random order
        last_time = set(avoid.get(leaf, ()))
        team = [i for i in order if i not in last_time][:team_size]
        team += [i for i in order if i in last_time][: team_size - len(team)]
        for i in team:
            load[i] += 1
        picks.append(Pick(code, leaf, tuple(team)))
    return picks


def run(seed: str, classes: Sequence[ClassDraw], inspectors: Sequence[str], team_size: int,
        avoid: Mapping[str, Sequence[str]]) -> list[Pick]:
    return assign(seed, select(seed, classes), inspectors, team_size, avoid)
