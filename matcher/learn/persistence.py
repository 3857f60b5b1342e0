"""Model management: save trained models with a card and a manifest; load them only after checks.

Models are ``skops`` files (``<kind>-<date>.skops``), whose loading runs no code
of the file: a model is loaded only from the models folder, only if the manifest
(``manifest.json``) lists it with the SHA-256 of its bytes, only if every type it
names is one of our models' (:data:`matcher._files.MODEL_TYPES`; a forged
manifest cannot make it load anything else), only if it was made by a compatible
scikit-learn (same major.minor version) and only if its feature set is the
one the configuration expects. Each refusal is one clear
:class:`~matcher.errors.ModelError`.
"""

from __future__ import annotations

import json
import logging
import os
import re
from pathlib import Path
from typing import TYPE_CHECKING

from .._files import atomic_write_bytes, dump_model, load_model_file, sha256_bytes
from ..errors import ModelError
from ..i18n import N_, gettext

if TYPE_CHECKING:
    from .pairs import TrainedModel

__all__ = ["ModelError", "models_folder", "save_model", "load_model", "read_manifest", "read_card", "model_card_markdown", "MANIFEST"]

log = logging.getLogger(__name__)

MANIFEST = "manifest.json"
_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]*\.skops$")


def models_folder(db: str | Path | None = None, models: str | Path | None = None) -> Path:
    """The models folder that goes with a database.

    Parameters
    ----------
    db : str or Path, optional
        A SQLite file or an SQLAlchemy URL; default ``$MATCHER_DB``, else ``matcher.db``.
    models : str or Path, optional
        An explicit models folder; returned as it is when given.

    Returns
    -------
    Path
        ``models``; else ``models/`` beside a SQLite database file; else ``./models``
        (a server database has no folder of its own).
    """
    if models:
        return Path(models)
    db = str(db or os.environ.get("MATCHER_DB") or "matcher.db")
    if "://" not in db:
        return Path(db).resolve().parent / "models"
    if db.startswith("sqlite:///"):
        return Path(db[len("sqlite:///") :]).resolve().parent / "models"
    return Path("models")


def _json_bytes(obj) -> bytes:
    return (json.dumps(obj, ensure_ascii=False, indent=2, sort_keys=True) + "\n").encode("utf-8")


def read_manifest(models_dir: str | Path) -> dict:
    """The manifest of a models folder (``{"models": {}}`` when there is none)."""
    path = Path(models_dir) / MANIFEST
    if not path.exists():
        return {"format": 1, "models": {}}
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise ModelError(gettext("{path}: cannot read the model manifest ({reason})").format(path=path, reason=exc)) from None
    if not isinstance(data, dict) or not isinstance(data.get("models"), dict):
        raise ModelError(gettext("{path}: not a model manifest (expected an object with a 'models' table)").format(path=path))
    return data


def _versions() -> dict[str, str]:
    import platform

    import numpy
    import pandas
    import sklearn
    import skops

    return {
        "python": platform.python_version(),
        "scikit-learn": sklearn.__version__,
        "numpy": numpy.__version__,
        "pandas": pandas.__version__,
        "skops": skops.__version__,
    }


def save_model(model: TrainedModel, models_dir: str | Path, *, name: str, card: dict) -> Path:
    """Write ``<name>.skops``, its model card (``.json`` and ``.md``) and update the manifest.

    Parameters
    ----------
    model : TrainedModel
    models_dir : path
        Created if missing.
    name : str
        File stem, e.g. ``boosted-2026-11-23``.
    card : dict
        What the card says beyond what the model knows: data window and hash,
        metrics, the data's provenance (``synthetic``).

    Returns
    -------
    Path
        The model file.
    """
    models_dir = Path(models_dir)
    file = f"{name}.skops"
    if not _NAME.match(file):
        raise ModelError(gettext("invalid model name {name!r}; expected letters, digits, '-', '_' or '.'").format(name=name))
    path = models_dir / file
    sha256 = dump_model(path, model)
    versions = _versions()
    full = {
        "file": file,
        "sha256": sha256,
        "kind": model.kind,
        "feature_set": model.feature_set,
        "features": list(model.features),
        "horizon_weeks": model.horizon_weeks,
        "trained_until": model.trained_until,
        "training_rows": model.n_rows,
        "training_signings": model.n_positive,
        "parameters": model.params,
        "calibration": "CalibratedClassifierCV(method='sigmoid'), 3 folds grouped by enterprise",
        "coefficients": model.coefficients(),
        "library_versions": versions,
        **card,
    }
    card_bytes = _json_bytes(full)
    atomic_write_bytes(models_dir / f"{name}.json", card_bytes)
    atomic_write_bytes(models_dir / f"{name}.md", model_card_markdown(full).encode("utf-8"))
    manifest = read_manifest(models_dir)
    manifest["format"] = 1
    manifest["models"][file] = {
        "sha256": full["sha256"],
        "sklearn_version": versions["scikit-learn"],
        "feature_set": model.feature_set,
        "features": list(model.features),
        "kind": model.kind,
        "card": f"{name}.json",
        # The card says whether the blend may be used: an edited card is not read.
        "card_sha256": sha256_bytes(card_bytes),
        "trained_until": model.trained_until,
    }
    atomic_write_bytes(models_dir / MANIFEST, _json_bytes(manifest))
    log.info("model written to %s (sha256 %s)", path, full["sha256"][:12])
    return path


def model_card_markdown(card: dict) -> str:
    """The model card as Markdown."""
    lines = [f"# Model card: {card['file']}", ""]
    if card.get("synthetic"):
        lines += ["**Trained on SYNTHETIC (simulated) history — not on observed visits or projects.**", ""]
    lines += [
        f"- Kind: {card['kind']} (calibrated: {card['calibration']})",
        f"- Predicts: a signed project with the team's city within {card['horizon_weeks']} weeks of a visit",
        f"- Data: {card.get('data_source', '')}; window {card.get('data_window', '')}; sha256 {card.get('data_sha256', '')}",
        f"- Training rows: {card['training_rows']} visits, {card['training_signings']} signed",
        f"- Feature set: {card['feature_set']} — {', '.join(card['features'])}",
        f"- SHA-256 of the file: {card['sha256']}",
        "",
        "## Parameters",
        "",
    ]
    lines += [f"- {k}: {v}" for k, v in sorted(card["parameters"].items())]
    if card.get("coefficients"):
        lines += ["", "## Standardised coefficients (mean over calibration folds)", ""]
        lines += [f"- {k}: {v:+.4f}" for k, v in card["coefficients"].items()]
    ev = card.get("evidence")
    if isinstance(ev, dict):
        verdict = "switch the blend on" if ev.get("supports_blend") else "keep the rule: the planner does not blend this model in"
        lines += ["", "## Evidence on the office's history (read by the planner)", "", f"- Verdict: {verdict}", f"- Why: {ev.get('reason', '')}"]
        lines += [f"- {k}: {v}" for k, v in ev.items() if k not in ("supports_blend", "reason")]
    if card.get("metrics"):
        lines += ["", "## Metrics", ""]
        lines += [f"- {k}: {v}" for k, v in card["metrics"].items()]
    lines += ["", "## Library versions", ""]
    lines += [f"- {k}: {v}" for k, v in card["library_versions"].items()]
    return "\n".join(lines) + "\n"


def read_card(name: str, models_dir: str | Path) -> dict | None:
    """The JSON model card of a model listed in the manifest (None when the manifest names no card, or the card is
    unreadable or not the one whose SHA-256 the manifest recorded)."""
    entry = read_manifest(models_dir)["models"].get(name) or {}
    card = entry.get("card")
    if not isinstance(card, str) or not _NAME.match(card.replace(".json", ".skops")):
        return None
    try:
        raw = (Path(models_dir) / card).read_bytes()
        if sha256_bytes(raw) != entry.get("card_sha256"):
            log.warning(gettext("model card %s differs from the one recorded in the manifest; it is not read"), card)
            return None
        data = json.loads(raw.decode("utf-8"))
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) else None


def _compatible(made: str, running: str) -> bool:
    return made.split(".")[:2] == running.split(".")[:2]


def load_model(name: str, models_dir: str | Path, *, feature_set: str) -> TrainedModel:
    """Load a model after checking its manifest entry, SHA-256, scikit-learn version and feature set.

    Raises
    ------
    ModelError
        With one line saying which check failed.
    """
    import sklearn

    from .pairs import FEATURE_SETS, TrainedModel

    models_dir = Path(models_dir)
    if not _NAME.match(name or ""):
        raise ModelError(
            gettext("invalid model file name {name!r}; expected a file name in the models folder such as boosted-2026-11-23.skops").format(name=name)
        )
    entry = read_manifest(models_dir)["models"].get(name)
    if entry is None:
        raise ModelError(gettext("model {name!r} is not listed in {manifest}; train it with matcher train").format(name=name, manifest=models_dir / MANIFEST))
    made = str(entry.get("sklearn_version", ""))
    if not _compatible(made, sklearn.__version__):
        raise ModelError(
            gettext(
                "model {name!r} was made with scikit-learn {made}, which is incompatible with the installed {installed}; retrain it with matcher train"
            ).format(name=name, made=made, installed=sklearn.__version__)
        )
    if entry.get("feature_set") != feature_set or list(entry.get("features", [])) != list(FEATURE_SETS.get(feature_set, ())):
        raise ModelError(
            gettext(
                "model {name!r} was trained on feature set {trained!r}, but the configuration expects {expected!r}; retrain it or change [model] feature_set"
            ).format(name=name, trained=entry.get("feature_set"), expected=feature_set)
        )
    model = load_model_file(models_dir / name, entry.get("sha256"), label=N_("model file"), recorded_in=N_("the manifest"))
    if not isinstance(model, TrainedModel) or model.feature_set != feature_set:
        raise ModelError(
            gettext("model file {path} does not hold a matcher model for feature set {feature_set!r}").format(path=models_dir / name, feature_set=feature_set)
        )
    return model
