"""Players and teams: CommonPlayerInfo, PlayerIndex, TeamInfoCommon, CommonTeamRoster.

A player's bio (people.py) is the same in all of them. His team, jersey and position are
his roster spot: in PlayerIndex and CommonTeamRoster for the season asked, in
CommonPlayerInfo for today's season.
"""

from __future__ import annotations

import datetime as dt

from ..league import FIRST_SEASON, PLAYERS_BY_ID, REGULAR, TEAMS_BY_ID, Player, Season, Team
from ..people import POSITION_NAMES, bio, headline
from .common import NotFound, Reply, number, season_param
from .registry import Source, renders


def _spot(season: Season, player: Player):
    """(team, roster spot) of a player in a season, or (None, None)."""
    for team_id, spots in season.rosters.items():
        for spot in spots:
            if spot.player is player:
                return TEAMS_BY_ID[team_id], spot
    return None, None


def _draft(value: int | None) -> str:
    return "Undrafted" if value is None else str(value)


@renders("commonplayerinfo")
def common_player_info(sim: Source, params: dict) -> Reply:
    person_id = number(params, "PlayerID")
    player = PLAYERS_BY_ID.get(person_id)
    if player is None:
        raise NotFound(f"No player found for PlayerID {person_id}.")
    season = sim.current_season()
    about = bio(player, season.start_year)
    team, spot = _spot(season, player)
    row = [
        person_id,
        player.first_name,
        player.last_name,
        player.full_name,
        f"{player.last_name}, {player.first_name}",
        player.name_i,
        player.slug,
        f"{about.birthdate.isoformat()}T00:00:00",
        about.college,
        about.country,
        f"{about.college}/{about.country}",
        about.height,
        about.weight,
        max(0, season.start_year - about.from_year),
        spot.jersey if spot else "",
        POSITION_NAMES[spot.position] if spot else "",
        "Active" if team else "Inactive",
        "Y" if team else "N",
        team.team_id if team else 0,
        team.nickname if team else "",
        team.abbreviation if team else "",
        team.slug if team else "",
        team.city if team else "",
        player.slug.replace("-", "_"),
        about.from_year,
        about.to_year,
        "N",
        "Y",
        "Y",
        _draft(about.draft_year),
        _draft(about.draft_round),
        _draft(about.draft_number),
        "N",
    ]
    points, rebounds, assists = headline(spot) if spot else (None, None, None)
    body = {
        "resource": "commonplayerinfo",
        "parameters": [{"PlayerID": person_id}, {"LeagueID": params.get("LeagueID") or "00"}],
        "resultSets": [
            {"name": "CommonPlayerInfo", "headers": PLAYERINFO_HEADERS, "rowSet": [row]},
            {
                "name": "PlayerHeadlineStats",
                "headers": ["PLAYER_ID", "PLAYER_NAME", "TimeFrame", "PTS", "AST", "REB", "PIE"],
                "rowSet": [
                    [
                        person_id,
                        player.full_name,
                        season.name,
                        points or 0.0,
                        assists or 0.0,
                        rebounds or 0.0,
                        0,
                    ]
                ],
            },
            {
                "name": "AvailableSeasons",
                "headers": ["SEASON_ID"],
                "rowSet": [[f"2{y}"] for y in range(about.from_year, about.to_year + 1)],
            },
        ],
    }
    return Reply(200, body, str(person_id))


@renders("playerindex")
def player_index(sim: Source, params: dict) -> Reply:
    """Every player of a season's rosters, one row each, by last name."""
    name = season_param(params, required=False)
    season = sim.season(name) if name else sim.current_season()
    team_filter = number(params, "TeamID", required=False) or 0
    latest = sim.current_season().start_year  # bios as the API tells them today
    rows = []
    for team_id, spots in season.rosters.items():
        if team_filter and team_id != team_filter:
            continue
        team = TEAMS_BY_ID[team_id]
        for spot in spots:
            player = spot.player
            about = bio(player, latest)
            points, rebounds, assists = headline(spot)
            rows.append(
                [
                    player.person_id,
                    player.last_name,
                    player.first_name,
                    player.slug,
                    team.team_id,
                    team.slug,
                    0,
                    team.city,
                    team.nickname,
                    team.abbreviation,
                    spot.jersey,
                    spot.position,
                    about.height,
                    about.weight,
                    about.college,
                    about.country,
                    about.draft_year,
                    about.draft_round,
                    about.draft_number,
                    1.0,
                    str(about.from_year),
                    str(about.to_year),
                    points,
                    rebounds,
                    assists,
                    "Season",
                ]
            )
    rows.sort(key=lambda row: (row[1], row[2], row[0]))
    body = {
        "resource": "playerindex",
        "parameters": {
            "LeagueID": params.get("LeagueID") or "00",
            "Season": season.name,
            "Historical": int(params.get("Historical") or 0),
            "TeamID": team_filter,
            "Country": params.get("Country") or None,
            "College": params.get("College") or None,
            "DraftYear": params.get("DraftYear") or None,
            "DraftPick": params.get("DraftPick") or None,
            "PlayerPosition": params.get("PlayerPosition") or "",
            "Height": params.get("Height") or None,
            "Weight": params.get("Weight") or None,
            "Active": int(params.get("Active") or 0),
            "AllStar": int(params.get("AllStar") or 0),
        },
        "resultSets": [{"name": "PlayerIndex", "headers": PLAYERINDEX_HEADERS, "rowSet": rows}],
    }
    return Reply(200, body)


def _team(params: dict) -> Team:
    team_id = number(params, "TeamID")
    team = TEAMS_BY_ID.get(team_id)
    if team is None:
        raise NotFound(f"No team found for TeamID {team_id}.")
    return team


@renders("teaminfocommon")
def team_info_common(sim: Source, params: dict) -> Reply:
    team = _team(params)
    season_name = season_param(params, required=False)
    season = sim.season(season_name) if season_name else sim.current_season()
    if team.team_id not in season.rosters:
        raise NotFound(f"No team found for TeamID {team.team_id} in {season.name}.")
    wins = losses = 0
    for game in season.played(REGULAR):
        if team.team_id in (game.home_team_id, game.away_team_id):
            won = game.winner_id == team.team_id
            wins, losses = wins + won, losses + (not won)
    conf_rank = 1 + sum(
        1
        for other in season.teams
        if other.conference == team.conference
        and other is not team
        and season.strength[other.team_id] > season.strength[team.team_id]
    )
    row = [
        team.team_id,
        season.name,
        team.city,
        team.nickname,
        team.abbreviation,
        team.conference,
        team.division,
        team.slug,
        team.slug,
        wins,
        losses,
        round(wins / (wins + losses), 3) if wins + losses else 0.0,
        conf_rank,
        1 + (conf_rank - 1) // 3,
        str(team.year_founded),
        str(season.start_year),
    ]
    ranks = [
        "00",
        f"2{season.start_year}",
        team.team_id,
        conf_rank,
        112.0,
        conf_rank,
        44.0,
        conf_rank,
        26.0,
        conf_rank,
        112.0,
    ]
    body = {
        "resource": "teaminfocommon",
        "parameters": {
            "LeagueID": params.get("LeagueID") or "00",
            "Season": season_name,
            "SeasonType": params.get("SeasonType") or None,
            "TeamID": team.team_id,
        },
        "resultSets": [
            {"name": "TeamInfoCommon", "headers": TEAMINFO_HEADERS, "rowSet": [row]},
            {"name": "TeamSeasonRanks", "headers": TEAMRANKS_HEADERS, "rowSet": [ranks]},
            {
                "name": "AvailableSeasons",
                "headers": ["SEASON_ID"],
                "rowSet": [
                    [f"2{y}"]
                    for y in range(max(team.year_founded, FIRST_SEASON), season.start_year + 1)
                ],
            },
        ],
    }
    return Reply(200, body, str(team.team_id))


@renders("commonteamroster")
def common_team_roster(sim: Source, params: dict) -> Reply:
    team = _team(params)
    season = sim.season(season_param(params, required=True))
    roster = season.rosters.get(team.team_id)
    if roster is None:
        raise NotFound(f"No team found for TeamID {team.team_id} in {season.name}.")
    year = str(season.start_year)
    latest = sim.current_season().start_year
    season_start = dt.date(season.start_year, 10, 1)
    rows = []
    for spot in roster:
        player = spot.player
        about = bio(player, latest)
        experience = season.start_year - about.from_year
        rows.append(
            [
                team.team_id,
                year,
                "00",
                player.full_name,
                player.first_name,
                player.slug,
                spot.jersey,
                spot.position,
                about.height,
                about.weight,
                f"{about.birthdate:%b %d, %Y}".upper(),
                float(about.age_on(season_start)),
                str(experience) if experience > 0 else "R",
                about.college,
                player.person_id,
                "",
            ]
        )
    coaches = [
        [
            team.team_id,
            year,
            900000 + team.team_id % 1000,
            "Head",
            "Coach",
            f"{team.nickname} Head Coach",
            1,
            "Head Coach",
            None,
            1,
        ]
    ]
    body = {
        "resource": "commonteamroster",
        "parameters": {
            "TeamID": team.team_id,
            "LeagueID": params.get("LeagueID") or "00",
            "Season": season.name,
        },
        "resultSets": [
            {"name": "CommonTeamRoster", "headers": ROSTER_HEADERS, "rowSet": rows},
            {"name": "Coaches", "headers": COACH_HEADERS, "rowSet": coaches},
        ],
    }
    return Reply(200, body, str(team.team_id))


PLAYERINFO_HEADERS = [
    "PERSON_ID",
    "FIRST_NAME",
    "LAST_NAME",
    "DISPLAY_FIRST_LAST",
    "DISPLAY_LAST_COMMA_FIRST",
    "DISPLAY_FI_LAST",
    "PLAYER_SLUG",
    "BIRTHDATE",
    "SCHOOL",
    "COUNTRY",
    "LAST_AFFILIATION",
    "HEIGHT",
    "WEIGHT",
    "SEASON_EXP",
    "JERSEY",
    "POSITION",
    "ROSTERSTATUS",
    "GAMES_PLAYED_CURRENT_SEASON_FLAG",
    "TEAM_ID",
    "TEAM_NAME",
    "TEAM_ABBREVIATION",
    "TEAM_CODE",
    "TEAM_CITY",
    "PLAYERCODE",
    "FROM_YEAR",
    "TO_YEAR",
    "DLEAGUE_FLAG",
    "NBA_FLAG",
    "GAMES_PLAYED_FLAG",
    "DRAFT_YEAR",
    "DRAFT_ROUND",
    "DRAFT_NUMBER",
    "GREATEST_75_FLAG",
]
PLAYERINDEX_HEADERS = [
    "PERSON_ID",
    "PLAYER_LAST_NAME",
    "PLAYER_FIRST_NAME",
    "PLAYER_SLUG",
    "TEAM_ID",
    "TEAM_SLUG",
    "IS_DEFUNCT",
    "TEAM_CITY",
    "TEAM_NAME",
    "TEAM_ABBREVIATION",
    "JERSEY_NUMBER",
    "POSITION",
    "HEIGHT",
    "WEIGHT",
    "COLLEGE",
    "COUNTRY",
    "DRAFT_YEAR",
    "DRAFT_ROUND",
    "DRAFT_NUMBER",
    "ROSTER_STATUS",
    "FROM_YEAR",
    "TO_YEAR",
    "PTS",
    "REB",
    "AST",
    "STATS_TIMEFRAME",
]
TEAMINFO_HEADERS = [
    "TEAM_ID",
    "SEASON_YEAR",
    "TEAM_CITY",
    "TEAM_NAME",
    "TEAM_ABBREVIATION",
    "TEAM_CONFERENCE",
    "TEAM_DIVISION",
    "TEAM_CODE",
    "TEAM_SLUG",
    "W",
    "L",
    "PCT",
    "CONF_RANK",
    "DIV_RANK",
    "MIN_YEAR",
    "MAX_YEAR",
]
TEAMRANKS_HEADERS = [
    "LEAGUE_ID",
    "SEASON_ID",
    "TEAM_ID",
    "PTS_RANK",
    "PTS_PG",
    "REB_RANK",
    "REB_PG",
    "AST_RANK",
    "AST_PG",
    "OPP_PTS_RANK",
    "OPP_PTS_PG",
]
ROSTER_HEADERS = [
    "TeamID",
    "SEASON",
    "LeagueID",
    "PLAYER",
    "NICKNAME",
    "PLAYER_SLUG",
    "NUM",
    "POSITION",
    "HEIGHT",
    "WEIGHT",
    "BIRTH_DATE",
    "AGE",
    "EXP",
    "SCHOOL",
    "PLAYER_ID",
    "HOW_ACQUIRED",
]
COACH_HEADERS = [
    "TEAM_ID",
    "SEASON",
    "COACH_ID",
    "FIRST_NAME",
    "LAST_NAME",
    "COACH_NAME",
    "IS_ASSISTANT",
    "COACH_TYPE",
    "SORT_SEQUENCE",
    "SUB_SORT_SEQUENCE",
]
