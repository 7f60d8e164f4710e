"""pipeline.sim: a local HTTP stand-in for stats.nba.com, deterministic in (season, seed).

Point nba_api at it and its endpoint classes cannot tell the difference::

    from nba_api.stats.library.http import NBAStatsHTTP
    from pipeline.sim import SimServer

    with SimServer(port=0, seed=0, today="2025-01-15") as sim:
        NBAStatsHTTP.base_url = sim.base_url   # "http://127.0.0.1:PORT/stats/{endpoint}"
        ...                                    # BoxScoreTraditionalV3("0022400001"), ...

Served endpoints (``/stats/<name>``): leaguegamefinder, leaguegamelog, scheduleleaguev2,
boxscoretraditionalv3, boxscoreadvancedv3, playbyplayv3, boxscoresummaryv3, commonplayerinfo,
teaminfocommon, commonteamroster. Bad or missing parameters: 400 with a plain-text message
("The GameID property is required."); unknown path or endpoint: 404; unknown game, player or
team id: 404. Bodies are gzip-compressed when the client sends ``Accept-Encoding: gzip``.

``SimServer(host="127.0.0.1", port=0, seed=0, faults=None, latency_ms=None, request_log=None,
today=None, throttle=None, hang_seconds=5.0, fault_seed=None, retry_after=1)``
    ``.start()`` (background thread, returns self), ``.stop()``, context manager,
    ``.port``, ``.url`` ("http://127.0.0.1:PORT"), ``.base_url`` (nba_api format),
    ``.league`` (the League below, same seed and today).

    faults      "KIND=RATE,..." optionally per endpoint "ENDPOINT:KIND=RATE". Transient kinds,
                drawn independently per request (a retry can succeed): 429 (with Retry-After:
                retry_after seconds), 500, 502, 503, 504, hang (no answer for hang_seconds,
                then the connection drops), reset (RST, no response), truncated (status 200,
                body cut in half), html (an HTML error page, status 200 or 503),
                error_message ({"Message":"An error has occurred."}, status 500).
                Permanent kinds, drawn per (endpoint, game/player/team id) and sticky:
                empty (status 200, body {}), notfound (404). Seeded by fault_seed (default:
                seed); per-request draws also depend on request order.
    latency_ms  "50" (every endpoint), "lognormal:MEAN_MS:SIGMA", "uniform:LO_MS:HI_MS", or
                per endpoint "playbyplayv3=200,default=lognormal:30:0.5".
    throttle    "N/W": beyond N requests in a sliding W-second window, requests hang (like
                the live API) until the rate drops back.
    request_log path of a JSON-lines file: one line per request, flushed, with time,
                endpoint, params, status (null when no response), latency_ms, fault (null).
    today       date or "YYYY-MM-DD" (default: the real date). Later games are "not yet
                played": gameStatus 1 in scheduleleaguev2, absent from leaguegamefinder and
                leaguegamelog, and empty V3 shapes (no players, no actions) for box scores,
                play-by-play and summary.

Command line: ``python -m pipeline.sim --port 0 [--seed N] [--faults SPEC] [--fault-seed N]
[--latency-ms SPEC] [--request-log PATH] [--today YYYY-MM-DD] [--throttle N/W]
[--hang-seconds S] [--retry-after S]`` prints ``sim listening on http://127.0.0.1:PORT``.

The data, without HTTP (for tests that need to know what to expect)::

    from pipeline.sim.league import League
    season = League(seed=0, today=date(2025, 7, 1)).season("2024-25")
    season.games          # GameRecord list in date order: game_id, date, season_type
                          # ("Regular Season", "PlayIn", "Playoffs", "IST"), home_team_id,
                          # away_team_id, status (1 scheduled, 3 final), home_periods,
                          # away_periods, home_score, away_score, winner_id, is_final
    season.games_by_id, season.teams, season.rosters (team id -> RosterSpot list),
    season.played("Playoffs")

    from pipeline.sim.bodies import Responder
    Responder(league).answer("boxscoretraditionalv3", {"GameID": "0022400001"})
        # Reply(status, body) - the exact body the server would send, as a dict

A season: the teams that existed (year_founded), 82 games each from late October to mid
April (ids 002YY00001.. in date order), play-in (005, from 2020-21), playoffs (004YY00RSG,
best of 7), the NBA Cup final (006, from 2023-24). Historical seasons from 1976-77; no
play-by-play before 1996-97. Each game is simulated event by event and the box scores are
counted from the events, so points, minutes, shots, rebounds and so on agree everywhere.
"""

from .league import League
from .server import SimServer

__all__ = ["League", "SimServer"]
