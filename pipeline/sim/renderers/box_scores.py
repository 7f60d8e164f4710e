"""The V3 box scores: traditional, advanced, four factors, misc, scoring and usage.

All six come from the same simulated game (its PlayerLines), so wherever they overlap
(minutes, points, blocks, fouls, usage) they agree. Key order mirrors the real bodies.
"""

from __future__ import annotations

from ..eras import PLUS_MINUS_FIRST, modern_box, season_year, whole_minutes
from ..game import DETAIL_FIELDS, GameResult, TeamSide, counts, format_minutes, totals
from .common import Reply, blank, game_reply, pct, player_meta, share, team_meta
from .registry import Source, renders


def team_counts(result: GameResult, is_home: bool) -> dict:
    """A team's sums; plusMinus is the margin, as the real team statistics have it."""
    own = totals(result.side(is_home).lines, DETAIL_FIELDS)
    other = totals(result.side(not is_home).lines, ("pts",))
    own["plus_minus"] = own["pts"] - other["pts"]
    return own


def _render(sim: Source, params: dict, key: str, path: str, team_body) -> Reply:
    """The common frame: gameId, the team ids, then homeTeam and awayTeam."""
    _season, record = sim.game_record(params)
    result = sim.game(record)
    teams = {}
    for name, is_home in (("homeTeam", True), ("awayTeam", False)):
        side = result.side(is_home)
        own, opp = team_counts(result, is_home), team_counts(result, not is_home)
        teams[name] = {**team_meta(side.team.team_id), **team_body(result, side, own, opp)}
    return game_reply(record, path, key, teams)


def _players(result: GameResult, side: TeamSide, stats, jersey: bool = True) -> list[dict]:
    """Each player's meta and ``statistics`` (stats(counts) for those who played; the
    others get stats(None), zeros with minutes ""). Before 1996-97 only those who played
    are listed, by family name, as the recorded 1995-96 bodies have them."""
    players = []
    lines = side.lines
    if not modern_box(season_year(result.record.game_id)):
        lines = sorted((x for x in lines if x.played), key=lambda x: x.spot.player.last_name)
    for line in lines:
        entry = player_meta(line, result, jersey)
        entry["statistics"] = stats(counts(line) if line.played else None)
        players.append(entry)
    return players


def _minutes(c: dict | None) -> str:
    return format_minutes(c["seconds"]) if c else ""


# ----- traditional ----------------------------------------------------------------------
def traditional_stats(c: dict, minutes: str, plus_minus: bool = True, year: int = 9999) -> dict:
    """The traditional numbers; counts the league did not keep in `year` are null."""
    c = blank(c, year)
    stats = {
        "minutes": minutes if c["seconds"] is not None else None,
        "fieldGoalsMade": c["fgm"],
        "fieldGoalsAttempted": c["fga"],
        "fieldGoalsPercentage": pct(c["fgm"], c["fga"]),
        "threePointersMade": c["fg3m"],
        "threePointersAttempted": c["fg3a"],
        "threePointersPercentage": pct(c["fg3m"], c["fg3a"]),
        "freeThrowsMade": c["ftm"],
        "freeThrowsAttempted": c["fta"],
        "freeThrowsPercentage": pct(c["ftm"], c["fta"]),
        "reboundsOffensive": c["oreb"],
        "reboundsDefensive": c["dreb"],
        "reboundsTotal": c["reb"],
        "assists": c["ast"],
        "steals": c["stl"],
        "blocks": c["blk"],
        "turnovers": c["tov"],
        "foulsPersonal": c["pf"],
        "points": c["pts"],
    }
    if plus_minus:
        stats["plusMinusPoints"] = float(c["plus_minus"])
    return stats


@renders("boxscoretraditionalv3")
def box_score_traditional(sim: Source, params: dict) -> Reply:
    def team(result, side, own, _opp):
        year = season_year(result.record.game_id)

        def player_stats(c):
            stats = traditional_stats(c or dict.fromkeys(DETAIL_FIELDS, 0), _minutes(c), True, year)
            if c and not modern_box(year) and stats["minutes"] is not None:  # whole: "39"
                stats["minutes"] = str(whole_minutes(c["seconds"]))
            if year < PLUS_MINUS_FIRST:  # present but 0.0 for every player (1995-96 body)
                stats["plusMinusPoints"] = 0.0
            return stats

        body = {
            "players": _players(result, side, player_stats),
            "statistics": traditional_stats(own, format_minutes(own["seconds"]), True, year),
            "starters": None,  # not kept before 1996-97
            "bench": None,
        }
        if modern_box(year):
            starters = totals([line for line in side.lines if line.starter], DETAIL_FIELDS)
            bench = totals([line for line in side.lines if not line.starter], DETAIL_FIELDS)
            body["starters"] = traditional_stats(starters, _minutes(starters), False, year)
            body["bench"] = traditional_stats(bench, _minutes(bench), False, year)
        return body

    return _render(sim, params, "boxScoreTraditional", "boxscoretraditional", team)


# ----- advanced -------------------------------------------------------------------------
def _possessions(c: dict) -> float:
    return c["fga"] - c["oreb"] + c["tov"] + 0.44 * c["fta"]


def _pie_part(c: dict) -> float:
    return (
        c["pts"]
        + c["fgm"]
        + c["ftm"]
        - c["fga"]
        - c["fta"]
        + c["dreb"]
        + 0.5 * c["oreb"]
        + c["ast"]
        + c["stl"]
        + 0.5 * c["blk"]
        - c["pf"]
        - c["tov"]
    )


def advanced_stats(c: dict, team: dict, opp: dict, is_team: bool) -> dict:
    """Advanced numbers from counts, with the usual formulas (good enough to look real)."""
    game_seconds = team["seconds"] // 5
    share_of_game = c["seconds"] / (game_seconds * (5 if is_team else 1)) if c["seconds"] else 0
    team_poss, opp_poss = max(1.0, _possessions(team)), max(1.0, _possessions(opp))
    poss = round(team_poss * (1 if is_team else share_of_game)) if c["seconds"] else 0
    off = 100 * team["pts"] / team_poss
    dfn = 100 * opp["pts"] / opp_poss
    if not is_team and poss:
        off += 50 * c["plus_minus"] / max(1, poss) / 2
        dfn -= 50 * c["plus_minus"] / max(1, poss) / 2
    chances = c["fga"] + 0.44 * c["fta"] + c["tov"]
    team_chances = max(1.0, team["fga"] + 0.44 * team["fta"] + team["tov"])
    pace = 2880 * team_poss / game_seconds if game_seconds else 0.0
    pie_den = _pie_part(team) + _pie_part(opp)
    if not c["seconds"]:
        off = dfn = pace = 0.0
    usage = chances / (team_chances * share_of_game) if share_of_game else 0.0
    if is_team:
        usage = 1.0
    floor_fgm = max(1.0, team["fgm"] * share_of_game * 5 - c["fgm"]) if not is_team else team["fgm"]
    stats = {
        "minutes": format_minutes(c["seconds"]) if c["seconds"] else "",
        "estimatedOffensiveRating": round(off, 1),
        "offensiveRating": round(off, 1),
        "estimatedDefensiveRating": round(dfn, 1),
        "defensiveRating": round(dfn, 1),
        "estimatedNetRating": round(off - dfn, 1),
        "netRating": round(off - dfn, 1),
        "assistPercentage": round(c["ast"] / floor_fgm, 3) if floor_fgm else 0.0,
        "assistToTurnover": round(c["ast"] / c["tov"], 2) if c["tov"] else 0.0,
        "assistRatio": round(100 * c["ast"] / (chances + c["ast"]), 1) if chances else 0.0,
        "offensiveReboundPercentage": pct(c["oreb"], team["oreb"] + opp["dreb"]),
        "defensiveReboundPercentage": pct(c["dreb"], team["dreb"] + opp["oreb"]),
        "reboundPercentage": pct(
            c["oreb"] + c["dreb"], team["oreb"] + team["dreb"] + opp["oreb"] + opp["dreb"]
        ),
        "estimatedTeamTurnoverPercentage": round(100 * c["tov"] / team_poss, 3),
        "turnoverRatio": round(100 * c["tov"] / chances, 1) if chances else 0.0,
        "effectiveFieldGoalPercentage": round((c["fgm"] + 0.5 * c["fg3m"]) / c["fga"], 3)
        if c["fga"]
        else 0.0,
        "trueShootingPercentage": round(c["pts"] / (2 * chances - 2 * c["tov"]), 3)
        if chances - c["tov"] > 0
        else 0.0,
        "usagePercentage": round(usage, 3),
        "estimatedUsagePercentage": round(usage * (0.98 if is_team else 1.0), 3),
        "estimatedPace": round(pace, 2),
        "pace": round(pace, 2),
        "pacePer40": round(pace * 40 / 48, 2),
        "possessions": float(poss),
        "PIE": round(_pie_part(c) / pie_den, 3) if pie_den and c["seconds"] else 0.0,
    }
    if not is_team:
        del stats["estimatedTeamTurnoverPercentage"]
    return stats


@renders("boxscoreadvancedv3")
def box_score_advanced(sim: Source, params: dict) -> Reply:
    def team(result, side, own, opp):
        def player_stats(c):
            return advanced_stats(c or dict.fromkeys(DETAIL_FIELDS, 0), own, opp, False)

        return {
            "players": _players(result, side, player_stats),
            "statistics": advanced_stats(own, own, opp, True),
        }

    return _render(sim, params, "boxScoreAdvanced", "boxscoreadvanced", team)


# ----- four factors ---------------------------------------------------------------------
def _factors(c: dict) -> tuple[float, float, float]:
    """Effective FG%, free throws per shot, turnovers per possession."""
    chances = c["fga"] + 0.44 * c["fta"] + c["tov"]
    return (
        round((c["fgm"] + 0.5 * c["fg3m"]) / c["fga"], 3) if c["fga"] else 0.0,
        share(c["fta"], c["fga"]),
        share(c["tov"], chances),
    )


def four_factors_stats(c: dict | None, own: dict, opp: dict) -> dict:
    if c is None:
        return {"minutes": "", **dict.fromkeys(FOUR_FACTORS, 0.0)}
    efg, ft_rate, tov = _factors(c)
    opp_efg, opp_ft_rate, opp_tov = _factors(opp)
    values = (
        efg,
        ft_rate,
        tov,
        share(c["oreb"], own["oreb"] + opp["dreb"]),
        opp_efg,
        opp_ft_rate,
        opp_tov,
        share(opp["oreb"], opp["oreb"] + own["dreb"]),
    )
    return {"minutes": format_minutes(c["seconds"]), **dict(zip(FOUR_FACTORS, values, strict=True))}


FOUR_FACTORS = (
    "effectiveFieldGoalPercentage",
    "freeThrowAttemptRate",
    "teamTurnoverPercentage",
    "offensiveReboundPercentage",
    "oppEffectiveFieldGoalPercentage",
    "oppFreeThrowAttemptRate",
    "oppTeamTurnoverPercentage",
    "oppOffensiveReboundPercentage",
)


@renders("boxscorefourfactorsv3")
def box_score_four_factors(sim: Source, params: dict) -> Reply:
    def team(result, side, own, opp):
        return {
            "players": _players(result, side, lambda c: four_factors_stats(c, own, opp)),
            "statistics": four_factors_stats(own, own, opp),
        }

    return _render(sim, params, "boxScoreFourFactors", "boxscorefourfactors", team)


# ----- misc -----------------------------------------------------------------------------
MISC = {  # body key -> count
    "pointsOffTurnovers": "pts_off_turnovers",
    "pointsSecondChance": "pts_second_chance",
    "pointsFastBreak": "pts_fast_break",
    "pointsPaint": "pts_paint",
    "oppPointsOffTurnovers": "opp_pts_off_turnovers",
    "oppPointsSecondChance": "opp_pts_second_chance",
    "oppPointsFastBreak": "opp_pts_fast_break",
    "oppPointsPaint": "opp_pts_paint",
    "blocks": "blk",
    "blocksAgainst": "blocks_against",
    "foulsPersonal": "pf",
    "foulsDrawn": "fouls_drawn",
}


def misc_stats(c: dict | None) -> dict:
    return {"minutes": _minutes(c), **{key: c[name] if c else 0 for key, name in MISC.items()}}


@renders("boxscoremiscv3")
def box_score_misc(sim: Source, params: dict) -> Reply:
    def team(result, side, own, opp):
        # The team's "opponent" numbers are the other team's own, over the whole game.
        whole_game = {**own, **{f"opp_{n}": opp[n] for n in MISC.values() if n.startswith("pts")}}
        return {"players": _players(result, side, misc_stats), "statistics": misc_stats(whole_game)}

    return _render(sim, params, "boxScoreMisc", "boxscoremisc", team)


# ----- scoring --------------------------------------------------------------------------
def scoring_stats(c: dict | None) -> dict:
    if c is None:
        return {"minutes": "", **dict.fromkeys(SCORING, 0.0)}
    twos_made, twos_tried = c["fgm"] - c["fg3m"], c["fga"] - c["fg3a"]
    assisted = c["fg2m_assisted"] + c["fg3m_assisted"]
    values = (
        share(twos_tried, c["fga"]),
        share(c["fg3a"], c["fga"]),
        share(2 * twos_made, c["pts"]),
        share(c["pts_mid_range"], c["pts"]),
        share(3 * c["fg3m"], c["pts"]),
        share(c["pts_fast_break"], c["pts"]),
        share(c["ftm"], c["pts"]),
        share(c["pts_off_turnovers"], c["pts"]),
        share(c["pts_paint"], c["pts"]),
        share(c["fg2m_assisted"], twos_made),
        share(twos_made - c["fg2m_assisted"], twos_made),
        share(c["fg3m_assisted"], c["fg3m"]),
        share(c["fg3m"] - c["fg3m_assisted"], c["fg3m"]),
        share(assisted, c["fgm"]),
        share(c["fgm"] - assisted, c["fgm"]),
    )
    return {"minutes": format_minutes(c["seconds"]), **dict(zip(SCORING, values, strict=True))}


SCORING = (
    "percentageFieldGoalsAttempted2pt",
    "percentageFieldGoalsAttempted3pt",
    "percentagePoints2pt",
    "percentagePointsMidrange2pt",
    "percentagePoints3pt",
    "percentagePointsFastBreak",
    "percentagePointsFreeThrow",
    "percentagePointsOffTurnovers",
    "percentagePointsPaint",
    "percentageAssisted2pt",
    "percentageUnassisted2pt",
    "percentageAssisted3pt",
    "percentageUnassisted3pt",
    "percentageAssistedFGM",
    "percentageUnassistedFGM",
)


@renders("boxscorescoringv3")
def box_score_scoring(sim: Source, params: dict) -> Reply:
    def team(result, side, own, _opp):
        players = _players(result, side, scoring_stats, jersey=False)
        return {"players": players, "statistics": scoring_stats(own)}

    return _render(sim, params, "boxScoreScoring", "boxscorescoring", team)


# ----- usage ----------------------------------------------------------------------------
USAGE = {  # body key -> count it is the player's share of
    "percentageFieldGoalsMade": "fgm",
    "percentageFieldGoalsAttempted": "fga",
    "percentageThreePointersMade": "fg3m",
    "percentageThreePointersAttempted": "fg3a",
    "percentageFreeThrowsMade": "ftm",
    "percentageFreeThrowsAttempted": "fta",
    "percentageReboundsOffensive": "oreb",
    "percentageReboundsDefensive": "dreb",
    "percentageReboundsTotal": "reb",
    "percentageAssists": "ast",
    "percentageTurnovers": "tov",
    "percentageSteals": "stl",
    "percentageBlocks": "blk",
    "percentageBlocksAllowed": "blocks_against",
    "percentagePersonalFouls": "pf",
    "percentagePersonalFoulsDrawn": "fouls_drawn",
    "percentagePoints": "pts",
}


def usage_stats(c: dict | None, own: dict, opp: dict, is_team: bool) -> dict:
    if c is None:
        return {"minutes": "", "usagePercentage": 0.0, **dict.fromkeys(USAGE, 0.0)}
    c, team = {**c, "reb": c["oreb"] + c["dreb"]}, {**own, "reb": own["oreb"] + own["dreb"]}
    return {
        "minutes": format_minutes(c["seconds"]),
        # the same number as the advanced box score's
        "usagePercentage": advanced_stats(c, own, opp, is_team)["usagePercentage"],
        **{key: 1.0 if is_team else share(c[name], team[name]) for key, name in USAGE.items()},
    }


@renders("boxscoreusagev3")
def box_score_usage(sim: Source, params: dict) -> Reply:
    def team(result, side, own, opp):
        players = _players(result, side, lambda c: usage_stats(c, own, opp, False), jersey=False)
        return {"players": players, "statistics": usage_stats(own, own, opp, True)}

    return _render(sim, params, "boxScoreUsage", "boxscoreusage", team)
