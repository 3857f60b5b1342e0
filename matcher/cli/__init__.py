"""The command line: thin click commands over the library.

:mod:`.app` holds the ``matcher`` group (global options, errors as one line)
and registers the commands, one module per group of commands: :mod:`.lists`,
:mod:`.targets`, :mod:`.weekly`, :mod:`.history`, :mod:`.models`,
:mod:`.resolve`, :mod:`.db`, :mod:`.demo`; :mod:`.context` is the context
object they share. A command is reached as its module's attribute
(``matcher.cli.weekly.weekly``); ``matcher.cli.weekly`` is the module. Public
names are imported on first use, and the commands import the library inside
their bodies, so that ``matcher --help`` stays fast.
"""

import lazy_loader as lazy

__getattr__, __dir__, __all__ = lazy.attach(
    __name__,
    submod_attrs={
        "app": ["main"],
        "context": ["Ctx"],
    },
)
