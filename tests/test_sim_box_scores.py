"""The renderers cover the catalogue, and the four extra V3 box scores (four factors, misc,
scoring, usage) agree with the other box scores and the play-by-play where they overlap."""

import datetime as dt

import pytest

from pipeline.sim.bodies import Responder
from pipeline.sim.league import League

BOXES = {
    "boxscoretraditionalv3": "boxScoreTraditional",
    "boxscoreadvancedv3": "boxScoreAdvanced",
    "boxscorefourfactorsv3": "boxScoreFourFactors",
    "boxscoremiscv3": "boxScoreMisc",
    "boxscorescoringv3": "boxScoreScoring",
    "boxscoreusagev3": "boxScoreUsage",
}


@pytest.fixture(scope="module")
def games():
    responder = Responder(League(seed=7, today=dt.date(2025, 7, 1)))
    season = responder.league.season("2024-25")
    sample = season.games[::60] + [g for g in season.games if g.overtimes][:3] + season.games[-1:]
    out = []
    for game in sample:
        params = {"GameID": game.game_id}
        boxes = {name: responder.answer(name, params).body[key] for name, key in BOXES.items()}
        pbp = responder.answer("playbyplayv3", params).body["game"]["actions"]
        out.append((game, boxes, pbp))
    return out


def by_player(box, side):
    return {p["personId"]: p["statistics"] for p in box[side]["players"]}


SIDES = (("homeTeam", "awayTeam"), ("awayTeam", "homeTeam"))


def test_same_players_and_minutes_in_all_six(games):
    for _game, boxes, _pbp in games:
        for side, _ in SIDES:
            minutes = {
                name: {pid: s["minutes"] for pid, s in by_player(box, side).items()}
                for name, box in boxes.items()
            }
            first = minutes.pop("boxscoretraditionalv3")
            assert all(other == first for other in minutes.values())
            team = {box[side]["statistics"]["minutes"] for box in boxes.values()}
            assert len(team) == 1


def test_misc_agrees_with_traditional_and_play_by_play(games):
    for _game, boxes, pbp in games:
        trad, misc = boxes["boxscoretraditionalv3"], boxes["boxscoremiscv3"]
        for side, other in SIDES:
            t, m = by_player(trad, side), by_player(misc, side)
            for pid, stats in m.items():
                assert stats["blocks"] == t[pid]["blocks"]
                assert stats["foulsPersonal"] == t[pid]["foulsPersonal"]
                assert stats["pointsPaint"] <= t[pid]["points"]
            team, other_team = misc[side]["statistics"], misc[other]["statistics"]
            for key in ("pointsPaint", "pointsFastBreak", "pointsSecondChance", "blocks"):
                assert team[key] == sum(s[key] for s in m.values())
            for key in ("PointsPaint", "PointsFastBreak", "PointsSecondChance"):
                assert team[f"opp{key}"] == other_team[f"p{key[1:]}"]
            assert team["foulsDrawn"] == other_team["foulsPersonal"]
            assert team["blocksAgainst"] == other_team["blocks"]
            # points in the paint: the made twos from eight feet or closer
            team_id = misc[side]["teamId"]
            paint = sum(
                2
                for a in pbp
                if a["teamId"] == team_id
                and a["actionType"] == "Made Shot"
                and a["shotValue"] == 2
                and a["shotDistance"] <= 8
            )
            assert team["pointsPaint"] == paint


def test_scoring_usage_and_four_factors_agree(games):
    for _game, boxes, _pbp in games:
        trad, adv = boxes["boxscoretraditionalv3"], boxes["boxscoreadvancedv3"]
        for side, _ in SIDES:
            t, a = by_player(trad, side), by_player(adv, side)
            usage = by_player(boxes["boxscoreusagev3"], side)
            four = by_player(boxes["boxscorefourfactorsv3"], side)
            scoring = by_player(boxes["boxscorescoringv3"], side)
            team = trad[side]["statistics"]
            for pid, stats in t.items():
                if not stats["minutes"]:
                    continue
                assert usage[pid]["usagePercentage"] == a[pid]["usagePercentage"]
                assert usage[pid]["percentagePoints"] == round(stats["points"] / team["points"], 3)
                assert (
                    four[pid]["effectiveFieldGoalPercentage"]
                    == (a[pid]["effectiveFieldGoalPercentage"])
                )
                if stats["points"]:
                    split = (
                        scoring[pid]["percentagePoints2pt"]
                        + scoring[pid]["percentagePoints3pt"]
                        + scoring[pid]["percentagePointsFreeThrow"]
                    )
                    assert split == pytest.approx(1.0, abs=0.002)
            assert sum(u["percentagePoints"] for u in usage.values()) == pytest.approx(1, abs=0.02)
            s = boxes["boxscorescoringv3"][side]["statistics"]
            twos = team["fieldGoalsAttempted"] - team["threePointersAttempted"]
            assert s["percentageFieldGoalsAttempted2pt"] == round(
                twos / team["fieldGoalsAttempted"], 3
            )
            assert (
                boxes["boxscorefourfactorsv3"][side]["statistics"]["effectiveFieldGoalPercentage"]
                == (adv[side]["statistics"]["effectiveFieldGoalPercentage"])
            )


def test_every_catalogue_endpoint_has_one_renderer():
    from pipeline.nba import endpoints
    from pipeline.sim.renderers.registry import RENDERERS, renders

    assert {e.api_name for e in endpoints.ALL.values()} <= set(RENDERERS)
    with pytest.raises(ValueError, match="two renderers"):
        renders("boxscoremiscv3")(lambda sim, params: None)
