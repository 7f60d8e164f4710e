"""The endpoint catalogue: one declarative entry per stats.nba.com endpoint we land.

Adding an endpoint means adding one entry here. Tasks, paths, parsing, the plan and the
validation all read this table; none of them names an endpoint on its own.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from nba_api.stats.endpoints import (
    boxscoreadvancedv3,
    boxscoresummaryv3,
    boxscoretraditionalv3,
    commonplayerinfo,
    commonteamroster,
    leaguegamefinder,
    playbyplayv3,
    teaminfocommon,
)

# Reliable play-by-play (and game summaries) start with 1996-97; older seasons land box
# scores only (../shared/docs/nba-api-notes.md).
FIRST_FULL_SEASON_YEAR = 1996


@dataclass(frozen=True)
class Endpoint:
    key: str  # our short name: task parameter, raw/ folder, CLI switches
    api_name: str  # the path segment on stats.nba.com, as nba_api names it
    nba_class: type  # nba_api's endpoint class; it makes the HTTP call
    scope: str  # "game", "player", "team" or "season": what one request covers
    tables: dict[str, str]  # nba_api dataset name -> lake table name
    required: tuple[str, ...] = ()  # datasets that must have rows, or the body is empty
    group: str = ""  # the older CLI's on/off switch this endpoint belongs to
    first_season_year: int = 1946
    extra_params: dict = field(default_factory=dict)
    key_param: str = "game_id"  # the nba_api argument that takes the item's key
    season_param: str | None = None  # the nba_api argument that takes the season, if any
    # What a body says it is: (dataset, column, nba_api argument). Every row's column must
    # hold the request's value (seasons compare by their first year: 2024-25, 2024, 22024),
    # or the body is another one's (parse.check_identity; validation reads the same).
    identity: tuple[tuple[str, str, str], ...] = ()

    def nba_kwargs(self, **ids) -> dict:
        """Keyword arguments for the nba_api class (ids by our names -> nba_api's names)."""
        return {**self.extra_params, **ids}

    def item_kwargs(self, key: str, season: str) -> dict:
        """nba_api arguments for one item (a game, player or team) of a season."""
        ids = {self.key_param: key}
        if self.season_param:
            ids[self.season_param] = season
        return self.nba_kwargs(**ids)


BOX_TRADITIONAL = Endpoint(
    key="box_traditional",
    api_name="boxscoretraditionalv3",
    nba_class=boxscoretraditionalv3.BoxScoreTraditionalV3,
    scope="game",
    tables={
        "PlayerStats": "box_traditional_players",
        "TeamStats": "box_traditional_teams",
        "TeamStarterBenchStats": "box_traditional_starter_bench",
    },
    required=("PlayerStats", "TeamStats"),
    group="box_scores",
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
    scope="game",
    tables={"PlayerStats": "box_advanced_players", "TeamStats": "box_advanced_teams"},
    required=("PlayerStats", "TeamStats"),
    group="box_scores",
    identity=(("PlayerStats", "gameId", "game_id"), ("TeamStats", "gameId", "game_id")),
)

PLAY_BY_PLAY = Endpoint(
    key="play_by_play",
    api_name="playbyplayv3",
    nba_class=playbyplayv3.PlayByPlayV3,
    scope="game",
    tables={"PlayByPlay": "play_by_play"},
    required=("PlayByPlay",),
    group="play_by_play",
    first_season_year=FIRST_FULL_SEASON_YEAR,
    identity=(("PlayByPlay", "gameId", "game_id"),),
)

GAME_SUMMARY = Endpoint(
    key="game_summary",
    api_name="boxscoresummaryv3",
    nba_class=boxscoresummaryv3.BoxScoreSummaryV3,
    scope="game",
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
    first_season_year=FIRST_FULL_SEASON_YEAR,
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
    scope="player",
    tables={"CommonPlayerInfo": "players", "PlayerHeadlineStats": "player_headline_stats"},
    required=("CommonPlayerInfo",),
    group="player_info",
    key_param="player_id",
    identity=(
        ("CommonPlayerInfo", "PERSON_ID", "player_id"),
        ("PlayerHeadlineStats", "PLAYER_ID", "player_id"),
    ),
)

TEAM_INFO = Endpoint(
    key="team_info",
    api_name="teaminfocommon",
    nba_class=teaminfocommon.TeamInfoCommon,
    scope="team",
    tables={"TeamInfoCommon": "teams", "TeamSeasonRanks": "team_season_ranks"},
    required=("TeamInfoCommon",),
    group="team_info",
    key_param="team_id",
    season_param="season_nullable",
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
    scope="team",
    tables={"CommonTeamRoster": "rosters", "Coaches": "coaches"},
    required=("CommonTeamRoster",),
    group="team_info",
    key_param="team_id",
    season_param="season",
    identity=(
        ("CommonTeamRoster", "TeamID", "team_id"),
        ("CommonTeamRoster", "SEASON", "season"),
        ("Coaches", "TEAM_ID", "team_id"),
        ("Coaches", "SEASON", "season"),
    ),
)

# Discovery: called once per season type, not per game.
GAME_FINDER = Endpoint(
    key="game_finder",
    api_name="leaguegamefinder",
    nba_class=leaguegamefinder.LeagueGameFinder,
    scope="season",
    tables={"LeagueGameFinderResults": "game_finder"},
    extra_params={"player_or_team_abbreviation": "T", "league_id_nullable": "00"},
    identity=(("LeagueGameFinderResults", "SEASON_ID", "season_nullable"),),
)


GAME_ENDPOINTS: tuple[Endpoint, ...] = (BOX_TRADITIONAL, BOX_ADVANCED, PLAY_BY_PLAY, GAME_SUMMARY)
ENTITY_ENDPOINTS: tuple[Endpoint, ...] = (PLAYER_INFO, TEAM_INFO, TEAM_ROSTER)
ALL: dict[str, Endpoint] = {e.key: e for e in (*GAME_ENDPOINTS, *ENTITY_ENDPOINTS, GAME_FINDER)}
# The switches the older CLI offered, and which endpoints each one turns off.
GROUPS = ("box_scores", "play_by_play", "game_summary", "player_info", "team_info")

# stats.nba.com's names for the season types we cover, in discovery order. The NBA Cup
# final (006) is reached with "IST"; the other Cup games are regular-season games.
SEASON_TYPES = ("Regular Season", "PlayIn", "Playoffs", "IST")
GAME_ID_PREFIX_TO_SEASON_TYPE = {
    "001": "Pre Season",
    "002": "Regular Season",
    "003": "All Star",
    "004": "Playoffs",
    "005": "PlayIn",
    "006": "IST",
}


def get(key: str) -> Endpoint:
    return ALL[key]


def endpoints_for(season_year: int, groups_off: frozenset[str] = frozenset()) -> list[Endpoint]:
    """The per-game endpoints that apply to a season, less the groups switched off."""
    return [
        e
        for e in GAME_ENDPOINTS
        if e.first_season_year <= season_year and e.group not in groups_off
    ]
