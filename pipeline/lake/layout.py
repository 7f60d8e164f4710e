"""Where everything lives in the lake. Every path the pipeline reads or writes is made here.

Names are deterministic (no timestamps) because "the file exists" is how a rerun knows
what is done. Partitions are hive-style so engines read them as columns.
"""

from __future__ import annotations

import posixpath
from dataclasses import dataclass

RAW = "raw"
COMPACT = "compact"
STATE = "backfill-state"
REPORTS = "data-quality/validation-reports"
SUPERSEDED = "superseded"
SCHEMA_VERSION = "1"


@dataclass(frozen=True)
class Layout:
    root: str  # a folder or s3://bucket/prefix, without a trailing slash

    def relative(self, path: str) -> str:
        return path[len(self.root) + 1 :]

    @staticmethod
    def partition(season: str | None, month: int | None = None) -> str:
        """season=S[/month=M]; empty for lake-wide data (a player's bio, whatever season)."""
        if season is None:
            return ""
        return f"season={season}" if month is None else f"season={season}/month={month}"

    def _join(self, *parts: object) -> str:
        return "/".join([self.root, *(str(p) for p in parts if p != "")])

    def table_prefix(self, table: str, season: str) -> str:
        return self._join(table, self.partition(season))

    def table_file(self, table: str, season: str, month: int | None, key: str) -> str:
        return self._join(table, self.partition(season, month), f"{key}.parquet")

    def table_files(
        self, tables: tuple[str, ...], season: str | None, month: int | None, key: str
    ) -> tuple[tuple[str, str], ...]:
        """(table_file, table_prefix) of each table, for one item. The same names, made in
        one go: a season's 20,000 targets are looked up several times a run."""
        whole, part = self.partition(season), self.partition(season, month)
        return tuple(
            (
                f"{self.root}/{table}/{part}/{key}.parquet"
                if part
                else f"{self.root}/{table}/{key}.parquet",
                f"{self.root}/{table}/{whole}" if whole else f"{self.root}/{table}",
            )
            for table in tables
        )

    def compact_prefix(self, table: str) -> str:
        return self._join(COMPACT, table)

    def compact_file(self, table: str, season: str, month: int | None = None) -> str:
        """The table's file for a season, made from its per-game (or per-item) files: one
        per month for a table kept by month (<table>-<MM>.parquet, beside each other in the
        season's folder, so that a season is one partition), else one."""
        return self._join(COMPACT, table, self.partition(season), self.part_file(table, month))

    @staticmethod
    def part_file(table: str, month: int | None) -> str:
        """A table's file of one month (<table>-<MM>.parquet), or of all (<table>.parquet):
        the name of compacted files and of what validation keeps of the files it read."""
        return f"{table}.parquet" if month is None else f"{table}-{month:02d}.parquet"

    @staticmethod
    def is_part_file(table: str, name: str) -> bool:
        """Is name one of part_file's names for the table?"""
        month = name.removeprefix(f"{table}-").removesuffix(".parquet")
        return name == f"{table}.parquet" or (
            name.endswith(".parquet") and len(month) == 2 and month.isdigit()
        )

    @staticmethod
    def month_of(path: str) -> int | None:
        """The month of a file kept in a month=M folder (per-game files), else None."""
        folder = posixpath.basename(posixpath.dirname(path))
        return int(folder[len("month=") :]) if folder.startswith("month=") else None

    def raw_prefix(self, endpoint_key: str, season: str) -> str:
        return self._join(RAW, endpoint_key, self.partition(season))

    def raw_file(self, endpoint_key: str, season: str, month: int | None, key: str) -> str:
        return self._join(RAW, endpoint_key, self.partition(season, month), f"{key}.json.gz")

    def game_index(self, season: str) -> str:
        """The season's current game index (replaced by each refresh while in progress)."""
        return self._join("games", self.partition(season), "games.parquet")

    def game_index_snapshot(self, season: str, as_of: str) -> str:
        """The index as one discovery saw it: kept, one per run of a season in progress."""
        return self._join(STATE, "game-index", self.partition(season), f"{as_of}.parquet")

    def game_log_check(self, season: str) -> str:
        return self._join(STATE, "game-log-check", self.partition(season), "check.json")

    def superseded(self, path: str, run_id: str) -> str:
        """Where a replaced file is kept: superseded/<run id>/<its path in the lake>."""
        return self._join(SUPERSEDED, run_id, self.relative(path))

    def dead_letter_prefix(self, season: str) -> str:
        return self._join(STATE, "dead-letters", self.partition(season))

    def dead_letter(self, season: str | None, endpoint_key: str, key: str) -> str:
        return "/".join([self.dead_letter_prefix(season), endpoint_key, f"{key}.json"])

    def state_file(self, kind: str, season: str, name: str) -> str:
        return self._join(STATE, kind, self.partition(season), name)

    def run_summary(self, run_id: str) -> str:
        return f"{self.runs_prefix()}/{run_id}.json"

    def report_dir(self, season: str) -> str:
        return self._join(REPORTS, self.partition(season))

    def report(self, season: str, extension: str = "json", scope: str | None = None) -> str:
        """The season's latest validation report: report.json, or report.html beside it;
        with scope (a digest of what was judged), that scope's own report, which a report
        of another scope never replaces."""
        folder = self.report_dir(season) + (f"/scope={scope}" if scope else "")
        return f"{folder}/report.{extension}"

    def runs_prefix(self) -> str:
        return self._join(STATE, "runs")
