"""What every task shares: the lake from configuration and the season's game index."""

from __future__ import annotations

import luigi

from pipeline import config
from pipeline.lake import Lake, lake_at
from pipeline.nba.games import Game, games_from_index

_indexes: dict[tuple[str, str], dict[str, Game]] = {}


def current_lake() -> Lake:
    return lake_at(config.lake_root())


def season_games(lake: Lake, season: str) -> dict[str, Game]:
    """The season's game index by game id, read once per process."""
    key = (lake.root, season)
    if key not in _indexes:
        _indexes[key] = {
            g.game_id: g for g in games_from_index(lake.read_table(lake.layout.game_index(season)))
        }
    return _indexes[key]


def lake_target(path: str) -> luigi.Target:
    """A Luigi target for a lake path (what the visualiser and luigi's API show)."""
    from pipeline.lake.targets import make_target

    return make_target(path)
