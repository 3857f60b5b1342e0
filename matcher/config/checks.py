"""Checks that span several tables or files: unique ids, and ids that refer to other ids.

Each check runs on what validated of its file (:class:`~matcher.config.document.Document`)
and adds its problems, each with file and key path, to a list. An id is known
when a table of the referred file is written with it, even if that table has
problems of its own (already reported); references into a file that could not
be read are not checked.
"""

from __future__ import annotations

from ..i18n import N_
from ..i18n import gettext as _
from .document import Document
from .model import STAGES, fold_label

__all__ = ["check_all", "chain_links", "check_config", "check_taxonomy", "check_chains", "check_regions", "check_cities", "check_teams"]


def _unknown(known: set[str] | None, value: str) -> bool:
    return known is not None and value not in known


def _duplicates(doc: Document, key: str, kind: str, problems: list[str]) -> None:
    seen: set[str] = set()
    for k, table in doc.items(key):
        if table.id in seen:
            problems.append(_("{where}: duplicate {kind} id {id!r}").format(where=doc.where(key, k, "id"), kind=_(kind), id=table.id))
        seen.add(table.id)


def _checkable(doc: Document, key: str, kind: str, problems: list[str], *, missing: str | None = None) -> bool:
    """Whether ``doc`` validated, so that its references can be checked; if so, first report its duplicate ``key`` ids.

    ``missing``, when given, is the problem to report when ``doc`` has no ``key`` table at all.
    """
    if not doc.valid:
        return False
    if missing is not None and not doc.raw.get(key):
        problems.append(missing)
    _duplicates(doc, key, kind, problems)
    return True


def _industries(doc: Document, where: tuple, values, known: set[str] | None, problems: list[str]) -> None:
    for value in values:
        if _unknown(known, value):
            problems.append(_("{where}: unknown industry {id!r} (not in the taxonomy)").format(where=doc.where(*where), id=value))


def check_config(doc: Document, problems: list[str]) -> None:
    """``config.toml``: at least one tier, unique tier ids, target groups and their tiers refer to each other."""
    missing = _("{where}: no tiers ([[tier]] tables) defined").format(where=doc.label(("tier",)))
    if not _checkable(doc, "tier", N_("tier"), problems, missing=missing):
        return
    _duplicates(doc, "target_group", N_("target group"), problems)
    tiers, groups = doc.raw_ids("tier"), doc.raw_ids("target_group")
    for k, group in doc.items("target_group"):
        for tier in group.tiers:
            if _unknown(tiers, tier):
                problems.append(_("{where}: unknown tier {id!r}").format(where=doc.where("target_group", k, "tiers"), id=tier))
    for k, tier in doc.items("tier"):
        if tier.target_group is not None and _unknown(groups, tier.target_group):
            problems.append(_("{where}: unknown target_group {id!r}").format(where=doc.where("tier", k, "target_group"), id=tier.target_group))


def check_taxonomy(doc: Document, problems: list[str]) -> None:
    """The taxonomy: unique ids and labels, at most two levels, typical children are children."""
    missing = _("{where}: no industries ([[industry]] tables) defined").format(where=doc.path.name)
    if not _checkable(doc, "industry", N_("industry"), problems, missing=missing):
        return
    labels: dict[str, str] = {}
    for k, ind in doc.items("industry"):
        for key in ("name_zh", "name_en", "synonyms_zh", "synonyms_en"):
            value = getattr(ind, key)
            for label in [value] if isinstance(value, str) else value:
                folded = fold_label(label)
                if folded and labels.get(folded, ind.id) != ind.id:
                    problems.append(
                        _("{where}: label {label!r} also names industry {id!r}").format(where=doc.where("industry", k, key), label=label, id=labels[folded])
                    )
                labels.setdefault(folded, ind.id)
    known = doc.raw_ids("industry")
    parent_of = {ind.id: ind.parent for _, ind in doc.items("industry")}
    for k, ind in doc.items("industry"):
        if ind.parent is not None and _unknown(known, ind.parent):
            problems.append(_("{where}: unknown parent {id!r}").format(where=doc.where("industry", k, "parent"), id=ind.parent))
        if ind.parent is not None and parent_of.get(ind.parent) is not None:
            problems.append(
                _("{where}: parent {id!r} has a parent itself; at most two levels").format(where=doc.where("industry", k, "parent"), id=ind.parent)
            )
        for child in ind.typical_children:
            if _unknown(known, child) or (child in parent_of and parent_of[child] != ind.id):
                problems.append(
                    _("{where}: {child!r} is not a child of {id!r}").format(where=doc.where("industry", k, "typical_children"), child=child, id=ind.id)
                )


def check_chains(doc: Document, industries: set[str] | None, problems: list[str]) -> None:
    """Chains: unique chain ids, link ids unique across all chains, links made of known industries."""
    if not _checkable(doc, "chain", N_("chain"), problems):
        return
    links: set[str] = set()
    for k, chain in doc.items("chain"):
        for j, link in enumerate(chain.link):
            if link.id in links:
                problems.append(_("{where}: duplicate link id {id!r}").format(where=doc.where("chain", k, "link", j, "id"), id=link.id))
            links.add(link.id)
            _industries(doc, ("chain", k, "link", j, "industries"), link.industries, industries, problems)
        _feeds(doc, k, chain, chain_links(doc).get(chain.id, set()), problems)


def _feeds(doc: Document, k: int, chain, written: set[str], problems: list[str]) -> None:
    """A chain's edges: each ``feeds`` id is a link of the same chain, at the same stage or further downstream.

    ``written`` holds the chain's link ids as written: a link with problems of its own (already reported) is still known.
    """
    stage_of = {link.id: link.stage for link in chain.link}
    order = {s: i for i, s in enumerate(STAGES)}
    for j, link in enumerate(chain.link):
        for i, target in enumerate(link.feeds):
            where = doc.where("chain", k, "link", j, "feeds", i)
            if target not in stage_of and target in written:
                continue
            if target not in stage_of:
                problems.append(_("{where}: {id!r} is not a link of chain {chain!r}").format(where=where, id=target, chain=chain.id))
            elif target == link.id:
                problems.append(_("{where}: link {id!r} feeds itself").format(where=where, id=target))
            elif order[stage_of[target]] < order[link.stage]:
                problems.append(
                    _("{where}: {stage} link {id!r} cannot feed {target!r}, which is {target_stage} (a chain runs upstream → midstream → downstream)").format(
                        where=where, stage=link.stage, id=link.id, target=target, target_stage=stage_of[target]
                    )
                )


def check_regions(doc: Document, industries: set[str] | None, problems: list[str]) -> None:
    """Regions: unique ids, priorities made of known industries."""
    if not _checkable(doc, "region", N_("region"), problems):
        return
    for k, region in doc.items("region"):
        for j, priority in enumerate(region.priority):
            _industries(doc, ("region", k, "priority", j, "industries"), priority.industries, industries, problems)


def chain_links(chains: Document | None) -> dict[str, set[str]]:
    """Link ids of each chain as written, valid or not (chains whose links cannot be read are left out)."""
    tables = chains.raw.get("chain") if chains is not None else None
    out: dict[str, set[str]] = {}
    for table in tables if isinstance(tables, list) else []:
        links = table.get("link", []) if isinstance(table, dict) else None
        if isinstance(table.get("id") if links is not None else None, str) and isinstance(links, list):
            out[table["id"]] = {lk["id"] for lk in links if isinstance(lk, dict) and isinstance(lk.get("id"), str)}
    return out


def check_endowments(doc: Document, industries: set[str] | None, problems: list[str]) -> None:
    """Endowments: unique ids, known industries."""
    if not _checkable(doc, "endowment", N_("endowment"), problems):
        return
    for k, e in doc.items("endowment"):
        for i, ind in enumerate(e.industries):
            if _unknown(industries, ind):
                problems.append(_("{where}: unknown industry {id!r}").format(where=doc.where("endowment", k, "industries", i), id=ind))


def check_cities(
    doc: Document, regions: Document | None, chains: Document | None, problems: list[str], endowments: Document | None = None
) -> None:
    """Cities: unique ids, known target regions, endowments, chains and links of those chains."""
    if not _checkable(doc, "city", N_("city"), problems):
        return
    endowment_ids = endowments.raw_ids("endowment") if endowments is not None else set()
    for k, city in doc.items("city"):
        for i, e in enumerate(city.endowments):
            if _unknown(endowment_ids, e):
                problems.append(
                    _("{where}: unknown endowment {id!r} (not in the endowments file)").format(where=doc.where("city", k, "endowments", i), id=e)
                )
    region_ids = regions.raw_ids("region") if regions is not None else None
    chain_ids = chains.raw_ids("chain") if chains is not None else None
    links_of = chain_links(chains)
    for k, city in doc.items("city"):
        for region in city.target_regions:
            if _unknown(region_ids, region):
                problems.append(_("{where}: unknown region {id!r}").format(where=doc.where("city", k, "target_regions"), id=region))
        for j, cc in enumerate(city.chain):
            if _unknown(chain_ids, cc.chain):
                problems.append(_("{where}: unknown chain {id!r}").format(where=doc.where("city", k, "chain", j, "chain"), id=cc.chain))
            for link in sorted(cc.links):
                if cc.chain in links_of and link not in links_of[cc.chain]:
                    problems.append(
                        _("{where}: unknown link of chain {id!r}").format(where=doc.where("city", k, "chain", j, "links", link), id=cc.chain)
                    )


def check_teams(doc: Document, cities: Document | None, regions: Document | None, problems: list[str]) -> None:
    """Teams: unique ids, a known home city and one of its target regions, its chains; every city covered."""
    if not _checkable(doc, "team", N_("team"), problems):
        return
    city_ids = cities.raw_ids("city") if cities is not None else None
    region_ids = regions.raw_ids("region") if regions is not None else None
    city_by_id = {c.id: c for _, c in cities.items("city")} if cities is not None else {}
    for k, team in doc.items("team"):
        if _unknown(city_ids, team.home_city):
            problems.append(_("{where}: unknown city {id!r}").format(where=doc.where("team", k, "home_city"), id=team.home_city))
        if _unknown(region_ids, team.region):
            problems.append(_("{where}: unknown region {id!r}").format(where=doc.where("team", k, "region"), id=team.region))
        city = city_by_id.get(team.home_city)
        if city is None:
            continue
        if team.region not in city.target_regions:
            problems.append(
                _("{where}: {region!r} is not a target region of {city!r}").format(where=doc.where("team", k, "region"), region=team.region, city=team.home_city)
            )
        own = {cc.chain for cc in city.chain}
        for chain in team.focus_chains:
            if chain not in own:
                problems.append(
                    _("{where}: chain {chain!r} is not a chain of {city!r}").format(where=doc.where("team", k, "focus_chains"), chain=chain, city=team.home_city)
                )
    tables = doc.raw.get("team") if isinstance(doc.raw.get("team"), list) else []
    covered = {(t.get("home_city"), t.get("region")) for t in tables if isinstance(t, dict)}
    for city in city_by_id.values():
        for region in city.target_regions:
            if (city.id, region) not in covered:
                problems.append(
                    _("{where}: city {city!r} targets region {region!r} but has no team there").format(where=doc.where("team"), city=city.id, region=region)
                )


def check_all(main: Document, docs: dict[str, Document], problems: list[str]) -> None:
    """Every check, on ``config.toml`` and the files it names (``docs`` by their key in ``[files]``)."""
    check_config(main, problems)
    taxonomy = docs.get("taxonomy")
    industries = taxonomy.raw_ids("industry") if taxonomy is not None else None
    if taxonomy is not None:
        check_taxonomy(taxonomy, problems)
    if "chains" in docs:
        check_chains(docs["chains"], industries, problems)
    if "regions" in docs:
        check_regions(docs["regions"], industries, problems)
    if "endowments" in docs:
        check_endowments(docs["endowments"], industries, problems)
    if "cities" in docs:
        check_cities(docs["cities"], docs.get("regions"), docs.get("chains"), problems, docs.get("endowments"))
    if "teams" in docs:
        check_teams(docs["teams"], docs.get("cities"), docs.get("regions"), problems)
