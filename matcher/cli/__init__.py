"""The command line: thin click commands over the library.

Public names are imported on first use, so that ``matcher --help`` stays fast.
"""

import lazy_loader as lazy

__getattr__, __dir__, __all__ = lazy.attach(
    __name__,
    submod_attrs={
        "__main__": [],
        "main": ["main", "import_list", "import_profiles", "targets", "weekly", "demo", "template", "import_visits", "import_projects", "import_stationed", "kpi", "db", "backup", "train", "evaluate", "resolve", "enterprises"],
        "validate": ["validate"],
    },
)
