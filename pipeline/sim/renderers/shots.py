"""ShotChartDetail for one game (PlayerID=0, TeamID=0, ContextMeasure=FGA): every field goal
of the simulated play-by-play, where it was taken and in which zone (pipeline/sim/court.py).

The same actions as playbyplayv3, so each player's shots are his FGM/FGA in the box score.
Only the by-game form is simulated; the player-season form answers 400.
"""

from __future__ import annotations

import re

from .. import court
from ..league import TEAMS_BY_ID
from .common import BadRequest, Reply, number, season_param, season_type
from .registry import Source, renders

FIRST_SEASON = 1996  # shot locations start with the play-by-play's (1996-97)
HEADERS = [
    "GRID_TYPE",
    "GAME_ID",
    "GAME_EVENT_ID",
    "PLAYER_ID",
    "PLAYER_NAME",
    "TEAM_ID",
    "TEAM_NAME",
    "PERIOD",
    "MINUTES_REMAINING",
    "SECONDS_REMAINING",
    "EVENT_TYPE",
    "ACTION_TYPE",
    "SHOT_TYPE",
    "SHOT_ZONE_BASIC",
    "SHOT_ZONE_AREA",
    "SHOT_ZONE_RANGE",
    "SHOT_DISTANCE",
    "LOC_X",
    "LOC_Y",
    "SHOT_ATTEMPTED_FLAG",
    "SHOT_MADE_FLAG",
    "GAME_DATE",
    "HTM",
    "VTM",
]
AVERAGE_HEADERS = ["GRID_TYPE", "SHOT_ZONE_BASIC", "SHOT_ZONE_AREA", "SHOT_ZONE_RANGE"]
# (zone, area, range, field-goal percentage): the league's shooting by zone, roughly.
LEAGUE_AVERAGES = [
    ("Above the Break 3", "Center(C)", "24+ ft.", 0.36),
    ("Above the Break 3", "Left Side Center(LC)", "24+ ft.", 0.35),
    ("Above the Break 3", "Right Side Center(RC)", "24+ ft.", 0.35),
    ("In The Paint (Non-RA)", "Center(C)", "Less Than 8 ft.", 0.45),
    ("In The Paint (Non-RA)", "Center(C)", "8-16 ft.", 0.43),
    ("Left Corner 3", "Left Side(L)", "24+ ft.", 0.39),
    ("Mid-Range", "Center(C)", "16-24 ft.", 0.41),
    ("Mid-Range", "Left Side(L)", "8-16 ft.", 0.41),
    ("Mid-Range", "Right Side(R)", "8-16 ft.", 0.41),
    ("Restricted Area", "Center(C)", "Less Than 8 ft.", 0.66),
    ("Right Corner 3", "Right Side(R)", "24+ ft.", 0.39),
]
# The parameters the real body echoes, in its order (nba_api sends all of them).
ECHOED = [
    "LeagueID",
    "Season",
    "SeasonType",
    "TeamID",
    "PlayerID",
    "GameID",
    "Outcome",
    "Location",
    "Month",
    "SeasonSegment",
    "DateFrom",
    "DateTo",
    "OpponentTeamID",
    "VsConference",
    "VsDivision",
    "Position",
    "RookieYear",
    "GameSegment",
    "Period",
    "LastNGames",
    "ISTRound",
    "ClutchTime",
    "AheadBehind",
    "PointDiff",
    "RangeType",
    "StartPeriod",
    "EndPeriod",
    "StartRange",
    "EndRange",
    "ContextFilter",
    "ContextMeasure",
]
NUMBERS = {"TeamID", "PlayerID", "Month", "OpponentTeamID", "Period", "LastNGames"}
CLOCK = re.compile(r"PT(\d+)M(\d+)")


def _echo(params: dict) -> dict:
    echo = {}
    for name in ECHOED:
        value = params.get(name, "")
        if value in ("", None):
            echo[name] = None
        else:
            echo[name] = int(value) if name in NUMBERS and value.lstrip("-").isdigit() else value
    return echo


def _shot_row(action: dict, record, names: dict, date: str, home: str, away: str) -> list:
    minutes, seconds = (int(v) for v in CLOCK.match(action["clock"]).groups())
    value, x, y = action["shotValue"], action["xLegacy"], action["yLegacy"]
    made = action["shotResult"] == "Made"
    team = TEAMS_BY_ID[action["teamId"]]
    return [
        "Shot Chart Detail",
        record.game_id,
        action["actionNumber"],
        action["personId"],
        names[action["personId"]],
        team.team_id,
        f"{team.city} {team.nickname}",
        action["period"],
        minutes,
        seconds,
        "Made Shot" if made else "Missed Shot",
        action["subType"],
        f"{value}PT Field Goal",
        *court.zones(value, x, y),
        action["shotDistance"],
        x,
        y,
        1,
        int(made),
        date,
        home,
        away,
    ]


@renders("shotchartdetail")
def shot_chart(sim: Source, params: dict) -> Reply:
    params = {k: "" if v is None else str(v) for k, v in params.items()}  # as over HTTP
    for name in ("PlayerID", "TeamID"):
        number(params, name)
    if params.get("ContextMeasure", "") in ("", None):
        raise BadRequest("The ContextMeasure property is required.")
    if params.get("GameID", "") in ("", None):
        raise BadRequest("The simulator answers shotchartdetail by GameID only.")
    season, record = sim.game_record(params)
    wanted_season, wanted_type = season_param(params, False), season_type(params, False)
    player, team = number(params, "PlayerID"), number(params, "TeamID")
    rows = []
    if (
        season.start_year >= FIRST_SEASON
        and wanted_season in (None, season.name)
        and wanted_type in (None, record.season_type)
    ):
        result = sim.game(record)
        names = {
            line.spot.player.person_id: line.spot.player.full_name
            for side in (result.home, result.away)
            for line in side.lines
        }
        home = TEAMS_BY_ID[record.home_team_id].abbreviation
        away = TEAMS_BY_ID[record.away_team_id].abbreviation
        date = record.date.strftime("%Y%m%d")
        made_only = params["ContextMeasure"] != "FGA"
        for action in result.actions:
            if not action["isFieldGoal"] or (made_only and action["shotResult"] != "Made"):
                continue
            if player and action["personId"] != player or team and action["teamId"] != team:
                continue
            rows.append(_shot_row(action, record, names, date, home, away))
    averages = [
        ["League Averages", basic, area, distance, 1000, round(1000 * rate), rate]
        for basic, area, distance, rate in LEAGUE_AVERAGES
    ]
    body = {
        "resource": "shotchartdetail",
        "parameters": _echo(params),
        "resultSets": [
            {"name": "Shot_Chart_Detail", "headers": HEADERS, "rowSet": rows},
            {
                "name": "LeagueAverages",
                "headers": [*AVERAGE_HEADERS, "FGA", "FGM", "FG_PCT"],
                "rowSet": averages,
            },
        ],
    }
    return Reply(200, body, record.game_id)
