"""WinProbabilityPBP (RunType "each second"): the home team's chance to win, second by second
and at each play-by-play action, from the score as the game went.

Action rows carry the action's number (EVENT_NUM = actionNumber), description and the running
score; the rows between them, one a second, only the clock and the chances, as in nba_api's
documented output. The chance is a normal model of the final margin: the margin now, a small
home edge, and a spread that narrows as the game runs out; the last row says who won.
"""

from __future__ import annotations

import math

from ..game import GameResult
from ..plan import period_length
from .common import Reply, required
from .registry import Source, renders

HEADERS = [
    "GAME_ID",
    "EVENT_NUM",
    "HOME_PCT",
    "VISITOR_PCT",
    "HOME_PTS",
    "VISITOR_PTS",
    "HOME_SCORE_MARGIN",
    "PERIOD",
    "SECONDS_REMAINING",
    "HOME_POSS_IND",
    "HOME_G",
    "DESCRIPTION",
    "LOCATION",
    "PCTIMESTRING",
    "ISVISIBLE",
]
GAME_HEADERS = [
    "GAME_ID",
    "GAME_DATE",
    "HOME_TEAM_ID",
    "HOME_TEAM_ABR",
    "HOME_TEAM_PTS",
    "VISITOR_TEAM_ID",
    "VISITOR_TEAM_ABR",
    "VISITOR_TEAM_PTS",
]
FIRST_SEASON = 1996  # taken to follow the play-by-play's era (no older body recorded)
HOME_EDGE = 2.5  # points, over a whole game
SPREAD = 12.0  # standard deviation of a whole game's margin


def home_chance(margin: int, seconds_left: float, total: float) -> float:
    if seconds_left <= 0:
        return 1.0 if margin > 0 else 0.0 if margin < 0 else 0.5
    left = seconds_left / total
    z = (margin + HOME_EDGE * left) / (SPREAD * math.sqrt(left))
    return round(0.5 * (1 + math.erf(z / math.sqrt(2))), 5)


def _seconds(clock: str) -> int:
    minutes, seconds = clock[2:].split("M")
    return int(minutes) * 60 + int(float(seconds[:-1]))


def _rows(result: GameResult) -> list[list]:
    game_id = result.record.game_id
    lengths = [period_length(n) for n in range(1, len(result.periods) + 1)]
    total = float(max(sum(lengths), 2880))
    after = [sum(lengths[n:]) for n in range(1, len(lengths) + 1)]  # left after period n
    home = away = 0
    possession = None
    rows: list[list] = []

    def row(event, period, left, description="", location="", clock="", visible=None):
        chance = home_chance(home - away, left + after[period - 1], total)
        rows.append(
            [
                game_id,
                event,
                chance,
                round(1 - chance, 5),
                home,
                away,
                home - away,
                period,
                left,
                possession,
                "",
                description,
                location,
                clock,
                visible,
            ]
        )

    last = (1, lengths[0])
    for action in result.actions or ():
        period, left = action["period"], _seconds(action["clock"])
        # One row a second since the last action (within its period).
        if period == last[0]:
            for second in range(last[1] - 1, left, -1):
                row(None, period, second)
        last = (period, left)
        if action["scoreHome"] != "":
            home, away = int(action["scoreHome"]), int(action["scoreAway"])
        if action["location"]:
            possession = int(action["location"] == "h")
        row(
            action["actionNumber"],
            period,
            left,
            action["description"],
            action["location"],
            f"{left // 60}:{left % 60:02d}",
            1,
        )
    return rows


@renders("winprobabilitypbp")
def win_probability(sim: Source, params: dict) -> Reply:
    run_type = required(params, "RunType")
    season, record = sim.game_record(params)
    result = sim.game(record)
    rows = _rows(result) if result.actions and season.start_year >= FIRST_SEASON else []
    home = sum(line.pts for line in result.home.lines)
    away = sum(line.pts for line in result.away.lines)
    info = [
        record.game_id,
        record.date.strftime("%m/%d/%Y"),
        result.home.team.team_id,
        result.home.team.abbreviation,
        home,
        result.away.team.team_id,
        result.away.team.abbreviation,
        away,
    ]
    body = {
        "resource": "winprobabilitypbp",
        "parameters": {"GameID": record.game_id, "RunType": run_type},
        "resultSets": [
            {"name": "WinProbPBP", "headers": HEADERS, "rowSet": rows},
            {"name": "GameInfo", "headers": GAME_HEADERS, "rowSet": [info]},
        ],
    }
    return Reply(200, body, record.game_id)
