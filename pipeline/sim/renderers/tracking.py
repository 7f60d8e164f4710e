"""The tracking-era box scores: hustle, player tracking, matchups and defense.

What they share with the box score is the box score's (the same PlayerLines): hustle minutes
and points, tracking minutes and assists (and made/attempted shots split into contested and
uncontested), defense's defensive rebounds, steals and blocks, matchups' players. The rest
(deflections, touches, distance...) is drawn per game and player from its own random stream.
Before each one's era the API answers its empty shape (tests/fixtures/hoopr), and so do we.
"""

from __future__ import annotations

import random

from ..game import GameResult, PlayerLine, TeamSide, format_minutes
from .common import Reply, game_reply, pct, player_meta, team_meta
from .registry import Source, renders

# First seasons with data (tests/fixtures/hoopr/SOURCES.md; hustle: season-level evidence).
HUSTLE_FROM, TRACKING_FROM, MATCHUPS_FROM, DEFENSE_FROM = 2016, 2013, 2017, 2017


def _stream(sim: Source, result: GameResult, name: str) -> random.Random:
    return random.Random(f"{sim.league.seed}:{result.record.game_id}:{name}")


def _frame(sim: Source, params: dict, key: str, path: str, first: int, team_body, empty):
    """gameId, the team ids, then homeTeam and awayTeam, as every V3 box score; before the
    endpoint's era, each team as `empty(team_id)` says."""
    season, record = sim.game_record(params)
    teams = {}
    result = sim.game(record) if season.start_year >= first else None
    for name, is_home in (("homeTeam", True), ("awayTeam", False)):
        team_id = record.home_team_id if is_home else record.away_team_id
        if result is None:
            teams[name] = empty(team_id)
        else:
            teams[name] = {**team_meta(team_id), **team_body(result, result.side(is_home))}
    return game_reply(record, path, key, teams)


def _no_team(team_id: int) -> dict:
    return {"teamId": 0, "teamCity": "", "teamName": "", "teamTricode": "", "teamSlug": "",
            "players": [], "statistics": None}  # fmt: skip


def _sums(rows: list[dict], skip=("minutes",)) -> dict:
    out: dict = {}
    for stats in rows:
        for name, value in stats.items():
            if name not in skip and isinstance(value, (int, float)) and value is not None:
                out[name] = out.get(name, 0) + value
    return out


# ----- hustle ---------------------------------------------------------------------------
def _hustle(rng: random.Random, line: PlayerLine) -> dict:
    minutes = line.seconds / 60
    two, three = (int(rng.random() * minutes / k) for k in (6, 10))
    off_loose, def_loose = (int(rng.random() * 1.6) for _ in range(2))
    off_box, def_box = int(rng.random() * 1.3), int(rng.random() * minutes / 12)
    screens = int(rng.random() * minutes / 12)
    return {
        "minutes": format_minutes(line.seconds),
        "points": line.pts,
        "contestedShots": two + three,
        "contestedShots2pt": two,
        "contestedShots3pt": three,
        "deflections": int(rng.random() * minutes / 10),
        "chargesDrawn": int(rng.random() * 1.1),
        "screenAssists": screens,
        "screenAssistPoints": sum(rng.choice((2, 2, 3)) for _ in range(screens)),
        "looseBallsRecoveredOffensive": off_loose,
        "looseBallsRecoveredDefensive": def_loose,
        "looseBallsRecoveredTotal": off_loose + def_loose,
        "offensiveBoxOuts": off_box,
        "defensiveBoxOuts": def_box,
        "boxOutPlayerTeamRebounds": off_box + def_box,
        "boxOutPlayerRebounds": int((off_box + def_box) * rng.random()),
        "boxOuts": off_box + def_box,
    }


@renders("boxscorehustlev2")
def box_score_hustle(sim: Source, params: dict) -> Reply:
    def team(result: GameResult, side: TeamSide) -> dict:
        rng = _stream(sim, result, "hustle")
        players = []
        for line in side.lines:
            if line.played:  # the real feed lists only those who played
                entry = player_meta(line, result)
                entry["statistics"] = _hustle(rng, line)
                players.append(entry)
        seconds = sum(line.seconds for line in side.lines)
        statistics = {"minutes": f"{seconds / 60:.1f}:00", "points": sum(x.pts for x in side.lines)}
        sums = _sums([p["statistics"] for p in players], skip=("minutes", "points"))
        return {"players": players, "statistics": {**statistics, **sums}}

    return _frame(sim, params, "boxScoreHustle", "boxscorehustle", HUSTLE_FROM, team, _no_team)


# ----- player tracking --------------------------------------------------------------------
def _tracking(rng: random.Random, line: PlayerLine) -> dict:
    minutes = line.seconds / 60
    contested_a = round(line.fga * rng.uniform(0.3, 0.6))
    contested_m = min(contested_a, round(line.fgm * contested_a / line.fga)) if line.fga else 0
    open_a, open_m = line.fga - contested_a, line.fgm - contested_m
    if open_m > open_a:  # more makes than open shots: move the extra makes to contested
        contested_m, open_m = contested_m + open_m - open_a, open_a
    rim_a = int(rng.random() * minutes / 8)
    rim_m = int(rim_a * rng.uniform(0.4, 0.8))
    passes = int(minutes * rng.uniform(0.7, 1.3))
    reb_off, reb_def = line.oreb + int(rng.random() * 3), line.dreb + int(rng.random() * 4)
    return {
        "minutes": format_minutes(line.seconds),
        "speed": round(rng.uniform(3.9, 4.8), 2) if line.played else 0.0,
        "distance": round(minutes * rng.uniform(0.068, 0.08), 2),
        "reboundChancesOffensive": reb_off,
        "reboundChancesDefensive": reb_def,
        "reboundChancesTotal": reb_off + reb_def,
        "touches": passes + line.fga + line.tov + int(rng.random() * 5),
        "secondaryAssists": int(rng.random() * 1.4),
        "freeThrowAssists": int(rng.random() * 1.2),
        "passes": passes,
        "assists": line.ast,
        "contestedFieldGoalsMade": contested_m,
        "contestedFieldGoalsAttempted": contested_a,
        "contestedFieldGoalPercentage": pct(contested_m, contested_a),
        "uncontestedFieldGoalsMade": open_m,
        "uncontestedFieldGoalsAttempted": open_a,
        "uncontestedFieldGoalsPercentage": pct(open_m, open_a),
        "fieldGoalPercentage": pct(line.fgm, line.fga),
        "defendedAtRimFieldGoalsMade": rim_m,
        "defendedAtRimFieldGoalsAttempted": rim_a,
        "defendedAtRimFieldGoalPercentage": pct(rim_m, rim_a),
    }


@renders("boxscoreplayertrackv3")
def box_score_player_track(sim: Source, params: dict) -> Reply:
    def team(result: GameResult, side: TeamSide) -> dict:
        rng = _stream(sim, result, "tracking")
        players = []
        for line in side.lines:
            entry = player_meta(line, result)
            entry["statistics"] = _tracking(rng, line)
            players.append(entry)
        sums = _sums([p["statistics"] for p in players], skip=("minutes", "speed"))
        sums["distance"] = round(sums["distance"], 2)
        for kind in ("contested", "uncontested", "defendedAtRim"):
            name = "FieldGoal" if kind != "uncontested" else "FieldGoals"
            made, tried = sums[f"{kind}FieldGoalsMade"], sums[f"{kind}FieldGoalsAttempted"]
            sums[f"{kind}{name}Percentage"] = pct(made, tried)
        fgm, fga = sum(x.fgm for x in side.lines), sum(x.fga for x in side.lines)
        sums["fieldGoalPercentage"] = pct(fgm, fga)
        seconds = sum(line.seconds for line in side.lines)
        statistics = {"minutes": format_minutes(seconds), "speed": None, **sums}
        return {"players": players, "statistics": statistics}

    return _frame(
        sim, params, "boxScorePlayerTrack", "boxscoreplayertrack", TRACKING_FROM, team, _no_team
    )


# ----- defense ------------------------------------------------------------------------------
def _defense(rng: random.Random, line: PlayerLine) -> dict:
    guarded = int(line.seconds * rng.uniform(0.3, 0.45))
    fga = int(guarded / 60 * rng.uniform(0.3, 0.6))
    fgm = int(fga * rng.uniform(0.35, 0.55))
    fg3a = int(fga * rng.uniform(0.2, 0.45))
    fg3m = min(fgm, int(fg3a * rng.uniform(0.25, 0.45)))
    return {
        "matchupMinutes": format_minutes(guarded),
        "partialPossessions": round(guarded / 60 * rng.uniform(1.8, 2.3), 1),
        "switchesOn": int(rng.random() * 2),
        "playerPoints": 2 * fgm + fg3m + int(rng.random() * 3),
        "defensiveRebounds": line.dreb,
        "matchupAssists": int(rng.random() * guarded / 300),
        "matchupTurnovers": int(rng.random() * 2),
        "steals": line.stl,
        "blocks": line.blk,
        "matchupFieldGoalsMade": fgm,
        "matchupFieldGoalsAttempted": fga,
        "matchupFieldGoalPercentage": pct(fgm, fga),
        "matchupThreePointersMade": fg3m,
        "matchupThreePointersAttempted": fg3a,
        "matchupThreePointerPercentage": pct(fg3m, fg3a),
    }


@renders("boxscoredefensivev2")
def box_score_defensive(sim: Source, params: dict) -> Reply:
    def team(result: GameResult, side: TeamSide) -> dict:
        rng = _stream(sim, result, "defense")
        players = []
        for line in side.lines:
            if line.played:
                entry = player_meta(line, result)
                entry["statistics"] = _defense(rng, line)
                players.append(entry)
        return {"players": players, "statistics": {"minutes": None}}

    def empty(team_id: int) -> None:
        return None

    return _frame(sim, params, "boxScoreDefensive", "boxscoredefensive", DEFENSE_FROM, team, empty)


# ----- matchups -------------------------------------------------------------------------------
def _pair(rng: random.Random, offense: PlayerLine, defender: PlayerLine, share: float) -> dict:
    both = min(offense.seconds, defender.seconds) * share
    seconds = round(both * rng.uniform(0.2, 0.5), 1)
    fga = round(offense.fga * share)
    fgm = min(fga, round(offense.fgm * share))
    fg3a = min(fga, round(offense.fg3a * share))
    fg3m = min(fgm, fg3a, round(offense.fg3m * share))
    fta = round(offense.fta * share)
    ftm = min(fta, round(offense.ftm * share))
    return {
        "matchupMinutes": format_minutes(int(seconds)),
        "matchupMinutesSort": seconds,
        "partialPossessions": round(seconds / 12, 1),
        "percentageDefenderTotalTime": round(seconds / defender.seconds, 3),
        "percentageOffensiveTotalTime": round(seconds / offense.seconds, 3),
        "percentageTotalTimeBothOn": round(seconds / both, 3) if both else 0.0,
        "switchesOn": int(rng.random() * 1.3),
        "playerPoints": 2 * fgm + fg3m + ftm,
        "teamPoints": 2 * fgm + fg3m + ftm + int(rng.random() * 6),
        "matchupAssists": round(offense.ast * share),
        "matchupPotentialAssists": round(offense.ast * share) + int(rng.random() * 2),
        "matchupTurnovers": round(offense.tov * share),
        "matchupBlocks": 0,
        "matchupFieldGoalsMade": fgm,
        "matchupFieldGoalsAttempted": fga,
        "matchupFieldGoalsPercentage": pct(fgm, fga),
        "matchupThreePointersMade": fg3m,
        "matchupThreePointersAttempted": fg3a,
        "matchupThreePointersPercentage": pct(fg3m, fg3a),
        "helpBlocks": 0,
        "helpFieldGoalsMade": 0,
        "helpFieldGoalsAttempted": 0,
        "helpFieldGoalsPercentage": 0.0,
        "matchupFreeThrowsMade": ftm,
        "matchupFreeThrowsAttempted": fta,
        "shootingFouls": int(rng.random() * 1.2),
    }


@renders("boxscorematchupsv3")
def box_score_matchups(sim: Source, params: dict) -> Reply:
    def team(result: GameResult, side: TeamSide) -> dict:
        rng = _stream(sim, result, f"matchups:{side.location}")
        other = result.side(not side.is_home)
        defenders = [line for line in other.lines if line.played]
        players = []
        for line in side.lines:
            if not line.played:
                continue
            # His defenders: up to four of the other side, weighted by their minutes.
            guards = sorted(defenders, key=lambda d: -d.seconds * rng.random())[:4]
            weights = [d.seconds for d in guards]
            entry = player_meta(line, result)
            entry["matchups"] = [
                {
                    **{k: v for k, v in player_meta(d, result).items() if k not in
                       ("position", "comment")},
                    "statistics": _pair(rng, line, d, w / sum(weights)),
                }
                for d, w in zip(guards, weights, strict=True)
            ]  # fmt: skip
            players.append(entry)
        return {"players": players}

    def empty(team_id: int) -> dict:
        return {"teamId": 0, "teamCity": "", "teamName": "", "teamTricode": "", "teamSlug": "",
                "players": []}  # fmt: skip

    return _frame(sim, params, "boxScoreMatchups", "boxscorematchups", MATCHUPS_FROM, team, empty)
