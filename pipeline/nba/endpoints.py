"""The endpoint catalogue: one declarative entry per stats.nba.com endpoint we land.

Adding an endpoint means adding one entry here. Tasks, paths, parsing, the plan and the
validation all read this table; none of them names an endpoint on its own.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, field

from nba_api.stats.endpoints import (
    boxscoreadvancedv3,
    boxscoredefensivev2,
    boxscorefourfactorsv3,
    boxscorehustlev2,
    boxscorematchupsv3,
    boxscoremiscv3,
    boxscoreplayertrackv3,
    boxscorescoringv3,
    boxscoresummaryv3,
    boxscoretraditionalv3,
    boxscoreusagev3,
    commonplayerinfo,
    commonteamroster,
    gamerotation,
    leaguegamefinder,
    leaguegamelog,
    playbyplayv3,
    playerindex,
    shotchartdetail,
    teaminfocommon,
    winprobabilitypbp,
)

from pipeline.nba import eras
from pipeline.nba.eras import Era

# In an endpoint's identity: the request's parameters as a legacy body echoes them
# ("parameters": {"Season": "2024-25", ...}), for bodies whose rows do not say.
PARAMETERS = "parameters"

# --- eras (pipeline/nba/eras.py): each bound with its evidence -------------------------------
HOOPR = eras.HOOPR
# Box scores: a body from 1995-96 (the oldest hoopR holds) has every player's line; older
# seasons are assumed recorded back to the BAA and confirmed by a probe.
BOX_SCORE_ERA = Era(
    first=1946,
    proven=1995,
    evidence=f"{eras.BOX_1995}; older: stats.nba.com lists box scores from 1946-47 (assumed)",
    differences=eras.BOX_SCORE_DIFFERENCES,
)
# The advanced family (advanced, four factors, misc, scoring, usage): hoopR's oldest bodies
# are 1996-97's (0029600001, filled in), with none for 1995-96.
ADVANCED_ERA = Era(
    first=1996,
    certain=True,
    evidence=f"{HOOPR}: boxscore{{advanced,fourfactors,misc,scoring,usage}}v3 from 1997/ "
    "(1996-97) on; no 1995-96 body",
)
# Play-by-play: the 1995-96 body has no actions, 1996-97's has them.
PLAY_BY_PLAY_ERA = Era(
    first=1996,
    certain=True,
    evidence="tests/fixtures/hoopr/playbyplayv3/1995-96/0029500001.json (actions []); "
    f"1996-97 0029600001 has 560 KB of actions ({HOOPR})",
)
# The V3 summary: hoopR holds only the V2 one (from 1996-97, as play-by-play); our only V3
# body is a 2025-26 sample. 1996-97 to 2024-25 are assumed and confirmed by a probe.
SUMMARY_ERA = Era(
    first=1996,
    proven=2025,
    evidence=f"V2 summary from 1996-97 ({HOOPR}); V3: "
    "../shared/fixtures/stats.nba.com/boxscoresummaryv3 (a 2025-26 sample)",
)
# Season-level and entity answers: stats.nba.com's season selectors go back to 1946-47;
# our recorded bodies are recent ones, so every older season is confirmed by a probe.
HISTORY = "stats.nba.com's season selector starts at 1946-47 (assumed for this endpoint)"
MISC_ERA = Era(
    first=1996,
    certain=True,
    evidence=ADVANCED_ERA.evidence,
    differences=(
        eras.Difference(
            columns=("foulsDrawn",),
            until=1996,
            why="fouls drawn read 0 for everyone in 1996-97 (later seasons not yet seen)",
            evidence="hoopR-nba-stats-raw nba_stats/json/boxscoremiscv3/1997/0029600001.json",
        ),
    ),
)
# The game logs carry the box score's stats, so they share its differences (by log names).
GAME_LOG_ERA = Era(
    first=1946,
    proven=2024,
    evidence="../shared/fixtures/stats.nba.com/leaguegamelog (2024-25 P, 2025-26 T); "
    f"older: {HISTORY}",
    differences=eras.BOX_SCORE_DIFFERENCES,
)
# Discovery needs no probe: an empty answer is a season without games, and nothing else of
# that season is asked for.
FINDER_ERA = Era(
    first=1946,
    certain=True,
    evidence="../shared/fixtures/stats.nba.com/leaguegamefinder (2023-24); older: "
    f"{HISTORY}, and an empty answer is itself the finding",
)


def recorded_from(year: int, evidence: str) -> Era:
    """Assumed from 1946-47, shown by a real body from `year` on."""
    return Era(first=1946, proven=year, evidence=f"{evidence}; older: {HISTORY}")


@dataclass(frozen=True)
class Endpoint:
    key: str  # our short name: task parameter, raw/ folder, CLI switches
    api_name: str  # the path segment on stats.nba.com, as nba_api names it
    nba_class: type  # nba_api's endpoint class; it makes the HTTP call
    per: str  # "game", "player", "team" or "season": what one request covers
    tables: dict[str, str]  # nba_api dataset name -> lake table name
    required: tuple[str, ...] = ()  # datasets that must have rows, or the body is empty
    group: str = ""  # the dataset switch this endpoint belongs to (--no-<group>)
    optional: bool = False  # off unless switched on (--<group>)
    era: Era = Era()  # from which season stats.nba.com records it, and what differs
    extra_params: dict = field(default_factory=dict)
    key_param: str = "game_id"  # the nba_api argument that takes the item's key
    season_param: str | None = None  # the nba_api argument that takes the season, if any
    # For a per-game endpoint that is not asked by game id alone (ShotChartDetail): the
    # nba_api argument that takes the game's season type ("Regular Season", "Playoffs"...).
    season_type_param: str | None = None
    lake_wide: bool = False  # one file per key for the whole lake, not one per season
    # The lake schema (pipeline/lake/schema.py) takes columns from nba_api's expected_data
    # and types from its rules by column name. Where the live API sends more columns than
    # nba_api lists, or a name means another type here, say so:
    extra_columns: dict[str, tuple[str, ...]] = field(default_factory=dict)  # dataset -> names
    column_types: dict[str, str] = field(default_factory=dict)  # column -> Arrow type name
    # What a body says it is: (dataset, column, nba_api argument). Every row's column must
    # hold the request's value (seasons compare by their first year: 2024-25, 2024, 22024),
    # or the body is another one's (parse.check_identity; validation reads the same). The
    # dataset PARAMETERS is the request's parameters as a legacy body echoes them.
    identity: tuple[tuple[str, str, str], ...] = ()

    @functools.cached_property
    def table_names(self) -> tuple[str, ...]:
        """The lake tables it writes, in its datasets' order."""
        return tuple(self.tables.values())

    def nba_kwargs(self, **ids) -> dict:
        """Keyword arguments for the nba_api class (ids by our names -> nba_api's names)."""
        return {**self.extra_params, **ids}

    def item_kwargs(self, key: str, season: str, season_type: str | None = None) -> dict:
        """nba_api arguments for one item (a game, player or team) of a season."""
        ids = {self.key_param: key} if self.key_param else {}
        if self.season_param:
            ids[self.season_param] = season
        if self.season_type_param and season_type:
            ids[self.season_type_param] = season_type
        return self.nba_kwargs(**ids)


BOX_TRADITIONAL = Endpoint(
    key="box_traditional",
    api_name="boxscoretraditionalv3",
    nba_class=boxscoretraditionalv3.BoxScoreTraditionalV3,
    per="game",
    tables={
        "PlayerStats": "box_traditional_players",
        "TeamStats": "box_traditional_teams",
        "TeamStarterBenchStats": "box_traditional_starter_bench",
    },
    required=("PlayerStats", "TeamStats"),
    group="box_scores",
    era=BOX_SCORE_ERA,
    identity=(
        ("PlayerStats", "gameId", "game_id"),
        ("TeamStats", "gameId", "game_id"),
        ("TeamStarterBenchStats", "gameId", "game_id"),
    ),
)

BOX_ADVANCED = Endpoint(
    key="box_advanced",
    api_name="boxscoreadvancedv3",
    nba_class=boxscoreadvancedv3.BoxScoreAdvancedV3,
    per="game",
    tables={"PlayerStats": "box_advanced_players", "TeamStats": "box_advanced_teams"},
    required=("PlayerStats", "TeamStats"),
    group="box_scores",
    era=ADVANCED_ERA,
    identity=(("PlayerStats", "gameId", "game_id"), ("TeamStats", "gameId", "game_id")),
)

# Optional box scores that users of other tools collect: off unless switched on.
BOX_FOUR_FACTORS = Endpoint(
    key="box_four_factors",
    api_name="boxscorefourfactorsv3",
    nba_class=boxscorefourfactorsv3.BoxScoreFourFactorsV3,
    per="game",
    tables={"PlayerStats": "box_four_factors_players", "TeamStats": "box_four_factors_teams"},
    required=("PlayerStats", "TeamStats"),
    group="box_four_factors",
    optional=True,
    era=ADVANCED_ERA,
    identity=(("PlayerStats", "gameId", "game_id"), ("TeamStats", "gameId", "game_id")),
)

BOX_MISC = Endpoint(
    key="box_misc",
    api_name="boxscoremiscv3",
    nba_class=boxscoremiscv3.BoxScoreMiscV3,
    per="game",
    tables={"PlayerStats": "box_misc_players", "TeamStats": "box_misc_teams"},
    required=("PlayerStats", "TeamStats"),
    group="box_misc",
    optional=True,
    era=MISC_ERA,
    identity=(("PlayerStats", "gameId", "game_id"), ("TeamStats", "gameId", "game_id")),
)

BOX_SCORING = Endpoint(
    key="box_scoring",
    api_name="boxscorescoringv3",
    nba_class=boxscorescoringv3.BoxScoreScoringV3,
    per="game",
    tables={"PlayerStats": "box_scoring_players", "TeamStats": "box_scoring_teams"},
    required=("PlayerStats", "TeamStats"),
    group="box_scoring",
    optional=True,
    era=ADVANCED_ERA,
    identity=(("PlayerStats", "gameId", "game_id"), ("TeamStats", "gameId", "game_id")),
)

BOX_USAGE = Endpoint(
    key="box_usage",
    api_name="boxscoreusagev3",
    nba_class=boxscoreusagev3.BoxScoreUsageV3,
    per="game",
    tables={"PlayerStats": "box_usage_players", "TeamStats": "box_usage_teams"},
    required=("PlayerStats", "TeamStats"),
    group="box_usage",
    optional=True,
    era=ADVANCED_ERA,
    identity=(("PlayerStats", "gameId", "game_id"), ("TeamStats", "gameId", "game_id")),
)

PLAY_BY_PLAY = Endpoint(
    key="play_by_play",
    api_name="playbyplayv3",
    nba_class=playbyplayv3.PlayByPlayV3,
    per="game",
    tables={"PlayByPlay": "play_by_play"},
    required=("PlayByPlay",),
    group="play_by_play",
    era=PLAY_BY_PLAY_ERA,
    extra_columns={"PlayByPlay": ("shotValue",)},  # nba_api's parser adds it
    identity=(("PlayByPlay", "gameId", "game_id"),),
)

GAME_SUMMARY = Endpoint(
    key="game_summary",
    api_name="boxscoresummaryv3",
    nba_class=boxscoresummaryv3.BoxScoreSummaryV3,
    per="game",
    tables={
        "GameSummary": "summary_game",
        "GameInfo": "summary_game_info",
        "ArenaInfo": "summary_arena",
        "Officials": "summary_officials",
        "LineScore": "summary_line_score",
        "InactivePlayers": "summary_inactive_players",
        "LastFiveMeetings": "summary_last_five_meetings",
        "OtherStats": "summary_other_stats",
    },
    required=("GameSummary", "LineScore"),
    group="game_summary",
    era=SUMMARY_ERA,
    # Not LastFiveMeetings: its gameId is each earlier meeting's.
    identity=(
        ("GameSummary", "gameId", "game_id"),
        ("GameInfo", "gameId", "game_id"),
        ("ArenaInfo", "gameId", "game_id"),
        ("Officials", "gameId", "game_id"),
        ("LineScore", "gameId", "game_id"),
        ("InactivePlayers", "gameId", "game_id"),
        ("OtherStats", "gameId", "game_id"),
    ),
)

PLAYER_INFO = Endpoint(
    key="player_info",
    api_name="commonplayerinfo",
    nba_class=commonplayerinfo.CommonPlayerInfo,
    per="player",
    tables={"CommonPlayerInfo": "players", "PlayerHeadlineStats": "player_headline_stats"},
    required=("CommonPlayerInfo",),
    group="player_info",
    era=recorded_from(2025, "../shared/fixtures/stats.nba.com/commonplayerinfo (a 2025-26 player)"),
    key_param="player_id",
    # No season argument: a bio is the same whatever season asks, so it is fetched once.
    lake_wide=True,
    extra_columns={"CommonPlayerInfo": ("GAMES_PLAYED_CURRENT_SEASON_FLAG", "GREATEST_75_FLAG")},
    column_types={"PTS": "double", "AST": "double", "REB": "double"},  # per-game averages
    identity=(
        ("CommonPlayerInfo", "PERSON_ID", "player_id"),
        ("PlayerHeadlineStats", "PLAYER_ID", "player_id"),
    ),
)

TEAM_INFO = Endpoint(
    key="team_info",
    api_name="teaminfocommon",
    nba_class=teaminfocommon.TeamInfoCommon,
    per="team",
    tables={"TeamInfoCommon": "teams", "TeamSeasonRanks": "team_season_ranks"},
    required=("TeamInfoCommon",),
    group="team_info",
    era=recorded_from(2025, "../shared/fixtures/stats.nba.com/teaminfocommon (2025-26)"),
    key_param="team_id",
    season_param="season_nullable",
    extra_columns={"TeamInfoCommon": ("TEAM_SLUG",)},
    identity=(
        ("TeamInfoCommon", "TEAM_ID", "team_id"),
        ("TeamInfoCommon", "SEASON_YEAR", "season_nullable"),
        ("TeamSeasonRanks", "TEAM_ID", "team_id"),
    ),
)

TEAM_ROSTER = Endpoint(
    key="team_roster",
    api_name="commonteamroster",
    nba_class=commonteamroster.CommonTeamRoster,
    per="team",
    tables={"CommonTeamRoster": "rosters", "Coaches": "coaches"},
    required=("CommonTeamRoster",),
    group="team_info",
    era=recorded_from(2025, "../shared/fixtures/stats.nba.com/commonteamroster (2025-26)"),
    key_param="team_id",
    season_param="season",
    extra_columns={
        "CommonTeamRoster": ("NICKNAME", "HOW_ACQUIRED"),
        "Coaches": ("SUB_SORT_SEQUENCE",),
    },
    identity=(
        ("CommonTeamRoster", "TeamID", "team_id"),
        ("CommonTeamRoster", "SEASON", "season"),
        ("Coaches", "TEAM_ID", "team_id"),
        ("Coaches", "SEASON", "season"),
    ),
)

# Season-level answers, one request per season (type). The game logs check every stored
# box score of the season (pipeline/model/gamelog.py); PlayerIndex gives each player's team,
# jersey, position, height, weight, college, country and draft for that season.
GAME_LOG_PLAYERS = Endpoint(
    key="game_log_players",
    api_name="leaguegamelog",
    nba_class=leaguegamelog.LeagueGameLog,
    per="season",
    tables={"LeagueGameLog": "game_log_players"},
    group="box_scores",
    era=GAME_LOG_ERA,
    key_param="season_type_all_star",
    season_param="season",
    extra_params={"player_or_team_abbreviation": "P", "league_id": "00"},
    # nba_api lists the team log's columns only; the player log has these too.
    extra_columns={"LeagueGameLog": ("PLAYER_ID", "PLAYER_NAME", "FANTASY_PTS")},
    identity=(
        ("LeagueGameLog", "SEASON_ID", "season"),
        (PARAMETERS, "Season", "season"),
        (PARAMETERS, "SeasonType", "season_type_all_star"),
    ),
)

GAME_LOG_TEAMS = Endpoint(
    key="game_log_teams",
    api_name="leaguegamelog",
    nba_class=leaguegamelog.LeagueGameLog,
    per="season",
    tables={"LeagueGameLog": "game_log_teams"},
    group="box_scores",
    era=GAME_LOG_ERA,
    key_param="season_type_all_star",
    season_param="season",
    extra_params={"player_or_team_abbreviation": "T", "league_id": "00"},
    identity=(
        ("LeagueGameLog", "SEASON_ID", "season"),
        (PARAMETERS, "Season", "season"),
        (PARAMETERS, "SeasonType", "season_type_all_star"),
    ),
)

PLAYER_INDEX = Endpoint(
    key="player_index",
    api_name="playerindex",
    nba_class=playerindex.PlayerIndex,
    per="season",
    tables={"PlayerIndex": "player_index"},
    required=("PlayerIndex",),
    group="player_info",
    era=recorded_from(2025, "../shared/fixtures/stats.nba.com/playerindex (2025-26)"),
    key_param="",
    season_param="season",
    extra_params={"league_id": "00"},
    # Typed unlike the same names elsewhere: draft slots as numbers, years as text,
    # points/rebounds/assists as per-game averages.
    column_types={
        **dict.fromkeys(("DRAFT_YEAR", "DRAFT_ROUND", "DRAFT_NUMBER"), "int64"),
        **dict.fromkeys(("FROM_YEAR", "TO_YEAR"), "string"),
        **dict.fromkeys(("PTS", "REB", "AST"), "double"),
    },
    identity=((PARAMETERS, "Season", "season"),),  # its rows do not name the season
)

# Discovery: called once per season type, not per game.
GAME_FINDER = Endpoint(
    key="game_finder",
    api_name="leaguegamefinder",
    nba_class=leaguegamefinder.LeagueGameFinder,
    per="season",
    tables={"LeagueGameFinderResults": "game_finder"},
    era=FINDER_ERA,
    extra_params={"player_or_team_abbreviation": "T", "league_id_nullable": "00"},
    identity=(
        ("LeagueGameFinderResults", "SEASON_ID", "season_nullable"),
        (PARAMETERS, "SeasonType", "season_type_nullable"),
    ),
)


# --- More of each game (issue 24): optional, one switch each, +1 request per game. -------
# Each era's evidence is a recorded body in tests/fixtures (hoopr/: sportsdataverse's
# recordings by season; nba_api/: nba_api's own recordings of game 0022200552).
HOOPR = "tests/fixtures/hoopr/SOURCES.md"
NBA_API_FIXTURES = "tests/fixtures/nba_api/SOURCES.md"
GAME_ID_IDENTITY = ("gameId", "game_id")  # the V3 box scores' id column and argument

SHOTS = Endpoint(
    key="shots",
    api_name="shotchartdetail",
    nba_class=shotchartdetail.ShotChartDetail,
    per="game",
    # LeagueAverages is the league's season by zone, the same in every game: not kept.
    tables={"Shot_Chart_Detail": "shots"},
    required=("Shot_Chart_Detail",),
    group="shots",
    optional=True,
    era=Era(
        first=1996,
        evidence=f"{NBA_API_FIXTURES} (2025-26 rows); shot locations start with the "
        "play-by-play's in 1996-97 (../shared/docs/nba-api-notes.md); no older body probed",
        certain=False,
        proven=2025,
    ),
    # Not a game endpoint by nature: every player (0) of every team (0), every field-goal
    # attempt (FGA: made and missed; the default PTS lists made shots only), asked by game
    # with the game's season and season type.
    key_param="game_id_nullable",
    season_param="season_nullable",
    season_type_param="season_type_all_star",
    extra_params={"team_id": 0, "player_id": 0, "context_measure_simple": "FGA"},
    column_types={"SHOT_ATTEMPTED_FLAG": "int64", "SHOT_MADE_FLAG": "int64"},  # 0 or 1
    identity=(
        ("Shot_Chart_Detail", "GAME_ID", "game_id_nullable"),
        (PARAMETERS, "GameID", "game_id_nullable"),
    ),
)

BOX_HUSTLE = Endpoint(
    key="box_hustle",
    api_name="boxscorehustlev2",
    nba_class=boxscorehustlev2.BoxScoreHustleV2,
    per="game",
    tables={"PlayerStats": "box_hustle_players", "TeamStats": "box_hustle_teams"},
    required=("PlayerStats", "TeamStats"),
    group="box_hustle",
    optional=True,
    era=Era(
        first=2016,
        evidence=f"{NBA_API_FIXTURES} (2022-23 rows); {HOOPR}: no per-game body recorded, "
        "season-level hustle has rows from the 2015-16 playoffs on",
        certain=False,
        proven=2022,
    ),
    identity=(("PlayerStats", *GAME_ID_IDENTITY), ("TeamStats", *GAME_ID_IDENTITY)),
)

BOX_PLAYER_TRACK = Endpoint(
    key="box_player_track",
    api_name="boxscoreplayertrackv3",
    nba_class=boxscoreplayertrackv3.BoxScorePlayerTrackV3,
    per="game",
    tables={"PlayerStats": "box_player_track_players", "TeamStats": "box_player_track_teams"},
    required=("PlayerStats", "TeamStats"),
    group="box_player_track",
    optional=True,
    era=Era(
        first=2013,
        evidence=f"{HOOPR}: 2013-14 0021300001 has tracking values; 2012-13 has rows of "
        "zeros (speed, distance, touches), 1996-97 none",
        certain=True,
    ),
    extra_columns={"TeamStats": ("speed",)},  # null for a team; nba_api does not list it
    identity=(("PlayerStats", *GAME_ID_IDENTITY), ("TeamStats", *GAME_ID_IDENTITY)),
)

BOX_MATCHUPS = Endpoint(
    key="box_matchups",
    api_name="boxscorematchupsv3",
    nba_class=boxscorematchupsv3.BoxScoreMatchupsV3,
    per="game",
    tables={"PlayerStats": "box_matchups"},  # one row per (offensive, defensive) player pair
    required=("PlayerStats",),
    group="box_matchups",
    optional=True,
    era=Era(
        first=2017,
        evidence=f"{HOOPR}: 2017-18 0021700001 has rows, 2016-17 0021600001 and 1996-97 are empty",
        certain=True,
    ),
    # nba_api lists positionDef and commentDef; the body has them for the offensive player.
    extra_columns={"PlayerStats": ("positionOff", "commentOff")},
    identity=(("PlayerStats", *GAME_ID_IDENTITY),),
)

BOX_DEFENSIVE = Endpoint(
    key="box_defensive",
    api_name="boxscoredefensivev2",
    nba_class=boxscoredefensivev2.BoxScoreDefensiveV2,
    per="game",
    tables={"PlayerStats": "box_defensive_players", "TeamStats": "box_defensive_teams"},
    required=("PlayerStats", "TeamStats"),
    group="box_defensive",
    optional=True,
    era=Era(
        first=2017,
        evidence=f"{HOOPR}: 2017-18 0021700001 has rows, 2016-17 and 1996-97 are empty",
        certain=True,
    ),
    identity=(("PlayerStats", *GAME_ID_IDENTITY), ("TeamStats", *GAME_ID_IDENTITY)),
)

ROTATIONS = Endpoint(
    key="rotations",
    api_name="gamerotation",
    nba_class=gamerotation.GameRotation,
    per="game",
    # One row per stint on the floor: IN_TIME_REAL/OUT_TIME_REAL in tenths of a second.
    tables={"HomeTeam": "rotations_home", "AwayTeam": "rotations_away"},
    required=("HomeTeam", "AwayTeam"),
    group="rotations",
    optional=True,
    era=Era(
        first=2015,
        evidence=f"{HOOPR}: 2015-16 0021500001 has rows, 1995-96 0029500036 is empty; "
        "2014-15 not probed",
        certain=False,
        proven=2015,
    ),
    extra_params={"league_id": "00"},
    column_types={"IN_TIME_REAL": "double", "OUT_TIME_REAL": "double", "PT_DIFF": "double"},
    identity=(("HomeTeam", "GAME_ID", "game_id"), ("AwayTeam", "GAME_ID", "game_id")),
)

WIN_PROBABILITY = Endpoint(
    key="win_probability",
    api_name="winprobabilitypbp",
    nba_class=winprobabilitypbp.WinProbabilityPBP,
    per="game",
    # A row per second of play, and one per play-by-play event (EVENT_NUM = its actionNumber).
    tables={"WinProbPBP": "win_probability", "GameInfo": "win_probability_game"},
    required=("WinProbPBP", "GameInfo"),
    group="win_probability",
    optional=True,
    era=Era(
        first=1996,
        evidence="unverified: no recorded body found (nba_api documents 2023-24 output); "
        "taken to follow the play-by-play's era",
        certain=False,
    ),
    column_types={"HOME_PCT": "double", "VISITOR_PCT": "double", "HOME_POSS_IND": "int64"},
    identity=(("WinProbPBP", "GAME_ID", "game_id"), ("GameInfo", "GAME_ID", "game_id")),
)

# The datasets of issue 24, in the order of the README's table.
MORE_OF_EACH_GAME: tuple[Endpoint, ...] = (
    SHOTS,
    BOX_HUSTLE,
    BOX_PLAYER_TRACK,
    BOX_MATCHUPS,
    BOX_DEFENSIVE,
    ROTATIONS,
    WIN_PROBABILITY,
)


GAME_ENDPOINTS: tuple[Endpoint, ...] = (
    BOX_TRADITIONAL,
    BOX_ADVANCED,
    PLAY_BY_PLAY,
    GAME_SUMMARY,
    BOX_FOUR_FACTORS,
    BOX_MISC,
    BOX_SCORING,
    BOX_USAGE,
    *MORE_OF_EACH_GAME,
)
ENTITY_ENDPOINTS: tuple[Endpoint, ...] = (PLAYER_INFO, TEAM_INFO, TEAM_ROSTER)
SEASON_ENDPOINTS: tuple[Endpoint, ...] = (PLAYER_INDEX, GAME_LOG_PLAYERS, GAME_LOG_TEAMS)
ALL: dict[str, Endpoint] = {
    e.key: e for e in (*GAME_ENDPOINTS, *ENTITY_ENDPOINTS, *SEASON_ENDPOINTS, GAME_FINDER)
}
# The dataset switches, in catalogue order: each group of endpoints is on by default
# (switched off with --no-<group>) or, if its endpoints are optional, off unless --<group>.
GROUPS: tuple[str, ...] = tuple(
    dict.fromkeys(e.group for e in (*GAME_ENDPOINTS, *ENTITY_ENDPOINTS))
)
OPTIONAL_GROUPS: frozenset[str] = frozenset(
    g for g in GROUPS if all(e.optional for e in ALL.values() if e.group == g)
)

# stats.nba.com's names for the season types we cover, in discovery order. The NBA Cup
# final (006) is reached with "IST"; the other Cup games are regular-season games.


def get(key: str) -> Endpoint:
    return ALL[key]


def endpoints_for(season_year: int, groups_off: frozenset[str] = OPTIONAL_GROUPS) -> list[Endpoint]:
    """The per-game endpoints that apply to a season, less the groups switched off (by
    default, the optional ones)."""
    return [e for e in GAME_ENDPOINTS if e.era.records(season_year) and e.group not in groups_off]
