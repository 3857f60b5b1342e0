"""Target lists with filters: a city or chain, a key region, a list, a target tier, a link status.

:func:`target_list` is what ``matcher targets`` prints: the ranked list of a
city, a chain or both (:meth:`matcher.score.scores.Scores.rank`), kept to the
enterprises on a given list (``世界500强``), counting for a given annual target
(a list type, or a target group such as 行业领军、独角兽、瞪羚和专精特新小巨人),
from a key region, or filling links of a given status (``missing``: the
enterprise's best link in a chain is one the city lacks).
"""

from __future__ import annotations

import dataclasses

import numpy as np
import pandas as pd

from ..errors import MatcherError, NotFoundError
from ..i18n import N_, gettext
from .labels import status_label

__all__ = ["target_list", "with_link_status", "find_target", "TARGET_COLUMNS"]

#: Columns a target list shows on screen.
TARGET_COLUMNS = ("rank", "name", "tiers", "hq_city", "city", "chain", "link", "link_status", "score", "reason")


def find_target(config, text: str):
    """An annual target by name: a target group (``leaders``, 行业领军…) or a list type; the list types it counts."""
    from ..config.suggest import find_item

    groups = tuple(config.target_groups)
    items = groups + tuple(config.tiers)
    item = find_item(N_("target"), items, text).item
    return item, (tuple(item.tiers) if item in groups else (item.id,))


def with_link_status(scores, status: str):
    """``scores`` where only links of ``status`` fit: a chain counts for an enterprise only through such a link.

    The link of a city chain is the enterprise's best link in it, as the
    target lists explain it; where that link has another status the chain
    does not fit.
    """
    if status not in ("missing", "weak", "strong"):
        raise MatcherError(gettext("unknown link status {value!r}; expected missing, weak or strong").format(value=status))
    ok_link = (scores.links.status == status).to_numpy()
    ok = (scores.link >= 0) & ok_link[np.maximum(scores.link, 0)]
    return dataclasses.replace(
        scores,
        fit=np.where(ok, scores.fit, 0).astype(scores.fit.dtype),
        link=np.where(ok, scores.link, -1).astype(scores.link.dtype),
        chain=np.where(ok, scores.chain, 0).astype(scores.chain.dtype),
    )


def target_list(
    scores,
    config,
    *,
    city: str | None = None,
    chain: str | None = None,
    region: str | None = None,
    lists: tuple[str, ...] = (),
    target: str | None = None,
    status: str | None = None,
    top: int = 50,
) -> tuple[pd.DataFrame, str]:
    """The ranked, explained target list and its title.

    ``city``, ``chain``, ``region``, ``lists`` (list types: an enterprise on any
    of them, in an edition that counts) and ``target`` are ids or names as
    :class:`~matcher.config.model.Config` finds them; ``status`` is a link status.
    With ``status``, enterprises that fit none of the chains through such a link
    are left out, also from a city's list.

    Raises
    ------
    MatcherError
        When neither a city nor a chain is given, or the city has no such chain.
    """
    if not city and not chain:
        raise MatcherError(gettext("give --city or --chain (or both)"))
    c = config.city(city) if city else None
    ch = config.chain(chain) if chain else None
    reg = config.region(region) if region else None
    if c and ch and ch.id not in {x.chain for x in c.chains}:
        raise NotFoundError(
            gettext("{city} has no {chain} chain; its chains are: {chains}").format(
                city=c.name_zh, chain=ch.name_zh, chains=", ".join(x.chain for x in c.chains)
            )
        )
    tiers = [config.tier(x) for x in lists]
    tgt, tgt_tiers = find_target(config, target) if target else (None, ())
    groups = scores.group_ids(city=c.id if c else None, chain=ch.id if ch else None)
    u = scores.universe
    mask = np.ones(len(u), dtype=bool)
    if reg is not None:
        mask &= scores.region_member[:, [r.id for r in config.regions].index(reg.id)]
    if tiers:
        mask &= np.column_stack([u[f"on__{t.id}"].to_numpy(dtype=bool) for t in tiers]).any(axis=1)
    if tgt_tiers:
        mask &= np.column_stack([u[f"on__{t}"].to_numpy(dtype=bool) for t in tgt_tiers]).any(axis=1)
    if status:
        scores = with_link_status(scores, status)
        mask &= (scores.fit[:, groups] > 0).any(axis=1) if len(groups) else np.zeros(len(u), dtype=bool)
    frame = scores.rank(groups, top=top, mask=mask)
    parts = [
        c.name_zh if c else "",
        ch.name_zh if ch else "",
        reg.name_zh if reg else "",
        "、".join(t.name_zh for t in tiers),
        getattr(tgt, "name_zh", ""),
        gettext("{status} links").format(status=status_label(status)) if status else "",
    ]
    return frame, gettext("Target list: {what}").format(what=" · ".join(p for p in parts if p))
