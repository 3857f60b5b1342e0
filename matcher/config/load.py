"""Loading a configuration: read every file, validate, check cross-references, build the runtime objects.

A configuration is a main TOML file (``config.toml``) naming the files that
hold the taxonomy, chains, regions, cities, teams and gazetteer, each path
relative to the main file. Each file is validated against its schema
(:mod:`matcher.config.schema`), then the ids that refer to other tables or
files are checked (:mod:`matcher.config.checks`); every problem found in any
of the files is reported at once in one :class:`~matcher.errors.ConfigError`,
each with its file and key. A valid configuration becomes the frozen
:class:`~matcher.config.model.Config`.

The default configuration ships inside the package (the project's ``data/``
folder) and is read with :mod:`importlib.resources`.
"""

from __future__ import annotations

import dataclasses
import hashlib
import importlib.resources
from pathlib import Path

from pydantic import BaseModel, ValidationError

from ..errors import ConfigError
from ..i18n import gettext as _
from .checks import check_all
from .document import Document, read_document
from .model import (
    LINK_STATUSES,
    Chain,
    City,
    CityChain,
    Config,
    Endowment,
    Industry,
    Link,
    ModelSettings,
    MoneyTarget,
    Planner,
    Priority,
    Region,
    Scoring,
    TargetGroup,
    Team,
    Tier,
)
from .schema import (
    ChainsFile,
    ChainTable,
    CitiesFile,
    CityTable,
    ConfigFile,
    EndowmentsFile,
    FilesTable,
    RegionsFile,
    RegionTable,
    TaxonomyFile,
    TeamsFile,
)

__all__ = ["load_config", "default_config_path", "data_file", "build_config", "file_digest", "FILE_SCHEMAS"]

#: The schema of each file named under ``[files]`` (the gazetteer is a CSV, checked when read).
FILE_SCHEMAS: dict[str, type[BaseModel]] = {
    "taxonomy": TaxonomyFile,
    "chains": ChainsFile,
    "regions": RegionsFile,
    "cities": CitiesFile,
    "teams": TeamsFile,
    "endowments": EndowmentsFile,
}


def data_file(name: str) -> Path:
    """Path of a file bundled in the package's data folder."""
    try:
        root = importlib.resources.files("matcher.data")
        path = Path(str(root.joinpath(name)))
        if path.exists():
            return path
    except ModuleNotFoundError:  # running from a source tree that is not installed
        pass
    return Path(__file__).resolve().parent.parent.parent / "data" / name


def default_config_path() -> Path:
    """Path of the bundled default configuration (``config.toml``)."""
    return data_file("config.toml")


def load_config(path: str | Path | None = None) -> Config:
    """Load and validate a configuration.

    Parameters
    ----------
    path : str or Path, optional
        The main ``config.toml`` or a folder holding one. Default: the bundled
        configuration.

    Returns
    -------
    Config
        The validated configuration, with the SHA-256 of its files.

    Raises
    ------
    ConfigError
        Listing every problem found in every file of the configuration, each
        as ``file: key path: what is wrong``.
    """
    main = Path(path) if path is not None else default_config_path()
    if main.is_dir():
        main = main / "config.toml"
    problems: list[str] = []
    top = read_document(main, ConfigFile, problems)
    if not top.read:
        raise ConfigError(problems)
    paths = _file_paths(main, top)
    docs = {key: read_document(paths[key], schema, problems) for key, schema in FILE_SCHEMAS.items() if key in paths}
    if "gazetteer" in paths and not paths["gazetteer"].exists():
        problems.append(_("{where}: file not found: {path}").format(where=top.label(("files", "gazetteer")), path=paths["gazetteer"]))
    check_all(top, docs, problems)
    if problems:
        raise ConfigError(problems)
    files = (main, *(paths[k] for k in (*FILE_SCHEMAS, "gazetteer") if k in paths))
    return build_config(main, top.model, {k: d.model for k, d in docs.items()}, paths["gazetteer"], files)


def _file_paths(main: Path, top: Document) -> dict[str, Path]:
    """The files named under ``[files]`` (those that validate), relative to ``main``."""
    if top.valid:
        named = top.model.files.model_dump()
    else:
        try:
            named = FilesTable.model_validate(top.raw.get("files")).model_dump()
        except ValidationError:
            named = {}
    return {key: main.parent / name for key, name in named.items() if name is not None}


def file_digest(files: tuple[Path, ...]) -> str:
    """SHA-256 over the name and bytes of each file, in order."""
    digest = hashlib.sha256()
    for p in files:
        digest.update(p.name.encode())
        digest.update(p.read_bytes())
    return digest.hexdigest()


# --------------------------------------------------------------------------- runtime objects


def _runtime(cls: type, table: BaseModel, **values):
    """A ``cls`` dataclass from the same-named fields of a validated table (lists become tuples)."""
    for f in dataclasses.fields(cls):
        if f.name not in values and f.name in type(table).model_fields:
            value = getattr(table, f.name)
            values[f.name] = tuple(value) if isinstance(value, list) else value
    return cls(**values)


def build_config(main: Path, top: ConfigFile, docs: dict[str, BaseModel], gazetteer: Path, files: tuple[Path, ...]) -> Config:
    """The runtime :class:`Config` of validated files.

    Parameters
    ----------
    main : Path
        ``config.toml``.
    top : ConfigFile
        It, validated.
    docs : dict
        The other files validated, by their key in ``[files]``.
    gazetteer : Path
        The gazetteer CSV.
    files : tuple of Path
        Every file of the configuration, in the order they are hashed.
    """
    scoring = top.scoring
    status = tuple((k, getattr(scoring.status_weights, k)) for k in LINK_STATUSES)
    return Config(
        path=main,
        name_zh=top.meta.name_zh,
        name_en=top.meta.name_en,
        year=top.meta.year,
        scoring=_runtime(Scoring, scoring, status_weights=status),
        tiers=tuple(_runtime(Tier, t) for t in top.tier),
        target_groups=tuple(_runtime(TargetGroup, g) for g in top.target_group),
        money=_runtime(MoneyTarget, top.money),
        industries=tuple(_runtime(Industry, i) for i in docs["taxonomy"].industry),
        chains=tuple(_chain(c) for c in docs["chains"].chain),
        regions=tuple(_region(r) for r in docs["regions"].region),
        cities=tuple(_city(c) for c in docs["cities"].city),
        teams=tuple(_runtime(Team, t) for t in docs["teams"].team),
        gazetteer_path=gazetteer,
        sha256=file_digest(files),
        files=files,
        planner=_runtime(Planner, top.planner),
        model=_runtime(ModelSettings, top.model),
        endowments=tuple(_runtime(Endowment, e) for e in docs["endowments"].endowment) if "endowments" in docs else (),
    )


def _chain(chain: ChainTable) -> Chain:
    links = tuple(_runtime(Link, lk, chain=chain.id) for lk in chain.link)
    return _runtime(Chain, chain, links=links)


def _region(region: RegionTable) -> Region:
    priorities = tuple(_runtime(Priority, p, region=region.id) for p in region.priority)
    return _runtime(Region, region, priorities=priorities)


def _city(city: CityTable) -> City:
    chains = tuple(_runtime(CityChain, cc, links=tuple(sorted(cc.links.items()))) for cc in city.chain)
    return _runtime(City, city, chains=chains)
