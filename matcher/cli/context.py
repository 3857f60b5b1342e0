"""The command line's context object: the options of the ``matcher`` group, opened on first use.

Commands receive it with ``@click.pass_obj``; the configuration, the database
and the models folder are loaded only when a command asks for them, so that
``matcher --help`` stays fast.
"""

from __future__ import annotations

from pathlib import Path

__all__ = ["Ctx"]


class Ctx:
    """``--db``, ``--config`` and ``--models`` of the ``matcher`` group, and what they open."""

    def __init__(self, db: str | None, config: str | None, models: str | None = None):
        self.db_arg, self.config_arg, self.models_arg = db, config, models
        self._config = None

    @property
    def models_dir(self) -> Path:
        """The models folder: --models, else ``models/`` beside a SQLite database file, else ./models."""
        from ..learn.persistence import models_folder

        return models_folder(self.db_arg, self.models_arg)

    @property
    def config(self):
        """The configuration of ``--config`` (loaded once)."""
        if self._config is None:
            from ..config.load import load_config

            self._config = load_config(self.config_arg)
        return self._config

    def store(self, db: str | None = None):
        """The database of ``--db`` (or ``db``), opened."""
        from ..store.core import open_store

        return open_store(db or self.db_arg)

    def names(self, store):
        """Names as people write them to enterprise ids of ``store``: exact, then the resolver (uncertain ones reported)."""
        from functools import partial

        from ..resolve.names import resolve_enterprise_names

        return partial(resolve_enterprise_names, store)

    def scores(self):
        """Rule scores of the database's enterprises; an error when it holds none."""
        from ..plan.issue import score_store

        return score_store(self.store(), self.config)
