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
        "import sys; from click.testing import CliRunner; from matcher.cli.main import main; "
        "r = CliRunner().invoke(main, ['--help']); assert r.exit_code == 0, r.output; "
        "print(','.join(m for m in ('pandas', 'sklearn', 'sqlalchemy', 'scipy', 'numpy') if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], check=True, capture_output=True, text=True).stdout.strip()
    assert out == ""
