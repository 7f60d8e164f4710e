import os
import pathlib

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
