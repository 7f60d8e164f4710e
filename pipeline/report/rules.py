"""What the validation expects: rule names, weights, column kinds and thresholds.

Everything a reader of report.json needs to interpret a `rule` lives here, in one table.
"""

from __future__ import annotations

from pipeline.nba.endpoints import Endpoint

# The strategy document's thresholds.
MAX_ERROR_RATE = 0.05
MIN_QUALITY = 0.95
MAX_MINUTES = 70.0

# rule -> (weight in a game's score, what it means). Reconciliation rules weigh double:
# they tie two endpoints together, so one failure says more than a single-table check.
RULES: dict[str, tuple[float, str]] = {
    "completeness.missing": (0.0, "the table has no file for an expected game"),
    "completeness.dead_letter": (0.0, "the endpoint was dead-lettered for the game"),
    "schema.columns": (1.0, "a column of the table's schema is absent from the file"),
    "schema.types": (1.0, "a column's type is not its type in the table's schema"),
    "schema.drift": (1.0, "the file's Arrow schema is not its table's schema (lake/schema.py)"),
    "lineage.game_id": (1.0, "gameId / game_id inside the file differ from its file name"),
    "identity.other_game": (2.0, "the file holds rows of another game (any game table)"),
    "range.minutes": (1.0, "player minutes not MM:SS (or whole minutes) between 0 and 70"),
    "range.percentage": (1.0, "a percentage outside 0..1"),
    "range.made_attempted": (1.0, "made > attempted"),
    "range.negative_count": (1.0, "a negative count"),
    "unique.player": (1.0, "more than one row per player per game"),
    "unique.team": (1.0, "not exactly one row per team (two teams) per game"),
    "pbp.sequence": (1.0, "play-by-play actionId does not run 1..N without gaps"),
    "pbp.final_action": (1.0, "play-by-play does not end with the end of a period >= 4"),
    "reconcile.team_points": (2.0, "team points != sum of its players' points"),
    "reconcile.pbp_score": (2.0, "last play-by-play score != team points"),
    "reconcile.line_score": (2.0, "summary line score != team points"),
    "reconcile.advanced_players": (2.0, "advanced and traditional box list different players"),
    "reconcile.player_team": (2.0, "a player's team is not one of the game's two teams"),
    "reconcile.game_teams": (2.0, "the box score's teams are not the game index's teams"),
    "players.bio_missing": (1.0, "a box-score player has no bio in players/"),
    "teams.info_missing": (1.0, "a game's team has no row in teams/"),
}


def weight(rule: str) -> float:
    return RULES[rule][0]


# --- column kinds ---------------------------------------------------------------------

COUNTS = (
    "fieldGoalsMade",
    "fieldGoalsAttempted",
    "threePointersMade",
    "threePointersAttempted",
    "freeThrowsMade",
    "freeThrowsAttempted",
    "reboundsOffensive",
    "reboundsDefensive",
    "reboundsTotal",
    "assists",
    "steals",
    "blocks",
    "turnovers",
    "foulsPersonal",
    "points",
)
MADE_ATTEMPTED = (
    ("fieldGoalsMade", "fieldGoalsAttempted"),
    ("threePointersMade", "threePointersAttempted"),
    ("freeThrowsMade", "freeThrowsAttempted"),
)
# Only true fractions: eFG%, TS%, usage and assist% can legitimately exceed 1.
BOUNDED_PERCENTAGES = (
    "fieldGoalsPercentage",
    "threePointersPercentage",
    "freeThrowsPercentage",
    "offensiveReboundPercentage",
    "defensiveReboundPercentage",
    "reboundPercentage",
)
# The columns each data check reads; every other table is checked from its footer only.
DATA_COLUMNS: dict[str, tuple[str, ...]] = {
    "box_traditional_players": (
        "gameId",
        "game_id",
        "teamId",
        "personId",
        "minutes",
        *COUNTS,
        *BOUNDED_PERCENTAGES[:3],
    ),
    "box_traditional_teams": ("gameId", "game_id", "teamId", *COUNTS, *BOUNDED_PERCENTAGES[:3]),
    "box_traditional_starter_bench": (
        "gameId",
        "game_id",
        "teamId",
        *COUNTS,
        *BOUNDED_PERCENTAGES[:3],
    ),
    "box_advanced_players": (
        "gameId",
        "game_id",
        "teamId",
        "personId",
        "minutes",
        *BOUNDED_PERCENTAGES[3:],
    ),
    "box_advanced_teams": ("gameId", "game_id", "teamId", *BOUNDED_PERCENTAGES[3:]),
    "play_by_play": (
        "gameId",
        "game_id",
        "actionId",
        "actionType",
        "subType",
        "period",
        "scoreHome",
        "scoreAway",
    ),
    "summary_line_score": ("gameId", "game_id", "teamId", "score"),
}


def identity_columns(endpoint: Endpoint) -> dict[str, str]:
    """Lake table -> the body's column that names the game of each row (the catalogue's
    identity), for the tables of a game endpoint."""
    return {
        endpoint.tables[dataset]: column
        for dataset, column, argument in endpoint.identity
        if argument == endpoint.key_param and dataset in endpoint.tables
    }


def read_columns(table: str, identity_column: str | None) -> tuple[str, ...] | None:
    """The columns validation reads from a table's files: its data checks' and its identity
    column (every other column is checked from the footer)."""
    columns = (
        *DATA_COLUMNS.get(table, ()),
        *CROSS_COLUMNS.get(table, ()),
        *((identity_column,) if identity_column else ()),
    )
    return tuple(dict.fromkeys(columns)) or None


# --- More of each game (issue 24) ------------------------------------------------------
# Kept apart from the rules above: each ties one of the optional datasets to the traditional
# box score (or its own file) with a relation the real bodies of game 0022200552 obey
# (tests/fixtures/nba_api; tests/test_more_of_each_game.py checks them on those bodies).
RULES.update(
    {
        "reconcile.shots_box": (
            2.0,
            "a player's shots (made, attempted, threes) != his FGM, FGA, FG3M, FG3A in the "
            "traditional box score",
        ),
        "shots.value_zone": (
            1.0,
            "a shot's value disagrees with where it was taken (a three inside 22 ft or in a "
            "two's zone; a two beyond 23 ft or in a three's zone)",
        ),
        "reconcile.rotation_box": (
            2.0,
            "a player's stints in the rotation != his box-score minutes (within 1 s) or points",
        ),
        "reconcile.hustle_box": (2.0, "hustle minutes or points != the traditional box score's"),
        "reconcile.tracking_box": (
            2.0,
            "player-tracking minutes or assists != the traditional box score's",
        ),
        "reconcile.defensive_box": (
            2.0,
            "defense's defensive rebounds, steals or blocks != the traditional box score's",
        ),
        "reconcile.matchup_players": (
            2.0,
            "a matchup's offensive player is not in his team's box score, or its defender "
            "not in the other team's",
        ),
        "reconcile.win_probability_score": (
            2.0,
            "the win probability's last score, or its game info's, != the box score's points",
        ),
    }
)
THREE_POINT_ZONES = ("Left Corner 3", "Right Corner 3", "Above the Break 3", "Backcourt")
# The columns the checks above read from each issue-24 table (beyond the generic checks,
# which these tables do not get: their rows are shots, stints, pairs or seconds).
CROSS_COLUMNS: dict[str, tuple[str, ...]] = {
    "shots": (
        "PLAYER_ID",
        "SHOT_TYPE",
        "SHOT_ZONE_BASIC",
        "SHOT_DISTANCE",
        "SHOT_MADE_FLAG",
        "SHOT_ATTEMPTED_FLAG",
    ),
    "rotations_home": ("PERSON_ID", "IN_TIME_REAL", "OUT_TIME_REAL", "PLAYER_PTS"),
    "rotations_away": ("PERSON_ID", "IN_TIME_REAL", "OUT_TIME_REAL", "PLAYER_PTS"),
    "box_hustle_players": ("personId", "minutes", "points"),
    "box_player_track_players": ("personId", "minutes", "assists"),
    "box_defensive_players": ("personId", "defensiveRebounds", "steals", "blocks"),
    "box_matchups": ("teamId", "personIdOff", "personIdDef"),
    "win_probability": ("HOME_PTS", "VISITOR_PTS"),
    "win_probability_game": (
        "HOME_TEAM_ID",
        "HOME_TEAM_PTS",
        "VISITOR_TEAM_ID",
        "VISITOR_TEAM_PTS",
    ),
}
