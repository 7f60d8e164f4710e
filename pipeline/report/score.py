"""The quality score and the report's summary.

A game's score, from 0 to 1:

    score = completeness x (1 - failed weight / run weight)

completeness is the fraction of the game's expected table files that are present (a
dead-lettered endpoint's tables count as absent); the second factor is the weighted fraction
of the data checks that ran on the game and passed (weights in rules.RULES; a check that
cannot run because its input is missing is not counted, since completeness already is).
The season's score is the mean over the expected games (played games of the selection), so
a missing game scores 0. Games not yet played are neither expected nor scored.
"""

from __future__ import annotations

from collections import Counter

from pipeline.report import rules
from pipeline.report.checks import Findings


def game_scores(findings: Findings, completeness: dict[str, float]) -> dict[str, float]:
    scores = {}
    for game_id, complete in completeness.items():
        run = findings.weight_run.get(game_id, 0.0)
        passed = 1.0 - findings.weight_failed.get(game_id, 0.0) / run if run else 1.0
        scores[game_id] = complete * passed
    return scores


def summarize(
    findings: Findings,
    scores: dict[str, float],
    completeness: dict[str, float],
    dead_lettered: set[str],
    not_yet_played: int,
) -> dict:
    expected = len(scores)
    with_problems = {p["game_id"] for p in findings.problems}
    quality = sum(scores.values()) / expected if expected else None
    error_rate = len(with_problems & set(scores)) / expected if expected else None
    flags = []
    if not expected:
        flags.append("no played games to validate")
    if error_rate is not None and error_rate > rules.MAX_ERROR_RATE:
        flags.append(f"error rate {error_rate:.2%} is above {rules.MAX_ERROR_RATE:.0%}")
    other_game = sum(1 for p in findings.problems if p["rule"] == "identity.other_game")
    if other_game:
        flags.append(f"{other_game} files hold rows of another game")
    if quality is not None and quality < rules.MIN_QUALITY:
        flags.append(f"quality score {quality:.4f} is below {rules.MIN_QUALITY}")
    return {
        "expected_games": expected,
        "complete_games": sum(1 for c in completeness.values() if c == 1.0),
        "missing": sum(1 for g, c in completeness.items() if c < 1.0 and g not in dead_lettered),
        "dead_lettered": len(dead_lettered),
        "not_yet_played": not_yet_played,
        "games_with_problems": len(with_problems),
        "problems": len(findings.problems),
        "problems_by_rule": dict(sorted(Counter(p["rule"] for p in findings.problems).items())),
        "quality_score": _round(quality),
        "error_rate": _round(error_rate),
        "thresholds": {"max_error_rate": rules.MAX_ERROR_RATE, "min_quality": rules.MIN_QUALITY},
        "flags": flags,
        "passed": not flags,
    }


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 6)
