"""PlayByPlayV3: the simulated game's actions (none before 1996-97, like the real API)."""

from __future__ import annotations

from ..eras import PLAY_BY_PLAY_FIRST as PBP_FIRST_SEASON  # "actions": [] before 1996-97
from .common import Reply, meta, number
from .registry import Source, renders


@renders("playbyplayv3")
def play_by_play(sim: Source, params: dict) -> Reply:
    season, record = sim.game_record(params)
    actions: list[dict] = []
    if season.start_year >= PBP_FIRST_SEASON:
        actions = sim.game(record).actions
        start = number(params, "StartPeriod", required=False) or 0
        end = number(params, "EndPeriod", required=False) or 0
        if start or end:  # 0 means "all", as on the real API
            actions = [
                a
                for a in actions
                if (not start or a["period"] >= start) and (not end or a["period"] <= end)
            ]
    body = {
        "meta": meta(f"games/{record.game_id}/playbyplay", record.date),
        "game": {
            "gameId": record.game_id,
            "videoAvailable": 1 if actions else 0,
            "actions": actions,
        },
    }
    return Reply(200, body, record.game_id)
