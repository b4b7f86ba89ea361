"""People who answered a baseline and a follow-up wave, for the change (pre/post) tests."""

from __future__ import annotations

from tests.support.heatmap import Filed

WAVES = (("base", "baseline", None, 1), ("follow", "followup", "base", 4))


ALPHA_PRE = [2, 2, 3, 1, 2, 3, 2, 2]


ALPHA_POST = [3, 3, 3, 2, 4, 3, 3, 2]


BETA_PRE = [3, 3, 2, 2, 4, 3]


BETA_POST = [3, 4, 2, 3, 4, 4]


def people(team: str, pre: list[float], post: list[float], first_id: int, *, code: bool = False) -> list[Filed]:
    """One baseline and one follow-up response per person, linked by roster person or by an anonymous code."""
    out = []
    for n, (a, b) in enumerate(zip(pre, post, strict=True)):
        who = {"code": f"code-{first_id + n}"} if code else {"person": first_id + n}
        out += [Filed("base", team, {"neg": a}, **who), Filed("follow", team, {"neg": b}, **who)]
    return out
