"""The bilingual alias table: alias groups with their names in both languages, parent and HQ.

The bundled table (``data/aliases.csv``), extended by a user file, tells the
:class:`~matcher.resolve.resolver.Resolver` which names belong together
(比亚迪 / BYD) and which never do: names of one group match, names of two
different groups never do.
"""

from __future__ import annotations

import importlib.resources
from io import StringIO
from pathlib import Path

import numpy as np
import pandas as pd

from ..errors import InputError
from ..i18n import gettext as _
from .normalize import parse_names

__all__ = ["ALIAS_COLUMNS", "AliasTable", "load_aliases"]

#: Columns of an alias file.
ALIAS_COLUMNS = ("group_id", "name_zh", "name_en", "aliases", "parent", "province", "city")


class AliasTable:
    """The bilingual alias table: group → names in both languages, parent, HQ.

    Parameters
    ----------
    frame : DataFrame
        Columns :data:`ALIAS_COLUMNS`.
    """

    def __init__(self, frame: pd.DataFrame):
        self.frame = frame.reset_index(drop=True)
        long = self.names()
        parsed = parse_names(long["name"])
        long = long.assign(key=parsed["key"].to_numpy(), core=parsed["core"].to_numpy(), lang=parsed["lang"].to_numpy())
        long = long[long.key != ""]
        # A key claimed by two groups identifies neither.
        by_key = long.drop_duplicates(["key", "group_id"])
        #: Names the table gives to two groups (万达: Dalian Wanda and Shandong Wanda): never merged unseen.
        self.ambiguous = frozenset(by_key.key[by_key.key.duplicated(keep=False)])
        by_key = by_key[~by_key.key.duplicated(keep=False)]
        self.key_index = dict(zip(by_key.key, by_key.group_id))
        zh = long[(long.lang == "zh") & (long.core.str.len() >= 2)].drop_duplicates(["core", "group_id"])
        zh = zh[~zh.core.duplicated(keep=False)]
        self.core_index = dict(zip(zh.core, zh.group_id))
        self.province = dict(zip(self.frame.group_id, self.frame.province))
        self.parent = {g: p for g, p in zip(self.frame.group_id, self.frame.parent) if p}

    def names(self) -> pd.DataFrame:
        """Every name of every group, long: ``group_id, name, lang_field``."""
        f = self.frame
        parts = [
            pd.DataFrame({"group_id": f.group_id, "name": f.name_zh, "field": "name_zh"}),
            pd.DataFrame({"group_id": f.group_id, "name": f.name_en, "field": "name_en"}),
        ]
        al = f.set_index("group_id").aliases.str.split(";").explode().str.strip()
        parts.append(pd.DataFrame({"group_id": al.index, "name": al.to_numpy(), "field": "alias"}))
        out = pd.concat(parts, ignore_index=True)
        return out[out.name.fillna("") != ""].reset_index(drop=True)

    def lookup(self, parsed: pd.DataFrame) -> pd.Series:
        """Alias group of each parsed name (``""`` where none): by key, else by Chinese core when the place agrees."""
        g = parsed["key"].map(self.key_index)
        by_core = parsed["core"].map(self.core_index)
        hint = parsed["province_hint"]
        # By core only when the name's place agrees with the group's (中国万向 is not 万向 of Zhejiang).
        ok = (parsed["lang"] == "zh") & by_core.notna() & ((parsed["prefix"] == "") | (hint == by_core.map(self.province).fillna("")))
        return g.fillna(by_core.where(ok)).fillna("").astype(str)

    def ultimate_parent(self, group: str) -> str:
        """The top of ``group``'s chain of parents (``group`` itself when it has none)."""
        seen = set()
        while group in self.parent and group not in seen:
            seen.add(group)
            group = self.parent[group]
        return group


def load_aliases(extra: str | Path | None = None, *, bundled: bool = True) -> AliasTable:
    """The bundled alias table, extended (and overridden by ``group_id``) by a user file.

    Raises
    ------
    InputError
        When the user file lacks a column, or a parent names no group.
    """
    frames = []
    if bundled:
        text = importlib.resources.files("matcher.data").joinpath("aliases.csv").read_text(encoding="utf-8")
        frames.append(pd.read_csv(StringIO(text), comment="#", dtype=str, keep_default_na=False))
    if extra is not None:
        path = Path(extra)
        try:
            user = pd.read_csv(path, comment="#", dtype=str, keep_default_na=False, encoding="utf-8-sig")
        except (OSError, UnicodeDecodeError, pd.errors.ParserError) as exc:
            raise InputError(str(path), _("cannot read the alias file: {reason}").format(reason=exc)) from None
        missing = [c for c in ("group_id", "name_zh", "name_en") if c not in user.columns]
        if missing:
            raise InputError(
                str(path), _("missing column(s) {missing}; expected the columns {columns}").format(missing=", ".join(missing), columns=", ".join(ALIAS_COLUMNS))
            )
        for c in ALIAS_COLUMNS:
            if c not in user.columns:
                user[c] = ""
        empty = user.group_id.str.strip() == ""
        if empty.any():
            i = int(np.flatnonzero(empty)[0])
            raise InputError(str(path), _("the group_id is empty; expected a short id such as hengyi"), row=i + 2, column="group_id", value="")
        frames.append(user[list(ALIAS_COLUMNS)])
    frame = pd.concat(frames, ignore_index=True).drop_duplicates("group_id", keep="last")
    bad = frame[(frame.parent != "") & ~frame.parent.isin(frame.group_id)]
    if len(bad):
        r = bad.iloc[0]
        raise InputError(str(extra or "aliases.csv"), _("the parent names no group_id of the alias table"), column="parent", value=r.parent)
    return AliasTable(frame)
