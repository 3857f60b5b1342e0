"""Keep the message catalogue in step with the code (needs Babel: ``pip install -e ".[dev]"``).

    python scripts/i18n.py sync [--add translations.json ...]   # extract, merge, add, compile
    python scripts/i18n.py check                                # exit 1 when anything is untranslated

``sync`` extracts every marked string of ``matcher/`` (``gettext``/``_``,
``ngettext``, ``pgettext``, ``N_``, ``NC_``), merges it into the Chinese and
English ``.po`` files (keeping what is translated, dropping what the code no
longer says), adds translations from JSON files (``{"msgid": "译文"}``, or
``{"context\\u0004msgid": ...}`` for an identifier of a context; a file named
``*.en.json`` goes to English), and compiles the ``.mo`` files the package
reads. The output is sorted and dated by a fixed date, so it only changes when
a message does.
"""

from __future__ import annotations

import argparse
import copy
import datetime as dt
import fcntl
import io
import json
import sys
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po, write_po

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "matcher"
LOCALE = PACKAGE / "locale"
LANGS = {"zh": "zh_CN", "en": "en"}
KEYWORDS = {
    "_": None,
    "gettext": None,
    "ngettext": (1, 2),
    "pgettext": ((1, "c"), 2),
    "N_": None,
    "NC_": ((1, "c"), 2),
}
FIXED = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
SEP = "\x04"


def extract() -> Catalog:
    template = Catalog(domain="matcher", project="matcher", creation_date=FIXED, revision_date=FIXED)
    for _file, _line, message, _comments, context in extract_from_dir(
        str(PACKAGE), method_map=[("**.py", "python")], keywords=KEYWORDS, strip_comment_tags=True
    ):
        if message and (message[0] if isinstance(message, tuple) else message):
            flags = ("python-brace-format",) if "{" in (message[0] if isinstance(message, tuple) else message) else ()
            template.add(message, None, context=context, flags=flags)
    for text in help_texts():
        template.add(text, None)
    return template


def help_texts() -> list[str]:
    """The help texts of every command and option of the command line (docstrings included), in English."""
    sys.path.insert(0, str(ROOT))
    from matcher.cli.app import main as cli
    from matcher.cli.localise import help_texts as texts

    return texts(cli)


def po_path(lang: str) -> Path:
    return LOCALE / LANGS[lang] / "LC_MESSAGES" / "matcher.po"


def load(lang: str) -> Catalog:
    path = po_path(lang)
    if path.exists():
        with path.open("rb") as f:
            return read_po(f, locale=LANGS[lang], domain="matcher")
    return Catalog(locale=LANGS[lang], domain="matcher", project="matcher", creation_date=FIXED, revision_date=FIXED)


def add_translations(catalogs: dict[str, Catalog], files: list[Path]) -> int:
    n = 0
    for file in files:
        lang = "en" if file.name.endswith(".en.json") else "zh"
        cat = catalogs[lang]
        for key, text in json.loads(file.read_text(encoding="utf-8")).items():
            context, _, msgid = key.rpartition(SEP)
            msg = cat.get(msgid, context=context or None)
            if msg is None:
                print(f"not in the code (skipped): {key!r}", file=sys.stderr)
                continue
            msg.string = text
            msg.flags.discard("fuzzy")
            n += 1
    return n


def save(lang: str, cat: Catalog) -> None:
    cat.creation_date = cat.revision_date = FIXED
    cat.fuzzy = False
    path = po_path(lang)
    path.parent.mkdir(parents=True, exist_ok=True)
    buf = io.BytesIO()
    write_po(buf, cat, sort_output=True, no_location=True, omit_header=False, width=0)
    path.write_bytes(buf.getvalue())
    mo = io.BytesIO()
    write_mo(mo, cat, use_fuzzy=False)
    path.with_suffix(".mo").write_bytes(mo.getvalue())


def missing(lang: str, cat: Catalog) -> list[str]:
    out = []
    for msg in cat:
        if not msg.id:
            continue
        needed = lang == "zh" or msg.context is not None
        text = msg.string if not isinstance(msg.string, tuple) else msg.string[0]
        if needed and not text:
            out.append(f"{msg.context + ' | ' if msg.context else ''}{msg.id if isinstance(msg.id, str) else msg.id[0]}")
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", required=True)
    s = sub.add_parser("sync")
    s.add_argument("--add", nargs="*", type=Path, default=[])
    sub.add_parser("check")
    args = parser.parse_args(argv)
    LOCALE.mkdir(exist_ok=True)
    with (LOCALE / ".lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        template = extract()
        catalogs = {}
        for lang in LANGS:
            cat = load(lang)
            cat.update(copy.deepcopy(template), no_fuzzy_matching=True)  # each catalogue its own messages
            cat.obsolete.clear()
            catalogs[lang] = cat
        if args.command == "sync":
            added = add_translations(catalogs, args.add)
            for lang, cat in catalogs.items():
                save(lang, cat)
            print(f"{len(template)} messages; {added} translations added")
        gaps = {lang: missing(lang, cat) for lang, cat in catalogs.items()}
        for lang, items in gaps.items():
            for item in items:
                print(f"untranslated [{lang}]: {item}")
        return 1 if args.command == "check" and any(gaps.values()) else 0


if __name__ == "__main__":
    sys.exit(main())
