"""The checks: each one looks at every game at once (pandas), and records into Findings which
games it could evaluate and which of them failed, with a short reason."""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterable

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from pipeline.lake import schema as lake_schema
from pipeline.nba.games import Game
from pipeline.report import rules
from pipeline.report.scan import FileInfo, stack

MAX_EXAMPLES = 3


class Findings:
    """Problems, plus per game the weight of the checks run and of those failed."""

    def __init__(self) -> None:
        self.problems: list[dict] = []
        self.weight_run: dict[str, float] = defaultdict(float)
        self.weight_failed: dict[str, float] = defaultdict(float)

    def record(
        self, rule: str, dataset: str, evaluated: Iterable[str], failures: dict[str, str]
    ) -> None:
        weight = rules.weight(rule)
        for game_id in evaluated:
            self.weight_run[game_id] += weight
        for game_id, detail in sorted(failures.items()):
            self.weight_failed[game_id] += weight
            self.problems.append(
                {"game_id": game_id, "dataset": dataset, "rule": rule, "detail": detail}
            )

    def problem(self, game_id: str, dataset: str, rule: str, detail: str) -> None:
        """A problem that is not a scored check (completeness: scored separately)."""
        self.problems.append(
            {"game_id": game_id, "dataset": dataset, "rule": rule, "detail": detail}
        )


def describe(df: pd.DataFrame, mask: pd.Series, render) -> dict[str, str]:
    """game -> 'first few offending rows (+N more)'."""
    out: dict[str, str] = {}
    for game_id, rows in df[mask].groupby("file_game", sort=False):
        examples = [render(r) for r in rows.head(MAX_EXAMPLES).itertuples(index=False)]
        more = len(rows) - len(examples)
        out[str(game_id)] = "; ".join(examples) + (f" (+{more} more)" if more > 0 else "")
    return out


def who(row) -> str:
    person = getattr(row, "personId", None)
    if person is not None and not pd.isna(person):
        return f"player {int(person)}"
    team = getattr(row, "teamId", None)
    return f"team {int(team)}" if team is not None and not pd.isna(team) else "row"


# --- schema ---------------------------------------------------------------------------


def check_schema(findings: Findings, table: str, files: list[FileInfo]) -> None:
    """Each file against its table's one schema (pipeline/lake/schema.py), plus the columns
    the API added that the file recorded when it was written. Worked out once per distinct
    (schema, recorded additions)."""
    missing, retyped, drift = {}, {}, {}
    declared = lake_schema.table_schema(table)
    # By the schema object: files with equal schemas share one (scan.py), and hashing a
    # schema costs more than comparing ids, 20,000 times a season.
    groups: dict[tuple[int, str], list[FileInfo]] = defaultdict(list)
    for f in files:
        groups[(id(f.schema), f.added)].append(f)
    for (_, added), group in groups.items():
        schema = group[0].schema
        expected = lake_schema.expected_schema(table, json.loads(added) if added else {})
        if schema.equals(expected):
            continue
        absent = [c for c in declared.names if c not in schema.names]
        types = [
            f"{fld.name} is {schema.field(fld.name).type}, the table's type is {fld.type}"
            for fld in declared
            if fld.name in schema.names and schema.field(fld.name).type != fld.type
        ]
        differs = schema_diff(schema, expected)
        for f in group:
            if absent:
                missing[f.game_id] = "missing " + ", ".join(absent)
            if types:
                retyped[f.game_id] = "; ".join(types)
            drift[f.game_id] = differs
    evaluated = [f.game_id for f in files]
    findings.record("schema.columns", table, evaluated, missing)
    findings.record("schema.types", table, evaluated, retyped)
    findings.record("schema.drift", table, evaluated, drift)


def schema_diff(schema: pa.Schema, expected: pa.Schema) -> str:
    """'lacks a, b; extra c (not recorded as added); types d: string vs int64; order'."""
    ours = {fld.name: fld.type for fld in schema}
    theirs = {fld.name: fld.type for fld in expected}
    lacking = [c for c in theirs if c not in ours]
    extra = [c for c in ours if c not in theirs]
    types = [f"{c}: {ours[c]} vs {theirs[c]}" for c in ours if c in theirs and ours[c] != theirs[c]]
    parts = [
        ("lacks " + ", ".join(lacking)) if lacking else "",
        ("extra " + ", ".join(extra) + " (not recorded as added)") if extra else "",
        ("types " + ", ".join(types)) if types else "",
    ]
    if not any(parts):
        parts.append("columns in another order")
    return "; ".join(p for p in parts if p)


# --- one table's values -----------------------------------------------------------------


def check_lineage(findings: Findings, table: str, df: pd.DataFrame, evaluated) -> None:
    mask = pd.Series(False, index=df.index)
    for column in ("gameId", "game_id"):
        values = df[column]
        mask |= values.notna() & (values != df["file_game"])
    findings.record(
        "lineage.game_id",
        table,
        evaluated,
        describe(df, mask, lambda r: f"gameId {r.gameId!r}, game_id {r.game_id!r}"),
    )


def check_identity(findings: Findings, table: str, files: list[FileInfo], column: str) -> None:
    """Every row of a game's file must name that game in the body's own id column: a file
    holding another game's rows (a body answered for the wrong request) is flagged."""
    failures = {}
    # Every row at once (the files' rows are slices of a few shared tables): only the
    # files with a row naming another game are looked at one by one.
    rows = stack([f for f in files if f.has_data], (column,), lake_schema.table_schema(table))
    named = rows.column(column).cast(pa.string())
    other = pc.fill_null(pc.not_equal(named, rows.column("file_game")), False)
    suspects = set(pc.unique(pc.filter(rows.column("file_game"), other)).to_pylist())
    for f in files:
        data = f.data if f.game_id in suspects else None
        if data is None or column not in data.column_names:
            continue  # an absent column is schema.columns' finding
        ids = {str(v) for v in pc.unique(data.column(column)).to_pylist() if v is not None}
        other_games = sorted(ids - {f.game_id})
        if other_games:
            failures[f.game_id] = f"rows of game {', '.join(other_games)} ({column})"
    findings.record("identity.other_game", table, [f.game_id for f in files], failures)


def minutes_of(values: pd.Series) -> pd.Series:
    """'34:12' -> 34.2; '39' -> 39.0 (whole minutes, as box scores before 1996-97 have them)."""
    whole, seconds = _clock(values, r"^(?P<a>\d+)(?::(?P<b>[0-5]\d))?$")
    return pd.Series(whole + np.nan_to_num(seconds) / 60, index=values.index)


def _clock(values: pd.Series, pattern: str) -> tuple[np.ndarray, np.ndarray]:
    """Each value's groups a and b of pattern as floats, NaN where the value does not match
    (or a group is empty). In Arrow: a season's column is tens of thousands of strings."""
    strings = pa.array(values.to_numpy(dtype=object), pa.string(), from_pandas=True)
    parts = pc.extract_regex(strings, pattern)
    numbers = []
    for group in ("a", "b"):
        text = pc.struct_field(parts, group)
        text = pc.if_else(pc.equal(text, ""), pa.scalar(None, pa.string()), text)
        numbers.append(pc.cast(text, pa.float64()).to_numpy(zero_copy_only=False))
    return numbers[0], numbers[1]


def outside(value, low: float, high: float) -> bool:
    return not pd.isna(value) and not low <= value <= high


def check_ranges(
    findings: Findings,
    table: str,
    df: pd.DataFrame,
    evaluated,
    players: bool,
    skip: frozenset[str] = frozenset(),
) -> None:
    """Ranges of the columns the era records (`skip`: those it does not)."""
    df = df.drop(columns=[c for c in skip if c in df.columns and c != "minutes"])
    if players and "minutes" not in skip:
        played = df["minutes"].notna() & (df["minutes"] != "")
        minutes = minutes_of(df["minutes"].fillna(""))
        bad = played & (minutes.isna() | (minutes < 0) | (minutes > rules.MAX_MINUTES))
        findings.record(
            "range.minutes",
            table,
            evaluated,
            describe(df, bad, lambda r: f"{who(r)} minutes {r.minutes!r}"),
        )
    pct = [c for c in rules.BOUNDED_PERCENTAGES if c in df.columns]
    if pct:
        values = df[pct]
        bad_cells = (values < 0) | (values > 1)
        findings.record(
            "range.percentage",
            table,
            evaluated,
            describe(
                df,
                bad_cells.any(axis=1),
                lambda r: (
                    f"{who(r)} "
                    + ", ".join(f"{c}={getattr(r, c)}" for c in pct if outside(getattr(r, c), 0, 1))
                ),
            ),
        )
    pairs = [(m, a) for m, a in rules.MADE_ATTEMPTED if m in df.columns]
    if pairs:
        bad = pd.Series(False, index=df.index)
        for made, attempted in pairs:
            bad |= df[made] > df[attempted]
        findings.record(
            "range.made_attempted",
            table,
            evaluated,
            describe(
                df,
                bad,
                lambda r: (
                    f"{who(r)} "
                    + ", ".join(
                        f"{m}={getattr(r, m)} > {a}={getattr(r, a)}"
                        for m, a in pairs
                        if getattr(r, m) > getattr(r, a)
                    )
                ),
            ),
        )
    counts = [c for c in rules.COUNTS if c in df.columns]
    if counts:
        negative = (df[counts] < 0).any(axis=1)
        findings.record(
            "range.negative_count",
            table,
            evaluated,
            describe(
                df,
                negative,
                lambda r: (
                    f"{who(r)} "
                    + ", ".join(f"{c}={getattr(r, c)}" for c in counts if getattr(r, c) < 0)
                ),
            ),
        )


def check_unique_players(findings: Findings, table: str, df: pd.DataFrame, evaluated) -> None:
    dup = df["personId"].notna() & df.duplicated(["file_game", "personId"], keep=False)
    findings.record(
        "unique.player",
        table,
        evaluated,
        describe(df, dup, lambda r: f"{who(r)} appears more than once"),
    )


def check_team_rows(
    findings: Findings, table: str, df: pd.DataFrame, evaluated, games: dict[str, Game]
) -> None:
    """Exactly one row for each of the game's two teams (home and away from the index)."""
    unique_fail, teams_fail = {}, {}
    # One list per game, not a pandas group per game: a season has 1,300 games.
    teams: dict[str, list[int]] = defaultdict(list)
    named = df["teamId"].notna()
    for game_id, team in zip(df["file_game"][named], df["teamId"][named], strict=True):
        teams[game_id].append(int(team))
    for game_id in pd.unique(df["file_game"]):
        ids = teams.get(game_id, [])
        if len(ids) != 2 or len(set(ids)) != 2:
            unique_fail[game_id] = f"{len(ids)} team rows: {sorted(ids)}"
        game = games[game_id]
        expected = {game.home_team_id, game.away_team_id}
        if set(ids) != expected:
            teams_fail[game_id] = f"teams {sorted(set(ids))}, index says {sorted(expected)}"
    findings.record("unique.team", table, evaluated, unique_fail)
    findings.record("reconcile.game_teams", table, evaluated, teams_fail)


def check_player_teams(
    findings: Findings, table: str, df: pd.DataFrame, evaluated, games: dict[str, Game]
) -> None:
    home = df["file_game"].map({g: games[g].home_team_id for g in games})
    away = df["file_game"].map({g: games[g].away_team_id for g in games})
    bad = df["teamId"].notna() & (df["teamId"] != home) & (df["teamId"] != away)
    findings.record(
        "reconcile.player_team",
        table,
        evaluated,
        describe(df, bad, lambda r: f"{who(r)} has team {r.teamId}"),
    )


def check_pbp(findings: Findings, df: pd.DataFrame, evaluated) -> None:
    ids = df.groupby("file_game", sort=False)["actionId"].agg(["min", "max", "nunique", "size"])
    bad = (ids["min"] != 1) | (ids["max"] != ids["size"]) | (ids["nunique"] != ids["size"])
    findings.record(
        "pbp.sequence",
        "play_by_play",
        evaluated,
        {
            g: f"{int(r['size'])} actions, actionId {r['min']:.0f}..{r['max']:.0f}, "
            f"{int(r['nunique'])} distinct"
            for g, r in ids[bad].iterrows()
        },
    )
    last = df.groupby("file_game", sort=False).tail(1)
    ended = (last["actionType"] == "period") & (last["subType"] == "end") & (last["period"] >= 4)
    findings.record(
        "pbp.final_action",
        "play_by_play",
        evaluated,
        {
            r.file_game: (
                f"last action #{r.actionId}: {r.actionType} {r.subType} in period {r.period}"
            )
            for r in last[~ended.fillna(False)].itertuples(index=False)
        },
    )


# --- across endpoints -------------------------------------------------------------------


def team_points(teams: pd.DataFrame) -> dict[tuple[str, int], float]:
    rows = teams.dropna(subset=["teamId", "points"])
    return {
        (g, int(t)): p
        for g, t, p in zip(rows["file_game"], rows["teamId"], rows["points"], strict=True)
    }


def check_team_points(
    findings: Findings, players: pd.DataFrame, teams: pd.DataFrame, evaluated
) -> None:
    sums = players.groupby(["file_game", "teamId"])["points"].sum(min_count=1)
    failures: dict[str, list[str]] = defaultdict(list)
    for (game_id, team_id), points in team_points(teams).items():
        if game_id not in evaluated:
            continue
        total = sums.get((game_id, team_id), 0)  # no player rows at all: 0 points
        if pd.isna(total):
            continue  # the players' points column is unreadable: schema reports it
        if total != points:
            failures[game_id].append(
                f"team {team_id}: {points:.0f} points, players sum to {total:.0f}"
            )
    findings.record(
        "reconcile.team_points",
        "box_traditional_players",
        evaluated,
        {g: "; ".join(v) for g, v in failures.items()},
    )


def check_pbp_score(
    findings: Findings, pbp: pd.DataFrame, teams: pd.DataFrame, evaluated, games: dict[str, Game]
) -> None:
    points = team_points(teams)
    scored = pbp[pbp["scoreHome"].notna() & (pbp["scoreHome"] != "")]
    last = scored.groupby("file_game", sort=False).tail(1)
    # Game -> its last scored action (home, away, action id): a dict, not a lookup per game.
    last = dict(
        zip(
            last["file_game"],
            zip(last["scoreHome"], last["scoreAway"], last["actionId"], strict=True),
            strict=True,
        )
    )
    failures = {}
    for game_id in evaluated:
        game = games[game_id]
        home, away = (
            points.get((game_id, game.home_team_id)),
            points.get((game_id, game.away_team_id)),
        )
        if home is None or away is None:
            continue
        if game_id not in last:
            failures[game_id] = "no score in the play-by-play"
            continue
        score_home, score_away, action = last[game_id]
        final = f"{score_home}-{score_away}"
        if final != f"{home:.0f}-{away:.0f}":
            failures[game_id] = (
                f"last score {final} (action {action}), box score {home:.0f}-{away:.0f}"
            )
    findings.record("reconcile.pbp_score", "play_by_play", evaluated, failures)


def check_line_score(
    findings: Findings, lines: pd.DataFrame, teams: pd.DataFrame, evaluated
) -> None:
    scores = team_points(lines.rename(columns={"score": "points"}))
    failures: dict[str, list[str]] = defaultdict(list)
    for (game_id, team_id), points in team_points(teams).items():
        if game_id in evaluated and scores.get((game_id, team_id)) != points:
            failures[game_id].append(
                f"team {team_id}: line score {scores.get((game_id, team_id))}, "
                f"box score {points:.0f}"
            )
    findings.record(
        "reconcile.line_score",
        "summary_line_score",
        evaluated,
        {g: "; ".join(v) for g, v in failures.items()},
    )


def check_same_players(
    findings: Findings, traditional: pd.DataFrame, advanced: pd.DataFrame, evaluated
) -> None:
    keys = ["file_game", "personId"]
    merged = (
        traditional[keys]
        .drop_duplicates()
        .merge(advanced[keys].drop_duplicates(), how="outer", on=keys, indicator=True)
    )
    odd = merged[(merged["_merge"] != "both") & merged["file_game"].isin(evaluated)]
    failures = {}
    for game_id, rows in odd.groupby("file_game", sort=False):
        only_trad = sorted(int(p) for p in rows.loc[rows["_merge"] == "left_only", "personId"])
        only_adv = sorted(int(p) for p in rows.loc[rows["_merge"] == "right_only", "personId"])
        failures[game_id] = f"only traditional: {only_trad}; only advanced: {only_adv}"
    findings.record("reconcile.advanced_players", "box_advanced_players", evaluated, failures)


def check_entities(
    findings: Findings, rule: str, dataset: str, ids_by_game: dict[str, set], present: set[str]
) -> None:
    failures = {}
    for game_id, ids in ids_by_game.items():
        absent = sorted(i for i in ids if str(i) not in present)
        if absent:
            failures[game_id] = f"no {dataset} file for {absent}"
    findings.record(rule, dataset, ids_by_game, failures)


# --- More of each game (issue 24) ------------------------------------------------------


def seconds_of(values: pd.Series) -> pd.Series:
    """'MM:SS' (or '' for a player who did not play) -> seconds; anything else NaN."""
    minutes, seconds = _clock(values, r"^(?P<a>\d+):(?P<b>[0-5]\d)$")
    seconds = pd.Series(minutes * 60 + seconds, index=values.index)
    return seconds.where(values.fillna("") != "", 0.0)


def _box_compare(
    findings: Findings,
    rule: str,
    table: str,
    theirs: pd.DataFrame,
    box: pd.DataFrame,
    pairs: dict[str, str],
    evaluated: set[str],
    tolerance: dict[str, float] | None = None,
) -> None:
    """Per player, each `theirs` column equals the box score's (pairs: theirs -> box), and
    every player of theirs is in the box score."""
    keys = ["file_game", "personId"]
    ours = box[[*keys, "_in_box", *set(pairs.values())]].rename(
        columns={c: f"box_{c}" for c in pairs.values()}
    )
    merged = theirs[[*keys, *pairs]].merge(ours, on=keys, how="left")
    failures: dict[str, list[str]] = defaultdict(list)
    for row in merged[merged["file_game"].isin(evaluated)].to_dict("records"):
        game, person = row["file_game"], row["personId"]
        if pd.isna(row["_in_box"]):
            failures[game].append(f"player {person} is not in the box score")
            continue
        for mine, other in pairs.items():
            a, b = row[mine], row[f"box_{other}"]
            if not (pd.isna(a) or pd.isna(b)) and abs(a - b) > (tolerance or {}).get(mine, 0):
                failures[game].append(f"player {person} {mine} {a:g}, box score {other} {b:g}")
    findings.record(
        rule,
        table,
        evaluated,
        {
            g: "; ".join(v[:MAX_EXAMPLES])
            + (f" (+{len(v) - MAX_EXAMPLES} more)" if len(v) > MAX_EXAMPLES else "")
            for g, v in failures.items()
        },
    )


def check_more_of_each_game(
    findings: Findings, files: dict[str, list[FileInfo]], frames: dict, games: dict[str, Game]
) -> None:
    """The issue-24 datasets against the traditional box score, game by game."""

    def frame(table: str) -> tuple[pd.DataFrame, set[str]] | None:
        infos = [f for f in files.get(table, []) if f.has_data]
        if not infos:
            return None
        columns = rules.CROSS_COLUMNS[table]
        df = stack(infos, columns, lake_schema.table_schema(table)).to_pandas()
        return df, {f.game_id for f in infos}

    if "box_traditional_players" not in frames:
        return
    box, with_box = frames["box_traditional_players"]
    box = box.assign(_in_box=1, seconds=seconds_of(box["minutes"]))
    shots = frame("shots")
    if shots is not None:
        _check_shots(findings, *shots, box, with_box)
    stints = [f for f in (frame("rotations_home"), frame("rotations_away")) if f is not None]
    if stints:
        df = pd.concat([s[0] for s in stints])
        evaluated = set.intersection(*(s[1] for s in stints)) & with_box
        df = df.assign(span=(df["OUT_TIME_REAL"] - df["IN_TIME_REAL"]) / 10)
        per = df.groupby(["file_game", "PERSON_ID"], as_index=False)[["span", "PLAYER_PTS"]].sum()
        per = per.rename(columns={"PERSON_ID": "personId"})
        _box_compare(
            findings,
            "reconcile.rotation_box",
            "rotations_home",
            per,
            box,
            {"span": "seconds", "PLAYER_PTS": "points"},
            evaluated,
            {"span": 1.0},
        )
    simple = (
        ("box_hustle_players", "reconcile.hustle_box", {"points": "points"}, True),
        ("box_player_track_players", "reconcile.tracking_box", {"assists": "assists"}, True),
        (
            "box_defensive_players",
            "reconcile.defensive_box",
            {"defensiveRebounds": "reboundsDefensive", "steals": "steals", "blocks": "blocks"},
            False,
        ),
    )
    for table, rule, pairs, minutes in simple:
        found = frame(table)
        if found is None:
            continue
        df, evaluated = found
        if minutes:
            df = df.assign(mine_seconds=seconds_of(df["minutes"]))
            pairs = {**pairs, "mine_seconds": "seconds"}
        df = df.drop(columns=[c for c in ("minutes",) if c in df.columns])
        _box_compare(findings, rule, table, df, box, pairs, evaluated & with_box)
    matchups = frame("box_matchups")
    if matchups is not None:
        _check_matchups(findings, *matchups, box, with_box)
    win = frame("win_probability"), frame("win_probability_game")
    if "box_traditional_teams" in frames and all(w is not None for w in win):
        teams, with_teams = frames["box_traditional_teams"]
        _check_win_probability(findings, win[0], win[1], teams, with_teams, games)


def _check_shots(findings, df, evaluated, box, with_box) -> None:
    evaluated = evaluated & with_box
    three = df["SHOT_TYPE"].str.startswith("3")
    df = df.assign(
        made=df["SHOT_MADE_FLAG"],
        tried=df["SHOT_ATTEMPTED_FLAG"],
        made3=df["SHOT_MADE_FLAG"].where(three, 0),
        tried3=df["SHOT_ATTEMPTED_FLAG"].where(three, 0),
    )
    per = df.groupby(["file_game", "PLAYER_ID"], as_index=False)[
        ["made", "tried", "made3", "tried3"]
    ].sum()
    per = per.rename(columns={"PLAYER_ID": "personId"})
    # Players with no shot at all must have none in the box score either.
    shooters = box[box["fieldGoalsAttempted"].fillna(0) > 0][["file_game", "personId"]]
    per = shooters.merge(per, on=["file_game", "personId"], how="outer").fillna(
        {"made": 0, "tried": 0, "made3": 0, "tried3": 0}
    )
    pairs = {
        "made": "fieldGoalsMade",
        "tried": "fieldGoalsAttempted",
        "made3": "threePointersMade",
        "tried3": "threePointersAttempted",
    }
    _box_compare(findings, "reconcile.shots_box", "shots", per, box, pairs, evaluated)
    zone_three = df["SHOT_ZONE_BASIC"].isin(rules.THREE_POINT_ZONES)
    bad = (three & ((df["SHOT_DISTANCE"] < 22) | ~zone_three)) | (
        ~three & ((df["SHOT_DISTANCE"] > 23) | zone_three)
    )
    findings.record(
        "shots.value_zone",
        "shots",
        evaluated,
        describe(
            df,
            bad,
            lambda r: (
                f"player {r.PLAYER_ID}: {r.SHOT_TYPE} from {r.SHOT_DISTANCE} ft, "
                f"{r.SHOT_ZONE_BASIC}"
            ),
        ),
    )


def _check_matchups(findings, df, evaluated, box, with_box) -> None:
    evaluated = evaluated & with_box
    team_of = {
        (g, p): t for g, p, t in zip(box["file_game"], box["personId"], box["teamId"], strict=True)
    }
    failures: dict[str, str] = {}
    for row in df.itertuples(index=False):
        if row.file_game not in evaluated or row.file_game in failures:
            continue
        off = team_of.get((row.file_game, row.personIdOff))
        defense = team_of.get((row.file_game, row.personIdDef))
        if off != row.teamId or defense is None or defense == row.teamId:
            failures[row.file_game] = (
                f"offense {row.personIdOff} (team {off}), defender {row.personIdDef} "
                f"(team {defense}), row's team {row.teamId}"
            )
    findings.record("reconcile.matchup_players", "box_matchups", evaluated, failures)


def _check_win_probability(findings, win, info, teams, with_teams, games) -> None:
    rows, with_rows = win
    info, with_info = info
    evaluated = with_rows & with_info & with_teams
    points = team_points(teams)
    last = rows.dropna(subset=["HOME_PTS"]).groupby("file_game", sort=False).tail(1)
    last = last.set_index("file_game")
    info = info.set_index("file_game")
    failures = {}
    for game_id in evaluated:
        game = games.get(game_id)
        if game is None:
            continue
        want = (points.get((game_id, game.home_team_id)), points.get((game_id, game.away_team_id)))
        if None in want:
            continue
        seen = []
        if game_id in last.index:
            row = last.loc[game_id]
            seen.append(("last row", row["HOME_PTS"], row["VISITOR_PTS"]))
        if game_id in info.index:
            row = info.loc[game_id]
            seen.append(("game info", row["HOME_TEAM_PTS"], row["VISITOR_TEAM_PTS"]))
        for where, home, away in seen:
            if (home, away) != want:
                failures[game_id] = (
                    f"{where} {home:.0f}-{away:.0f}, box score {want[0]:.0f}-{want[1]:.0f}"
                )
    findings.record("reconcile.win_probability_score", "win_probability", evaluated, failures)
