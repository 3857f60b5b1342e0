"""Whether the office's own history supports switching the blend on: the evidence a model card carries.

The rule the planner follows (:func:`matcher.plan.issue.model_values`): a learned
model is blended into the weekly lists only when its card says that, on the
history it was trained from, the blend ordered the **held-out** weeks' visited
lists better than the rule score — the lower end of a 95% bootstrap interval of
the NDCG@k gain above zero, over at least :data:`MIN_LISTS` team lists. A model whose card has no such evidence (too little
history, or made by an older release) is not blended; the rule ranks.

Protocol: the visits whose outcome window has closed by the training date are
split in time. The models are trained on the earlier visits whose outcome
window closed before the split, and the blend and the rule re-rank each
team's visited enterprises of the last ``weeks`` weeks (one list per team:
a week's list is often too short to order); relevance = signed with the
team's city within the horizon. Teams with no signing have no NDCG and do
not count. The gain's interval resamples teams (seeded).

What it shows: on the office's own recent history, whether the blend put the
visits that signed nearer the top of the lists than the rule did. What it does
not show: how the blend would rank enterprises never visited (a logged list
holds only what the rule policy chose to visit), nor a causal effect.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..errors import MatcherError
from .metrics import ndcg_at_k
from .pairs import PairFeatures, blend, train_model

__all__ = ["EVIDENCE_WEEKS", "blend_evidence", "supports_blend"]

#: Weeks of visited lists held out at the end of the trainable history.
EVIDENCE_WEEKS = 13
#: Fewest held-out team lists with a signing that can support the blend.
MIN_LISTS = 10


def _per_query_ndcg(frame: pd.DataFrame, score: str, k: int) -> pd.Series:
    f = frame.sort_values(["team_id", "monday", "row"], kind="stable")
    return f.groupby("team_id", sort=True).apply(lambda g: ndcg_at_k(g["label"].to_numpy(), g[score].to_numpy(), k=k), include_groups=False)


def blend_evidence(
    pf: PairFeatures,
    pairs: pd.DataFrame,
    X: pd.DataFrame,
    *,
    kind: str,
    feature_set: str,
    horizon_weeks: int,
    blend_weight: float,
    synthetic: bool,
    weeks: int = EVIDENCE_WEEKS,
    k: int = 10,
    n_boot: int = 2000,
    seed: int = 0,
) -> dict:
    """The card's ``evidence``: held-out NDCG@k of the blend and of the rule on the last ``weeks`` weeks.

    ``pairs`` (``team_id, monday, row, label``) and ``X`` are the visits a model is
    trained on (outcome windows closed). Returns a dict with ``supports_blend``
    (bool), ``reason``, the NDCG figures, the gain and its interval, the
    number of queries and the data's provenance (``synthetic``).
    """
    out = {"protocol": __doc__.split("Protocol: ", 1)[1].split("\n\n")[0].replace("\n", " "), "synthetic": bool(synthetic), "k": k}
    last = int(pairs.monday.max())
    split = last - 7 * (weeks - 1)
    tr = (pairs.monday + 7 * horizon_weeks <= split).to_numpy()
    ev = (pairs.monday >= split).to_numpy()
    y = pairs.label.to_numpy()
    try:
        m = train_model(
            kind,
            X[tr],
            y[tr],
            pairs.row.to_numpy()[tr],
            feature_set=feature_set,
            horizon_weeks=horizon_weeks,
            trained_until="evidence",
            seed=seed,
        )
    except MatcherError as exc:
        return {**out, "supports_blend": False, "reason": f"too little history before the held-out weeks: {exc}"}
    f = pairs[ev].copy()
    f["rule"] = pf.rule(f)
    f["blend"] = blend(f["rule"].to_numpy(), m.predict_proba(X[ev]), blend_weight, f.team_id.to_numpy())
    r, b = _per_query_ndcg(f, "rule", k), _per_query_ndcg(f, "blend", k)
    ok = r.notna().to_numpy()
    gain = (b - r).to_numpy()[ok]
    out.update(
        {
            "held_out_weeks": f"{np.datetime64(split, 'D')} to {np.datetime64(last, 'D')}",
            "train_visits": int(tr.sum()),
            "queries": int(ok.sum()),
        }
    )
    if ok.sum() < MIN_LISTS:
        return {
            **out,
            "supports_blend": False,
            "reason": f"only {int(ok.sum())} held-out lists with a signing (at least {MIN_LISTS} needed)",
        }
    idx = np.random.default_rng(seed).integers(0, len(gain), size=(n_boot, len(gain)))
    lo, hi = np.percentile(gain[idx].mean(axis=1), [2.5, 97.5])
    supports = bool(lo > 0)
    out.update(
        {
            "rule_ndcg": round(float(r[ok].mean()), 4),
            "blend_ndcg": round(float(b[ok].mean()), 4),
            "gain": round(float(gain.mean()), 4),
            "gain_lo": round(float(lo), 4),
            "gain_hi": round(float(hi), 4),
            "supports_blend": supports,
            "reason": (
                f"the blend beat the rule on the held-out lists (NDCG@{k} gain {gain.mean():+.3f}, 95% interval [{lo:+.3f}, {hi:+.3f}])"
                if supports
                else f"the blend did not beat the rule on the held-out lists with confidence (NDCG@{k} gain {gain.mean():+.3f}, "
                f"95% interval [{lo:+.3f}, {hi:+.3f}])"
            ),
        }
    )
    return out


def supports_blend(card: dict | None) -> tuple[bool, str]:
    """Whether a model card's evidence lets the planner blend the model in, and why (one line)."""
    ev = (card or {}).get("evidence")
    if not isinstance(ev, dict) or "supports_blend" not in ev:
        return False, "its card holds no held-out evidence on the office's history (retrain it with matcher train)"
    return bool(ev["supports_blend"]), str(ev.get("reason", ""))
