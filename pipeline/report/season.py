"""validate_season: the lake in, the report document out. Reads only the lake."""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import json
import pathlib
import sys
import time
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import asdict, astuple, dataclass, field

import pandas as pd

from pipeline.lake import compact
from pipeline.lake import schema as lake_schema
from pipeline.lake.lake import Lake
from pipeline.model import eras as learned_eras
from pipeline.model.work import SeasonWork
from pipeline.nba import endpoints as catalogue
from pipeline.nba import eras as nba_eras
from pipeline.nba.endpoints import Endpoint
from pipeline.nba.games import Game, games_from_index
from pipeline.report import checks, rules, scan
from pipeline.report.checks import Findings
from pipeline.report.html import render
from pipeline.report.scan import (
    CompactionFeed,
    DeadLetters,
    FileInfo,
    keys_in,
    open_table,
    stack,
)
from pipeline.report.score import game_scores, summarize

REPORT_SCHEMA_VERSION = 1


class NoGameIndex(FileNotFoundError):
    """The season has no game index: run DiscoverGames (SeasonBackfill) first."""


def load_games(lake: Lake, season: str) -> list[Game]:
    path = lake.layout.game_index(season)
    if not lake.exists(path):
        raise NoGameIndex(f"no game index for {season} at {path}: run SeasonBackfill first")
    return games_from_index(lake.read_table(path))


def _chosen(index: list[Game], games: Iterable[Game | str] | None) -> list[Game]:
    if games is None:
        return index
    by_id = {g.game_id: g for g in index}
    chosen = [g if isinstance(g, Game) else by_id[g] for g in games]
    return sorted(chosen, key=lambda g: (g.game_date, g.game_id))


# Per-game table -> the column naming each row's game (each table has one endpoint).
IDENTITY = {t: c for e in catalogue.GAME_ENDPOINTS for t, c in rules.identity_columns(e).items()}
ENTITY_TABLES = {
    t for e in (*catalogue.ENTITY_ENDPOINTS, *catalogue.SEASON_ENDPOINTS) for t in e.tables.values()
}


def scan_columns(table: str) -> tuple[str, ...] | None:
    """The columns validation reads from a table's files (None: the footer only)."""
    if table in ENTITY_TABLES:
        return None
    return rules.read_columns(table, IDENTITY.get(table))


def compaction_feed(lake: Lake) -> CompactionFeed:
    """For compaction to hand over what it reads (pipeline.report.scan.CompactionFeed)."""
    return CompactionFeed(lake, scan_columns)


def validate_season(
    lake: Lake,
    season: str,
    *,
    endpoints: Iterable[Endpoint] | None = None,
    games: Iterable[Game | str] | None = None,
    compacted: compact.CompactionResult | None = None,
) -> dict:
    """Validate a season (or the selected games of it) and return the report document.
    compacted: the season's compaction just made, which the report takes as it is."""
    started = time.monotonic()
    chosen = _chosen(load_games(lake, season), games)
    played = {g.game_id: g for g in chosen if g.status == "final"}
    year = int(season[:4])
    learned = learned_eras.Learned(lake, season)
    if endpoints is None:
        endpoints = catalogue.endpoints_for(year)
    # What the era does not record is neither missing nor a dead letter (the era section).
    eps = [
        e for e in endpoints if e.per == "game" and learned.recorded(e) is not False
    ]  # players/teams: _check_entities
    findings = Findings()

    present, by_month, completeness, dead_lettered = _completeness(
        lake, season, eps, played, findings
    )
    listed = {t: c.listed for t, c in (compacted.tables if compacted else {}).items()}
    months = _checked_months(lake, season, eps, played, present, year, listed)
    for month in months:
        month.add_to(findings)
    entity_checks = _check_entities(findings, lake, season, months, played)
    entity_files, entity_findings = _check_entity_schemas(lake, season)
    tables = _schema_section(
        {t: len(p) for t, p in present.items()},
        _merged(m.added for m in months),
        entity_files,
        findings,
        entity_findings,
    )
    compaction = _compaction_section(lake, season, compacted)

    scores = game_scores(findings, completeness)
    return {
        "schema_version": REPORT_SCHEMA_VERSION,
        "season": season,
        "generated_at": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
        "lake": lake.root,
        "scope": {
            "games": "all" if games is None else "selected",
            "endpoints": [e.key for e in eps],
            "tables": list(present),
        },
        "summary": summarize(
            findings,
            scores,
            completeness,
            dead_lettered,
            sum(1 for g in chosen if g.status != "final"),
        ),
        "rules": {rule: {"weight": w, "description": d} for rule, (w, d) in rules.RULES.items()},
        "entity_checks": entity_checks,
        "game_log_check": _game_log_check(lake, season),
        "era": _era_section(year, eps, learned, _merged(m.filled for m in months)),
        "tables": tables,
        "compaction": compaction,
        "completeness": {
            "by_month_dataset": by_month,
            "not_yet_played": [g.game_id for g in chosen if g.status != "final"],
        },
        "problems": sorted(
            findings.problems, key=lambda p: (p["game_id"], p["dataset"], p["rule"])
        ),
        "games": {g: round(s, 6) for g, s in scores.items()},
        "elapsed_seconds": round(time.monotonic() - started, 3),
    }


@dataclass
class MonthChecks:
    """What the per-game checks found in one month of games, and what the season's
    sections need of its files: kept with a fingerprint of everything it was made from
    (the month's games, its files' versions, the checks' own code), so that the next
    report of the season checks only the months whose files changed (a day of a season in
    progress: its month) and takes the others as they were."""

    problems: list[dict] = field(default_factory=list)
    weight_run: dict[str, float] = field(default_factory=dict)
    weight_failed: dict[str, float] = field(default_factory=dict)
    added: dict[str, list] = field(default_factory=dict)  # table -> [[game, added JSON]]
    filled: dict[str, list] = field(default_factory=dict)  # table -> era-lacking columns held
    players: dict[str, list] | None = None  # game -> box-score players (None: no box scores)

    def add_to(self, findings: Findings) -> None:
        findings.problems += self.problems
        for game_id, weight in self.weight_run.items():
            findings.weight_run[game_id] += weight
        for game_id, weight in self.weight_failed.items():
            findings.weight_failed[game_id] += weight


MONTH_CHECKS = "validation-checks"  # state_file kind: a month's checks, and its fingerprint


def _checked_months(
    lake: Lake,
    season: str,
    eps: list[Endpoint],
    played: dict[str, Game],
    present: dict[str, list[str]],
    year: int,
    listed: dict[str, dict | None],
) -> list[MonthChecks]:
    """The per-game checks, a month of games at a time: taken from the month's previous
    checks where nothing they were made from changed, else made (and kept). A table's
    versions are those compaction has just listed, if it has (a season's 16,000 stats)."""
    versions = {
        table: listed.get(table)
        or lake.store.list_versions(lake.layout.table_prefix(table, season))
        for table, paths in present.items()
        if paths
    }
    by_month: dict[int, dict[str, list[str]]] = defaultdict(lambda: defaultdict(list))
    for table, paths in present.items():
        for path in paths:
            by_month[played[scan.stem(path)].month][table].append(path)
    months = []
    for month in sorted({g.month for g in played.values()}, key=_season_month_order):
        files = by_month.get(month, {})
        games = {g: game for g, game in played.items() if game.month == month}
        fingerprint = _fingerprint(lake, year, eps, games, files, versions)
        path = lake.layout.state_file(MONTH_CHECKS, season, f"month-{month:02d}.json")
        kept = _kept_checks(lake, path, fingerprint)
        if kept is not None:
            months.append(kept)
            continue
        checked = _check_month(lake, season, eps, games, files, year, versions)
        lake.write_json(path, {"fingerprint": fingerprint, "checks": asdict(checked)})
        months.append(checked)
    return months


def _kept_checks(lake: Lake, path: str, fingerprint: str) -> MonthChecks | None:
    """The month's previous checks if they were made from what it is now; None to check it."""
    try:
        kept = lake.read_json(path) if lake.exists(path) else {}
        return MonthChecks(**kept["checks"]) if kept.get("fingerprint") == fingerprint else None
    except (OSError, ValueError, TypeError, KeyError):
        return None  # unreadable or of another shape: checked again


def _fingerprint(lake, year, eps, games, files, versions) -> str:
    """Everything a month's checks are made from: the checks' code, the tables' schemas
    (nba_api's lists included), the season's eras and endpoints, the month's games as the
    index has them, and its files' versions."""
    made_from = [
        _code_digest(),
        {table: lake_schema.table_version(table) for table in sorted(files)},
        year,
        [e.key for e in eps],
        sorted(astuple(g) for g in games.values()),
        {
            table: [[lake.layout.relative(p), versions[table].get(p)] for p in sorted(paths)]
            for table, paths in sorted(files.items())
        },
    ]
    return hashlib.sha256(json.dumps(made_from, default=list).encode()).hexdigest()


@functools.cache
def _code_digest() -> str:
    """The source of what decides a month's checks: a new version checks every month again."""
    modules = (checks, rules, scan, lake_schema, catalogue, nba_eras, sys.modules[__name__])
    digest = hashlib.sha256()
    for module in modules:
        digest.update(pathlib.Path(module.__file__).read_bytes())
    return digest.hexdigest()


def _check_month(lake, season, eps, played, present, year, versions) -> MonthChecks:
    """The per-game checks of one month's games and files."""
    findings = Findings()
    files = {
        table: open_table(lake, season, table, paths, scan_columns(table), versions[table])
        for table, paths in present.items()
    }
    for table, infos in files.items():
        if table in IDENTITY:
            checks.check_identity(findings, table, infos, IDENTITY[table])
    frames = _check_tables(findings, eps, files, played, year)
    _check_across(findings, frames, played)
    checks.check_more_of_each_game(findings, files, frames, played)  # issue 24
    players = None
    if "box_traditional_players" in frames:
        df, _ = frames["box_traditional_players"]
        rows = df.dropna(subset=["personId"])
        players = defaultdict(list)
        for game_id, person in zip(rows["file_game"], rows["personId"], strict=True):
            players[game_id].append(int(person))
        players = {game_id: sorted(set(ids)) for game_id, ids in players.items()}
    return MonthChecks(
        problems=findings.problems,
        weight_run=dict(findings.weight_run),
        weight_failed=dict(findings.weight_failed),
        added={
            table: [[f.game_id, f.added] for f in infos if f.added]
            for table, infos in files.items()
        },
        filled=_filled(year, eps, frames),
        players=players,
    )


def _merged(parts: Iterable[dict[str, list]]) -> dict[str, list]:
    merged: dict[str, list] = {}
    for part in parts:
        for key, values in part.items():
            merged.setdefault(key, []).extend(values)
    return merged


def _completeness(
    lake: Lake, season: str, eps: list[Endpoint], played: dict[str, Game], findings: Findings
):
    """Present files per table, the month x table grid, each game's completeness, and the
    dead-lettered games. One listing per table prefix, one for the dead letters."""
    layout = lake.layout
    dead = DeadLetters.load(lake, season)
    present: dict[str, list[str]] = {}
    grid: dict[tuple[int, str], list[int]] = {}
    found: dict[str, int] = defaultdict(int)
    expected = len([t for e in eps for t in e.tables])
    dead_lettered: set[str] = set()
    for endpoint in eps:
        missing: dict[str, list[str]] = defaultdict(list)
        for table in endpoint.tables.values():
            listing = lake.listing(layout.table_prefix(table, season), fresh=True)
            present[table] = []
            for game in played.values():
                path = layout.table_file(table, season, game.month, game.game_id)
                cell = grid.setdefault((game.month, table), [0, 0])
                cell[0] += 1
                if path in listing:
                    cell[1] += 1
                    found[game.game_id] += 1
                    present[table].append(path)
                else:
                    missing[game.game_id].append(table)
        for game_id, tables in missing.items():
            reason = dead.reason(endpoint.key, game_id)
            if reason:
                dead_lettered.add(game_id)
                findings.problem(game_id, endpoint.key, "completeness.dead_letter", reason)
                continue
            for table in tables:
                path = layout.table_file(table, season, played[game_id].month, game_id)
                findings.problem(
                    game_id, table, "completeness.missing", f"no file {layout.relative(path)}"
                )
    months = sorted({m for m, _ in grid}, key=_season_month_order)
    by_month = [
        {"month": m, "dataset": t, "expected": grid[(m, t)][0], "present": grid[(m, t)][1]}
        for m in months
        for t in present
        if (m, t) in grid
    ]
    completeness = {g: (found[g] / expected if expected else 1.0) for g in played}
    return present, by_month, completeness, dead_lettered


def _season_month_order(month: int) -> int:
    return month if month >= 7 else month + 12  # October..June, in season order


def _check_tables(
    findings: Findings,
    eps: list[Endpoint],
    files: dict[str, list[FileInfo]],
    played: dict[str, Game],
    year: int,
) -> dict[str, tuple[pd.DataFrame, set[str]]]:
    """Schema checks for every table, value checks for the tables with data columns; a
    value check leaves out the columns the season's era does not record.
    Returns the data tables as (frame, games that have the file)."""
    frames = {}
    era_of = {t: e.era for e in eps for t in e.tables.values()}
    for table, infos in files.items():
        checks.check_schema(findings, table, infos)
        columns = rules.DATA_COLUMNS.get(table)
        if not columns or not infos:
            continue
        df = stack(infos, columns, lake_schema.table_schema(table)).to_pandas()
        for info in infos:  # in the frame now: the rest of the report needs only schemas
            info.data = None
        evaluated = {f.game_id for f in infos}
        frames[table] = (df, evaluated)
        checks.check_lineage(findings, table, df, evaluated)
        if table == "play_by_play":
            checks.check_pbp(findings, df, evaluated)
            continue
        if table == "summary_line_score":
            continue
        unrecorded = era_of[table].unrecorded_columns(year, table)
        checks.check_ranges(
            findings, table, df, evaluated, players="personId" in columns, skip=unrecorded
        )
        if "personId" in columns:
            checks.check_unique_players(findings, table, df, evaluated)
            checks.check_player_teams(findings, table, df, evaluated, played)
        elif table != "box_traditional_starter_bench":
            checks.check_team_rows(findings, table, df, evaluated, played)
    return frames


def _check_across(findings: Findings, frames: dict, played: dict[str, Game]) -> None:
    if "box_traditional_teams" not in frames:
        return
    teams, with_teams = frames["box_traditional_teams"]
    if "box_traditional_players" in frames:
        players, with_players = frames["box_traditional_players"]
        checks.check_team_points(findings, players, teams, with_teams & with_players)
        if "box_advanced_players" in frames:
            advanced, with_advanced = frames["box_advanced_players"]
            checks.check_same_players(findings, players, advanced, with_players & with_advanced)
    if "play_by_play" in frames:
        pbp, with_pbp = frames["play_by_play"]
        checks.check_pbp_score(findings, pbp, teams, with_teams & with_pbp, played)
    if "summary_line_score" in frames:
        lines, with_lines = frames["summary_line_score"]
        checks.check_line_score(findings, lines, teams, with_teams & with_lines)


def _era_section(year: int, eps: list[Endpoint], learned, filled: dict) -> dict:
    """What the season's eras do not record, kept apart from missing and dead letters:
    endpoints the era (or a probe) says the season lacks, the verdicts runs learned, the
    columns left out of the checks, and any such column that holds values after all (the
    contract is wrong there: a finding to correct pipeline/nba/endpoints.py with)."""
    chosen = {e.key for e in eps}
    not_recorded = []
    for endpoint in catalogue.ALL.values():
        if endpoint.key in chosen or endpoint is catalogue.GAME_FINDER:
            continue
        era = endpoint.era
        if not era.records(year):
            last = f" until {era.last}" if era.last is not None else ""
            why = f"recorded from {era.first}{last} ({era.evidence})"
        elif learned.recorded(endpoint) is False:
            why = learned.get(endpoint).why
        else:
            continue  # switched off for this run, not an era matter
        not_recorded.append({"endpoint": endpoint.key, "why": why})
    columns = {}
    for endpoint in eps:
        for table in endpoint.tables.values():
            lacking = endpoint.era.unrecorded_columns(year, table)
            if lacking:
                columns[table] = sorted(lacking)
    filled = {table: sorted(set(held)) for table, held in filled.items() if held}
    return {
        "not_recorded": not_recorded,
        "learned": learned.all(),
        "unrecorded_columns": columns,
        "filled": filled,
    }


def _filled(year: int, eps: list[Endpoint], frames: dict) -> dict[str, list[str]]:
    """Per table, the columns its era does not record that hold values after all."""
    filled = {}
    for endpoint in eps:
        for table in endpoint.tables.values():
            lacking = endpoint.era.unrecorded_columns(year, table)
            if not lacking or table not in frames:
                continue
            df, _ = frames[table]
            holding = [
                c
                for c in sorted(lacking & set(df.columns))
                if pd.api.types.is_numeric_dtype(df[c]) and (df[c].fillna(0) != 0).any()
            ]
            if holding:
                filled[table] = holding
    return filled


def _game_log_check(lake: Lake, season: str) -> dict | None:
    """The last check of the season against its game logs: corrected games, and the
    values that still differ (pipeline.model.work writes it)."""
    path = lake.layout.game_log_check(season)
    return lake.read_json(path) if lake.exists(path) else None


def _check_entities(
    findings: Findings, lake: Lake, season: str, months: list[MonthChecks], played: dict[str, Game]
) -> dict:
    """Issue #8: box-score players have a bio, games' teams have team info. Each check runs
    only when its table was landed for the season (--no-player-info / --no-team-info)."""
    report = {}
    bios = catalogue.PLAYER_INFO
    players = keys_in(lake, bios.tables["CommonPlayerInfo"], None if bios.lake_wide else season)
    if not players:
        report["players"] = {"status": "skipped", "reason": "no players/ files for the season"}
    elif all(m.players is None for m in months):
        report["players"] = {"status": "skipped", "reason": "no box scores to take players from"}
    else:
        ids = {g: set(p) for m in months for g, p in (m.players or {}).items()}
        checks.check_entities(findings, "players.bio_missing", "players", ids, players)
        report["players"] = {"status": "ran", "files": len(players)}
    teams = keys_in(lake, "teams", season)
    if not teams:
        report["teams"] = {"status": "skipped", "reason": "no teams/ files for the season"}
    else:
        ids = {g.game_id: {g.home_team_id, g.away_team_id} for g in played.values()}
        checks.check_entities(findings, "teams.info_missing", "teams", ids, teams)
        report["teams"] = {"status": "ran", "files": len(teams)}
    return report


def _check_entity_schemas(lake: Lake, season: str):
    """The other tables (players, teams, rosters, game logs...) against their schemas too.
    Their files are keyed by player, team or season type, not by game, so their findings
    stay in the tables section of the report rather than among the games' problems."""
    findings = Findings()
    files = {}
    for endpoint in (*catalogue.ENTITY_ENDPOINTS, *catalogue.SEASON_ENDPOINTS):
        for table in endpoint.tables.values():
            prefix = lake.layout.table_prefix(table, lake_schema.partition_season(table, season))
            paths = sorted(p for p in lake.listing(prefix, fresh=True) if p.endswith(".parquet"))
            if paths:
                files[table] = open_table(lake, season, table, paths, scan_columns(table))
                checks.check_schema(findings, table, files[table])
    return files, findings


def _schema_section(
    counts: dict[str, int],
    added: dict[str, list],
    entity_files: dict[str, list[FileInfo]],
    *findings: Findings,
) -> dict:
    """Per table: its schema version, its files whose schema is not the table's, and the
    columns the API added that the catalogue does not list yet (recorded in the files that
    have them): new data worth a catalogue entry, not a failure. counts: the per-game
    tables' files; added: their [game, added columns] where any."""
    differing: dict[str, dict[str, str]] = defaultdict(dict)
    for found in findings:
        for problem in found.problems:
            if problem["rule"] == "schema.drift":
                differing[problem["dataset"]][problem["game_id"]] = problem["detail"]
    counts, added = dict(counts), dict(added)  # the caller's stay as given
    for table, infos in entity_files.items():
        counts[table] = len(infos)
        added[table] = [[f.game_id, f.added] for f in infos if f.added]
    section = {}
    for table, files in counts.items():
        columns: dict[str, dict] = {}
        for game_id, recorded in sorted(added.get(table, []), key=lambda a: a[0]):
            for column, arrow_type in json.loads(recorded).items():
                entry = columns.setdefault(
                    column, {"type": arrow_type, "files": 0, "first_file": game_id}
                )
                entry["files"] += 1
        section[table] = {
            "schema_version": lake_schema.table_version(table),
            "files": files,
            "files_not_in_schema": len(differing[table]),
            "examples": dict(sorted(differing[table].items())[: checks.MAX_EXAMPLES]),
            "added_columns": columns,
        }
    return section


def _compaction_section(
    lake: Lake, season: str, made: compact.CompactionResult | None = None
) -> dict:
    """Per table the season holds: is its compacted file made from the files it holds now?
    "behind" means a reader of compact/ misses new or corrected games until the next
    season run compacts it again. Right after this run's compaction (made), every table it
    wrote or found current is current: no table listed again."""
    if made is not None and made.season == season:
        return {
            table: {"state": "current", "inputs": c.inputs, "detail": ""}
            for table, c in made.tables.items()
            if c.status in ("written", "current")
        }
    compacted = compact.compacted_files(lake)
    section = {}
    for table in lake_schema.tables():
        state = compact.freshness(lake, table, season, compacted)
        if state.state != "empty":
            section[table] = {"state": state.state, "inputs": state.inputs, "detail": state.detail}
    return section


def write_report(
    lake: Lake, season: str, report: dict, scope: str | None = None
) -> tuple[str, str]:
    """Write report.json and report.html: the season's latest, and with scope (a digest of
    what was judged) that scope's own as well. Returns the paths of the scope's report."""
    body, page = json.dumps(report, indent=2, default=str).encode(), render(report).encode("utf-8")
    for digest in dict.fromkeys([scope, None]):
        json_path = lake.layout.report(season, scope=digest)
        html_path = lake.layout.report(season, "html", scope=digest)
        lake.write_bytes(json_path, body)
        lake.write_bytes(html_path, page)
    return lake.layout.report(season, scope=scope), lake.layout.report(season, "html", scope=scope)


def validate_scope(work: SeasonWork, compacted: compact.CompactionResult | None = None) -> dict:
    """Validate what a scope covers (its games, its datasets); the report says which."""
    report = validate_season(
        work.lake,
        work.season,
        games=work.games(),
        endpoints=work.game_endpoints(),
        compacted=compacted,
    )
    report["scope"].update(
        digest=work.scope.digest(),
        selection=work.scope.as_dict(),
        description=work.scope.describe(),
    )
    return report


def write_scope_report(
    work: SeasonWork, compacted: compact.CompactionResult | None = None
) -> tuple[dict, str]:
    """Validate what a run's scope covers; write its report.json and report.html."""
    report = validate_scope(work, compacted)
    _, html_path = write_report(work.lake, work.season, report, scope=work.scope.digest())
    return report, html_path
