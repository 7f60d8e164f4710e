"""pipeline.sim: a local HTTP stand-in for stats.nba.com, deterministic in (season, seed).

Point nba_api at it and its endpoint classes cannot tell the difference::

    from nba_api.stats.library.http import NBAStatsHTTP
    from pipeline.sim.server import SimServer

    with SimServer(port=0, seed=0, today="2025-01-15") as sim:
        NBAStatsHTTP.base_url = sim.base_url   # "http://127.0.0.1:PORT/stats/{endpoint}"
        ...                                    # BoxScoreTraditionalV3("0022400001"), ...

Served endpoints (``/stats/<name>``), one renderer each in pipeline/sim/renderers (registered
with ``@renders("<name>")``, see renderers/__init__.py): leaguegamefinder, leaguegamelog
(PlayerOrTeam T and P), scheduleleaguev2, boxscoretraditionalv3, boxscoreadvancedv3,
boxscorefourfactorsv3, boxscoremiscv3, boxscorescoringv3, boxscoreusagev3, playbyplayv3,
boxscoresummaryv3, commonplayerinfo, playerindex, teaminfocommon, commonteamroster. Bad or
missing parameters: 400 with a plain-text message ("The GameID property is required.");
unknown path or endpoint: 404; unknown game, player or team id: 404. Bodies are
gzip-compressed when the client sends ``Accept-Encoding: gzip``.

``SimServer(host="127.0.0.1", port=0, seed=0, faults=None, latency_ms=None, request_log=None,
today=None, throttle=None, hang_seconds=5.0, fault_seed=None, retry_after=1,
corrections=None, recorded=None)``
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
    today       date or "YYYY-MM-DD" (default: the real date). Games before it are final.
                Games on it are live: leaguegamefinder lists them with WL null and the
                score so far, their V3 summary has gameStatus 2 and "Q3 5:12", their box
                scores and play-by-play stop there (the final game's first part). Later
                games do not exist yet: 404 from the game endpoints, absent from the game
                finder and the game logs (which hold final games only); scheduleleaguev2
                still lists them, gameStatus 1, as the real schedule does.
    corrections {game_id: date or "YYYY-MM-DD"}: stat corrections. From that date on (today
                >= date) one of the game's home defensive rebounds is credited to a teammate
                on the floor: box scores, play-by-play and player game-log rows change,
                team totals do not.

Command line: ``python -m pipeline.sim --port 0 [--seed N] [--faults SPEC] [--fault-seed N]
[--latency-ms SPEC] [--request-log PATH] [--today YYYY-MM-DD] [--throttle N/W]
[--hang-seconds S] [--retry-after S] [--correction GAME_ID@YYYY-MM-DD ...]`` prints
``sim listening on http://127.0.0.1:PORT``.

The data, without HTTP (for tests that need to know what to expect)::

    from pipeline.sim.league import League
    season = League(seed=0, today=date(2025, 7, 1)).season("2024-25")
    season.games          # GameRecord list in date order: game_id, date, season_type
                          # ("Regular Season", "PlayIn", "Playoffs", "IST"), home_team_id,
                          # away_team_id, status (1 scheduled, 2 live, 3 final), home_periods,
                          # away_periods, home_score, away_score, winner_id, is_final,
                          # is_live, has_started
    season.games_by_id, season.teams, season.rosters (team id -> RosterSpot list),
    season.played("Playoffs")

    from pipeline.sim.bodies import Responder
    Responder(league).answer("boxscoretraditionalv3", {"GameID": "0022400001"})
        # Reply(status, body) - the exact body the server would send, as a dict

A season (any from 1946-47): the teams that played it (league.DEFUNCT and the static
year_founded), its games per team (league.shape: 60 in 1946-47 ... 82; lockouts; the 2019-20
bubble) in date order (ids 002YY00001..), play-in (005, from 2020-21), playoffs (004YY00RSG,
the era's teams and series lengths, the Finals round 4), the NBA Cup final (006, from
2023-24). Bodies in the era's format (eras.py): null counts the league did not keep, 1995-96
box scores as recorded, no play-by-play actions before 1996-97.

``SimServer(recorded=DIR)`` (``--recorded DIR``) replays real bodies: replay.py.

How the numbers stay consistent: league.py fixes each game's line score; plan.py splits it
into possessions (what each comes to, team by team: cheap, so season-level team lines need no
simulation); game.py plays the plan out player by player and counts the box scores from the
same events, with or without writing the play-by-play. Points, minutes, shots, rebounds and so
on agree everywhere: team lines, box scores, play-by-play, summary and game logs. Bios
(people.py) are fixed per player, so CommonPlayerInfo, PlayerIndex and rosters agree.
"""
