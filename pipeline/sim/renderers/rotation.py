"""GameRotation: each player's stints on the floor, from the simulated game's substitutions.

Times are tenths of a second of play (IN_TIME_REAL, OUT_TIME_REAL); PLAYER_PTS and PT_DIFF
are his points and his team's margin over the stint, so a player's stints add up to his box
score minutes, points and plus-minus, as in the real feed (tests/fixtures/nba_api).
"""

from __future__ import annotations

from ..game import GameResult, Stint
from ..plan import period_length
from .common import Reply, required, share
from .registry import Source, renders

FIRST_SEASON = 2015  # the real feed's rotations are empty before 2015-16
HEADERS = [
    "GAME_ID",
    "TEAM_ID",
    "TEAM_CITY",
    "TEAM_NAME",
    "PERSON_ID",
    "PLAYER_FIRST",
    "PLAYER_LAST",
    "IN_TIME_REAL",
    "OUT_TIME_REAL",
    "PLAYER_PTS",
    "PT_DIFF",
    "USG_PCT",
]


WEIGHTS = {"Made Shot": 1.0, "Missed Shot": 1.0, "Free Throw": 0.44, "Turnover": 1.0}


def _timed(result: GameResult) -> list[tuple[float, dict]]:
    """(seconds of play, action) for the actions that use a possession."""
    before = {}
    elapsed = 0
    for number in range(1, len(result.periods) + 1):
        before[number] = elapsed
        elapsed += period_length(number)
    timed = []
    for action in result.actions or ():
        weight = WEIGHTS.get(action["actionType"])
        if weight is None:
            continue
        minutes, seconds = action["clock"][2:].split("M")
        left = int(minutes) * 60 + float(seconds[:-1])
        timed.append((before[action["period"]] + period_length(action["period"]) - left, action))
    return timed


def _usage(timed: list, team_id: int, stint: Stint) -> float:
    """The player's share of his team's shots, free throws and turnovers in the stint."""
    person = stint.line.spot.player.person_id
    mine = ours = 0.0
    for at, action in timed:
        if action["teamId"] == team_id and stint.start < at <= stint.end:
            weight = WEIGHTS[action["actionType"]]
            ours += weight
            if action["personId"] == person:
                mine += weight
    return share(mine, ours)


def _rows(result: GameResult, is_home: bool, timed: list) -> list[list]:
    side = result.side(is_home)
    team = side.team
    stints = sorted(side.stints, key=lambda s: (s.line.spot.player.person_id, s.start))
    return [
        [
            result.record.game_id,
            team.team_id,
            team.city,
            team.nickname,
            s.line.spot.player.person_id,
            s.line.spot.player.first_name,
            s.line.spot.player.last_name,
            float(s.start * 10),
            float(s.end * 10),
            s.points,
            float(s.margin),
            _usage(timed, team.team_id, s),
        ]
        for s in stints
        if s.end > s.start
    ]


@renders("gamerotation")
def game_rotation(sim: Source, params: dict) -> Reply:
    league = required(params, "LeagueID")
    season, record = sim.game_record(params)
    home = away = []
    if season.start_year >= FIRST_SEASON:
        result = sim.game(record)
        timed = _timed(result)
        home, away = _rows(result, True, timed), _rows(result, False, timed)
    body = {
        "resource": "gamerotation",
        "parameters": {"GameID": record.game_id, "LeagueID": league},
        "resultSets": [
            {"name": "AwayTeam", "headers": HEADERS, "rowSet": away},
            {"name": "HomeTeam", "headers": HEADERS, "rowSet": home},
        ],
    }
    return Reply(200, body, record.game_id)
