"""The package imports lazily: the command line starts without the heavy libraries."""

import subprocess
import sys

import matcher


def test_public_names_resolve():
    for name in matcher.__all__:
        assert getattr(matcher, name) is not None
    assert set(matcher.__all__) <= set(dir(matcher))


def test_help_does_not_import_the_heavy_libraries():
    code = (
        "import sys; from click.testing import CliRunner; from matcher.cli.app import main; "
        "r = CliRunner().invoke(main, ['--help']); assert r.exit_code == 0, r.output; "
        "print(','.join(m for m in ('pandas', 'sklearn', 'sqlalchemy', 'scipy', 'numpy') if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], check=True, capture_output=True, text=True).stdout.strip()
    assert out == ""


def test_module_entry_points_reach_every_command():
    # Each command is registered when the group is imported, whichever way the command line is started.
    for module in ("matcher", "matcher.cli"):
        r = subprocess.run([sys.executable, "-m", module, "resolve", "--help"], capture_output=True, text=True)
        assert r.returncode == 0, r.stderr
        assert "跨榜单、跨年份、跨语言识别同一企业" in r.stdout


def test_script_entry_point_is_the_group():
    import matcher.cli
    from matcher.cli.app import main

    assert matcher.cli.main is main
