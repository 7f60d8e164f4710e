import os
import pathlib
import shutil
import tempfile

import pytest

FIXTURES = pathlib.Path(__file__).resolve().parents[2] / "shared" / "fixtures" / "stats.nba.com"
if not FIXTURES.exists():  # CI clones main with shared/ beside it
    FIXTURES = pathlib.Path(os.environ.get("NBA_FIXTURES", FIXTURES))


@pytest.fixture(scope="session")
def fixtures_dir() -> pathlib.Path:
    if not FIXTURES.exists():
        pytest.skip(f"real stats.nba.com fixtures not found at {FIXTURES}")
    return FIXTURES


def fixture_body(relative: str) -> str:
    """A real stats.nba.com body; the calling test skips where the fixtures are absent."""
    if not FIXTURES.exists():
        pytest.skip(f"real stats.nba.com fixtures not found at {FIXTURES}")
    return (FIXTURES / relative).read_text(encoding="utf-8")


def pytest_configure(config):
    """Each pytest process (an xdist worker, or a second `make test` beside this one) gives
    the commands it starts a temp folder of their own: Luigi's pid lock lives in
    $TMPDIR/luigi and is keyed by the command line, so two processes running the same
    command at once would see each other as "already running" (exit 6)."""
    tempfile.gettempdir()  # this process's own temp folder (and pytest's) stays as it was
    own = tempfile.mkdtemp(prefix="nba-tests-")
    config._nba_tmpdir = own
    os.environ["TMPDIR"] = own


def pytest_unconfigure(config):
    own = getattr(config, "_nba_tmpdir", None)
    if own:
        shutil.rmtree(own, ignore_errors=True)
