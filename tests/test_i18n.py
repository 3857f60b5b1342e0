"""One catalogue: every string a user reads goes through it, and Chinese and English are both complete."""

from __future__ import annotations

import ast
import importlib.util
import io
import re
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from matcher.i18n import LOCALE_DIR, column_label, gettext, language, parse_language, set_language

babel = pytest.importorskip("babel")

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "matcher"
_spec = importlib.util.spec_from_file_location("i18n_script", ROOT / "scripts" / "i18n.py")
i18n_script = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(i18n_script)

FIELD = re.compile(r"(?<!\{)\{([^{}:!]*)[^{}]*\}(?!\})")
WORDS = re.compile(r"[A-Za-z]{2,}|[\u4e00-\u9fff]")
#: The error classes of the package (a message given to one of these is shown to a user).
ERRORS = {"MatcherError", "ConfigError", "InputError", "StoreError", "NotFoundError", "SheetError", "ModelError", "StoreBusyError"}


@pytest.fixture(scope="module")
def catalogues():
    from babel.messages.pofile import read_po

    template = i18n_script.extract()
    out = {}
    for lang in i18n_script.LANGS:
        with i18n_script.po_path(lang).open("rb") as f:
            out[lang] = read_po(f)
    return template, out


def test_catalogue_has_every_message_of_the_code(catalogues):
    template, cats = catalogues
    for lang, cat in cats.items():
        absent = [m.id for m in template if m.id and cat.get(m.id, context=m.context) is None]
        assert not absent, f"{lang}: run scripts/i18n.py sync; not in the catalogue: {absent[:5]}"


def test_both_languages_are_complete(catalogues):
    _, cats = catalogues
    assert not i18n_script.missing("zh", cats["zh"]), i18n_script.missing("zh", cats["zh"])[:5]
    assert not i18n_script.missing("en", cats["en"]), i18n_script.missing("en", cats["en"])[:5]


def test_translations_use_only_the_fields_of_their_message(catalogues):
    _, cats = catalogues
    for lang, cat in cats.items():
        for m in cat:
            if m.id and m.string and isinstance(m.id, str):
                # A translation may leave a field out (the Chinese of "{zh} ({en})" needs no English), never add one.
                assert set(FIELD.findall(m.string)) <= set(FIELD.findall(m.id)), (lang, m.id, m.string)


def test_compiled_catalogue_is_the_text_one(catalogues):
    from babel.messages.mofile import write_mo

    _, cats = catalogues
    for lang, cat in cats.items():
        buf = io.BytesIO()
        write_mo(buf, cat, use_fuzzy=False)
        assert i18n_script.po_path(lang).with_suffix(".mo").read_bytes() == buf.getvalue(), f"{lang}: run scripts/i18n.py sync"


def _commands(command: click.Command):
    yield command
    if isinstance(command, click.Group):
        for sub in command.commands.values():
            yield from _commands(sub)


def test_every_help_text_is_translated():
    from matcher.cli.app import main
    from matcher.cli.localise import localise

    with language("en"):
        localise(main)
        english = [(c.name, c.help, [p.help for p in c.params if isinstance(p, click.Option) and p.help]) for c in _commands(main)]
    with language("zh"):
        localise(main)
        chinese = [(c.name, c.help, [p.help for p in c.params if isinstance(p, click.Option) and p.help]) for c in _commands(main)]
    for (name, en_help, en_opts), (_, zh_help, zh_opts) in zip(english, chinese, strict=True):
        assert not en_help or re.search(r"[\u4e00-\u9fff]", zh_help), f"{name}: help not translated"
        for en, zh in zip(en_opts, zh_opts, strict=True):
            assert en == zh or re.search(r"[\u4e00-\u9fff]", zh), f"{name}: option help {en!r} not translated"


def test_help_speaks_chinese_by_default_and_english_on_request():
    from matcher.cli.app import main

    runner = CliRunner()
    zh = runner.invoke(main, ["--help"])
    assert zh.exit_code == 0 and "用法" in zh.output and "选项" in zh.output and "导入公开发布的榜单" in zh.output
    en = runner.invoke(main, ["--lang", "en", "--help"])
    assert "Usage:" in en.output and "Import a published ranking list" in en.output and "用法" not in en.output
    env = runner.invoke(main, ["weekly", "--help"], env={"MATCHER_LANG": "en"})
    assert "Weekly visit plan" in env.output and "Options" in env.output
    zh_again = runner.invoke(main, ["weekly", "--help"])
    assert "每周拜访计划" in zh_again.output


def test_user_errors_come_in_the_language_in_use(tmp_path):
    from matcher.cli.app import main

    runner = CliRunner()
    args = ["--db", str(tmp_path / "m.db"), "imports", "remove", "999", "--yes"]
    zh = runner.invoke(main, args)
    assert zh.exit_code == 1 and "错误" in zh.output and "999" in zh.output
    en = runner.invoke(main, ["--lang", "en", *args])
    assert en.exit_code == 1 and "error: no import with id 999" in en.output
    bad = runner.invoke(main, ["--db", str(tmp_path / "m.db"), "imprts"])
    assert bad.exit_code == 2 and "没有命令" in bad.output


def test_language_is_parsed_and_scoped():
    assert parse_language("zh_CN.UTF-8") == "zh" and parse_language("EN") == "en" and parse_language("中文") == "zh"
    with pytest.raises(ValueError):
        parse_language("fr")
    assert gettext("required") == "必填"
    with language("en"):
        assert gettext("required") == "required"
    set_language("en")
    assert gettext("required") == "required"
    set_language(None)
    assert gettext("required") == "必填"
    assert LOCALE_DIR.is_dir()


def _literal_text(node: ast.AST):
    """The literal text a user would read in an expression: string constants, f-string text, concatenations
    (not what is inside calls, subscripts or the fields of an f-string)."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        yield re.sub(r"\{[^{}]*\}", "", node.value)
    elif isinstance(node, ast.JoinedStr):
        for part in node.values:
            yield from _literal_text(part)
    elif isinstance(node, ast.BinOp):
        yield from _literal_text(node.left)
        yield from _literal_text(node.right)
    elif isinstance(node, ast.IfExp):
        yield from _literal_text(node.body)
        yield from _literal_text(node.orelse)
    elif isinstance(node, ast.List | ast.Tuple):
        for elt in node.elts:
            yield from _literal_text(elt)


def _user_strings(tree: ast.AST):
    """String literals handed straight to a user: click.echo(...) and the messages of the package's errors."""
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call):
            continue
        f = node.func
        name = f.id if isinstance(f, ast.Name) else f.attr if isinstance(f, ast.Attribute) else ""
        is_echo = isinstance(f, ast.Attribute) and f.attr in {"echo", "secho"} and getattr(f.value, "id", "") == "click"
        if not (is_echo or name in ERRORS):
            continue
        for arg in [*node.args, *(k.value for k in node.keywords if k.arg in {"message", "msg"})]:
            for text in _literal_text(arg):
                if WORDS.search(text):
                    yield node.lineno, text
                    break


def test_every_message_goes_through_the_catalogue():
    found = []
    for path in sorted(PACKAGE.rglob("*.py")):
        for line, text in _user_strings(ast.parse(path.read_text(encoding="utf-8"))):
            found.append(f"{path.relative_to(ROOT)}:{line}: {text[:60]!r}")
    assert not found, "messages not in the catalogue:\n" + "\n".join(found)


def test_column_labels_fall_back_to_the_identifier():
    assert column_label("no_such_column_xyz") == "no_such_column_xyz"


def test_lang_is_found_after_options_that_take_a_value():
    from matcher.cli.app import main
    from matcher.cli.localise import language_from_args

    assert language_from_args(["--db", "x.db", "--lang", "en", "targets"], main) == "en"
    assert language_from_args(["--db=x.db", "-v", "--lang=en"], main) == "en"
    assert language_from_args(["targets", "--lang", "en"], main) is None
    assert language_from_args(["--db", "--lang"], main) is None  # --lang is the value of --db
