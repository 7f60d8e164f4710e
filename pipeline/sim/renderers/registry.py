"""The registry: endpoint path name -> the function that renders its body.

    @renders("boxscoremiscv3")
    def box_score_misc(sim: Source, params: dict) -> Reply: ...

The name is the endpoint's path on stats.nba.com (``/stats/<name>``), which is the
catalogue's ``api_name`` (pipeline/nba/endpoints.py) for the endpoints the pipeline uses.
A renderer reads the league through a Source (the Responder is one), so the renderers
never import the Responder that imports them.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from ..game import GameResult
    from ..league import GameRecord, League, Season
    from ..plan import Cut
    from .common import Reply


class Source(Protocol):
    """What a renderer may ask of the simulated league (pipeline.sim.bodies.Responder)."""

    league: League
    renderers: dict

    def season(self, name: str) -> Season: ...
    def current_season(self) -> Season: ...
    def game_record(self, params: dict) -> tuple[Season, GameRecord]: ...
    def cut(self, record: GameRecord) -> Cut | None: ...
    def game(self, record: GameRecord) -> GameResult: ...
    def team_lines(self, season: Season, records: list[GameRecord]) -> dict[str, tuple]: ...
    def player_lines(self, season: Season, records: list[GameRecord]) -> dict[str, GameResult]: ...


Renderer = Callable[[Source, dict], "Reply"]
RENDERERS: dict[str, Renderer] = {}


def renders(name: str) -> Callable[[Renderer], Renderer]:
    """Register the decorated function as the renderer of /stats/<name>."""

    def register(function: Renderer) -> Renderer:
        if name in RENDERERS:
            raise ValueError(f"two renderers for {name!r}")
        RENDERERS[name] = function
        return function

    return register
