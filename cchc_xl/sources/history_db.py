"""The history store: one SQLite file (standard library ``sqlite3``) that keeps every consolidated period.

Per commune (``ma_xa``, else the normalised name in its district), form and period (kỳ, năm) it keeps each
submitted version: the file's sha256, the run that stored it, every indicator's value, the standing total
and field points with their basis, the ranks and the rating. Re-storing the same file is idempotent (the
version stays, only its run-dependent ranks are refreshed); a different file for the same commune and
period becomes a new version and the previous one stays queryable (``current = 0``).

The file is recognised by ``PRAGMA application_id`` (``APP_ID``) and a ``meta`` table; the schema version
is ``PRAGMA user_version`` with forward migrations in ``MIGRATIONS``. A file that is not SQLite, is
damaged, belongs to another application or to a newer cchc-xl is unusable input (exit 2), and it is never
written to. Writes use WAL mode and one transaction per run.
"""

from __future__ import annotations

import datetime as dt
import re
import sqlite3
import unicodedata
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from cchc_xl.errors import UnusableInput
from cchc_xl.messages import say

APP_ID = 0x43434843  # "CCHC"
APP_NAME = "cchc-xl-history"
SQLITE_MAGIC = b"SQLite format 3\x00"
BUSY_TIMEOUT_S = 5.0

_SCHEMA_1 = """
CREATE TABLE meta(key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE runs(
    id INTEGER PRIMARY KEY, at TEXT NOT NULL, command TEXT NOT NULL, source TEXT, form TEXT, ky TEXT,
    nam INTEGER, units INTEGER NOT NULL DEFAULT 0, new_versions INTEGER NOT NULL DEFAULT 0,
    unchanged INTEGER NOT NULL DEFAULT 0, tool_version TEXT);
CREATE TABLE units(key TEXT PRIMARY KEY, ma_xa TEXT, xa TEXT, huyen TEXT, tinh TEXT, name_norm TEXT);
CREATE INDEX units_name ON units(name_norm);
CREATE TABLE submissions(
    id INTEGER PRIMARY KEY, unit TEXT NOT NULL REFERENCES units(key), form TEXT NOT NULL, ky TEXT NOT NULL,
    nam INTEGER NOT NULL, version INTEGER NOT NULL, current INTEGER NOT NULL, sha256 TEXT NOT NULL,
    file TEXT, run_id INTEGER NOT NULL REFERENCES runs(id), stored_at TEXT NOT NULL, basis TEXT, total,
    rank_total INTEGER, ranked INTEGER, rating TEXT, status TEXT,
    UNIQUE(unit, form, ky, nam, version));
CREATE INDEX submissions_unit ON submissions(unit, current);
CREATE INDEX submissions_period ON submissions(form, ky, nam, current);
CREATE TABLE vals(sub INTEGER NOT NULL REFERENCES submissions(id), code TEXT NOT NULL, value,
    PRIMARY KEY(sub, code)) WITHOUT ROWID;
CREATE TABLE field_scores(sub INTEGER NOT NULL REFERENCES submissions(id), field TEXT NOT NULL, points,
    rank INTEGER, levels INTEGER, PRIMARY KEY(sub, field)) WITHOUT ROWID;
CREATE TABLE marks(
    unit TEXT NOT NULL, form TEXT NOT NULL, ky TEXT NOT NULL, nam INTEGER NOT NULL, code TEXT NOT NULL,
    value TEXT NOT NULL, status TEXT NOT NULL CHECK(status IN ('confirmed', 'false-alarm')), note TEXT,
    rule TEXT, marked_at TEXT NOT NULL, source TEXT,
    PRIMARY KEY(unit, form, ky, nam, code, value));
"""

# user_version N → the SQL that brings a version N−1 database to N (applied in order, in one transaction).
MIGRATIONS: dict[int, str] = {1: _SCHEMA_1}
SCHEMA_VERSION = max(MIGRATIONS)

_SPACE = re.compile(r"\s+")
_PREFIX = re.compile(r"^(ubnd\s+)?(xã|phường|thị trấn|huyện|thị xã|thành phố|quận)\s+", re.IGNORECASE)


def _norm(text: object) -> str:
    s = _SPACE.sub(" ", unicodedata.normalize("NFC", "" if text is None else str(text))).strip().casefold()
    return _PREFIX.sub("", s)


def unit_key(ma_xa: object, xa: object, huyen: object = "") -> str:
    """A commune's identity across periods: its code ("ma:1234", leading zeros dropped), else its
    normalised name within its district ("ten:tứ kỳ/quang khải")."""
    code = _SPACE.sub("", unicodedata.normalize("NFC", "" if ma_xa is None else str(ma_xa)))
    if code:
        return "ma:" + (code.lstrip("0") or code if code.isdigit() else code.casefold())
    return f"ten:{_norm(huyen)}/{_norm(xa)}"


def value_key(value: object) -> str:
    """The canonical text of a stored value, so a mark matches exactly the value it was made on."""
    if isinstance(value, bool) or value is None:
        return "" if value is None else str(value)
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, int | float):
        return repr(value)
    return unicodedata.normalize("NFC", str(value))


def _now() -> str:
    return dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat()


# ------------------------------------------------------------------------------------------- records


@dataclass
class UnitSnapshot:
    """What a run stores for one commune."""

    ma_xa: str
    xa: str
    huyen: str
    tinh: str
    file: str
    sha256: str
    values: dict[str, object]
    status: str = ""
    basis: str | None = None
    total: object = None
    rank_total: int | None = None
    ranked: int | None = None
    rating: str = ""
    fields: dict[str, object] = field(default_factory=dict)
    field_ranks: dict[str, tuple[int, int]] = field(default_factory=dict)

    @property
    def key(self) -> str:
        return unit_key(self.ma_xa, self.xa, self.huyen)


@dataclass
class RunSnapshot:
    command: str  # "consolidate" or "validate"
    source: str
    form: str
    ky: str
    nam: int
    units: list[UnitSnapshot]
    tool_version: str = ""
    ranks: bool = True  # the run ranks its communes (consolidate); False for one commune (validate)


@dataclass(frozen=True)
class RunSummary:
    run_id: int
    new: int  # communes stored for the first time for this period
    replaced: int  # resubmissions: a new version, the previous kept
    unchanged: int  # same file as the stored version


@dataclass(frozen=True)
class Mark:
    unit: str
    form: str
    ky: str
    nam: int
    code: str
    value: str
    status: str  # "confirmed" | "false-alarm"
    note: str = ""
    rule: str = ""
    source: str = ""


@dataclass(frozen=True)
class PeriodPoint:
    """One stored version of a commune's report (``history show``)."""

    form: str
    ky: str
    nam: int
    version: int
    current: bool
    sha256: str
    file: str
    stored_at: str
    basis: str | None
    total: object
    rank_total: int | None
    ranked: int | None
    rating: str
    values: dict[str, object]
    fields: dict[str, tuple[object, int | None, int | None]]  # field → (points, rank, levels)


# --------------------------------------------------------------------------------------------- store


class HistoryStore:
    """An open history file. Use :func:`open_store` (a context manager) to get one."""

    def __init__(self, conn: sqlite3.Connection, path: Path):
        self.conn = conn
        self.path = path

    # ---- writing

    def record(self, run: RunSnapshot, marks: Iterable[Mark] = ()) -> RunSummary:
        """Store one run (and marks read from a workbook) in one transaction."""
        c = self.conn
        with self._write():
            cur = c.execute("INSERT INTO runs(at, command, source, form, ky, nam, units, tool_version) "
                            "VALUES (?, ?, ?, ?, ?, ?, ?, ?)", (_now(), run.command, run.source, run.form,
                                                                run.ky, run.nam, len(run.units), run.tool_version))
            run_id = int(cur.lastrowid or 0)
            for m in marks:
                self._put_mark(m)
            stored = {row[0]: (row[1], row[2], row[3]) for row in c.execute(
                "SELECT unit, id, sha256, version FROM submissions WHERE form = ? AND ky = ? AND nam = ? "
                "AND current = 1", (run.form, run.ky, run.nam))}
            new = replaced = unchanged = 0
            vals: list[tuple] = []
            fields: list[tuple] = []
            c.executemany("INSERT INTO units(key, ma_xa, xa, huyen, tinh, name_norm) VALUES (?, ?, ?, ?, ?, ?) "
                          "ON CONFLICT(key) DO UPDATE SET ma_xa = coalesce(excluded.ma_xa, ma_xa), xa = excluded.xa, "
                          "huyen = coalesce(excluded.huyen, huyen), tinh = coalesce(excluded.tinh, tinh), "
                          "name_norm = excluded.name_norm",
                          [(u.key, u.ma_xa or None, u.xa, u.huyen or None, u.tinh or None, _norm(u.xa))
                           for u in run.units])
            seen: set[str] = set()
            for u in run.units:
                key = u.key
                if key in seen:  # one version per commune and run (the caller resolved duplicates)
                    continue
                seen.add(key)
                prior = stored.get(key)
                if prior is not None and prior[1] == u.sha256:
                    unchanged += 1
                    sub = prior[0]
                    if not run.ranks:
                        continue  # validate of a file a consolidation already ranked: keep its ranks
                    c.execute("UPDATE submissions SET basis = ?, total = ?, rank_total = ?, ranked = ?, rating = ?, "
                              "status = ? WHERE id = ?", (u.basis, _num(u.total), u.rank_total,
                                                          u.ranked if u.rank_total else None, u.rating or None,
                                                          u.status or None, sub))
                    c.execute("DELETE FROM field_scores WHERE sub = ?", (sub,))
                else:
                    version = 1
                    if prior is not None:
                        replaced += 1
                        version = prior[2] + 1
                        c.execute("UPDATE submissions SET current = 0 WHERE id = ?", (prior[0],))
                    else:
                        new += 1
                    cur = c.execute(
                        "INSERT INTO submissions(unit, form, ky, nam, version, current, sha256, file, run_id, "
                        "stored_at, basis, total, rank_total, ranked, rating, status) "
                        "VALUES (?, ?, ?, ?, ?, 1, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                        (key, run.form, run.ky, run.nam, version, u.sha256, u.file, run_id, _now(), u.basis,
                         _num(u.total), u.rank_total, u.ranked if u.rank_total else None, u.rating or None,
                         u.status or None))
                    sub = int(cur.lastrowid or 0)
                    vals.extend((sub, code, _num(v)) for code, v in u.values.items() if v is not None and v != "")
                for code in set(u.fields) | set(u.field_ranks):
                    pos, levels = u.field_ranks.get(code, (None, None))
                    fields.append((sub, code, _num(u.fields.get(code)), pos, levels))
            c.executemany("INSERT INTO vals(sub, code, value) VALUES (?, ?, ?)", vals)
            c.executemany("INSERT INTO field_scores(sub, field, points, rank, levels) VALUES (?, ?, ?, ?, ?)", fields)
            c.execute("UPDATE runs SET new_versions = ?, unchanged = ? WHERE id = ?", (new + replaced, unchanged,
                                                                                         run_id))
        return RunSummary(run_id, new, replaced, unchanged)

    def add_marks(self, marks: Iterable[Mark]) -> int:
        n = 0
        with self._write():
            for m in marks:
                self._put_mark(m)
                n += 1
        return n

    def _put_mark(self, m: Mark) -> None:
        self.conn.execute(
            "INSERT INTO marks(unit, form, ky, nam, code, value, status, note, rule, marked_at, source) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT(unit, form, ky, nam, code, value) DO UPDATE SET "
            "status = excluded.status, note = excluded.note, rule = coalesce(excluded.rule, rule), "
            "marked_at = excluded.marked_at, source = excluded.source",
            (m.unit, m.form, m.ky, m.nam, m.code, m.value, m.status, m.note or None, m.rule or None, _now(),
             m.source or None))

    @contextmanager
    def _write(self) -> Iterator[None]:
        try:
            self.conn.execute("BEGIN IMMEDIATE")
            try:
                yield
            except BaseException:
                self.conn.rollback()
                raise
            self.conn.commit()
        except sqlite3.OperationalError as exc:
            raise _unusable(self.path, exc) from None

    # ---- reading

    def periods(self) -> list[dict]:
        """Every stored period: form, kỳ, năm, communes (current versions), versions in all."""
        rows = self.conn.execute(
            "SELECT form, ky, nam, sum(current), count(*), max(stored_at) FROM submissions "
            "GROUP BY form, ky, nam").fetchall()
        from cchc_xl.engine.change import period_key

        out = [{"form": f, "ky": k, "nam": n, "units": u, "versions": v, "last_stored": s}
               for f, k, n, u, v, s in rows]
        return sorted(out, key=lambda p: (p["form"], period_key(p["ky"], p["nam"])))

    def runs(self) -> list[dict]:
        cols = ("id", "at", "command", "source", "form", "ky", "nam", "units", "new_versions", "unchanged")
        return [dict(zip(cols, r, strict=True)) for r in self.conn.execute(
            f"SELECT {', '.join(cols)} FROM runs ORDER BY id")]

    def stored_periods(self, form: str) -> list[tuple[str, int]]:
        return [(k, n) for k, n in self.conn.execute(
            "SELECT DISTINCT ky, nam FROM submissions WHERE form = ?", (form,))]

    def find_units(self, query: str) -> list[dict]:
        """Communes matching a code or a name (exact after normalisation, else a substring)."""
        cols = ("key", "ma_xa", "xa", "huyen", "tinh")
        code_key = unit_key(query, "")
        by_key = self.conn.execute("SELECT key, ma_xa, xa, huyen, tinh FROM units WHERE key IN (?, ?)",
                                   (code_key, query)).fetchall()
        if by_key:  # a code (or a stored key): one indexed lookup, no scan
            return [dict(zip(cols, r, strict=True)) for r in by_key]
        q = _norm(query)
        if not q:
            return []
        exact = self.conn.execute("SELECT key, ma_xa, xa, huyen, tinh FROM units WHERE name_norm = ?", (q,)).fetchall()
        rows = exact or self.conn.execute("SELECT key, ma_xa, xa, huyen, tinh FROM units WHERE instr(name_norm, ?) > 0",
                                          (q,)).fetchall()
        return [dict(zip(cols, r, strict=True)) for r in rows]

    def series(self, unit: str, form: str | None = None, all_versions: bool = False) -> list[PeriodPoint]:
        """A commune's stored periods in time order (current versions, or every version)."""
        sql = ("SELECT id, form, ky, nam, version, current, sha256, file, stored_at, basis, total, rank_total, "
               "ranked, rating FROM submissions WHERE unit = ?")
        args: list[object] = [unit]
        if form:
            sql += " AND form = ?"
            args.append(form)
        if not all_versions:
            sql += " AND current = 1"
        subs = self.conn.execute(sql, args).fetchall()
        ids = [s[0] for s in subs]
        vals: dict[int, dict[str, object]] = {i: {} for i in ids}
        fields: dict[int, dict] = {i: {} for i in ids}
        if ids:
            marks = ",".join("?" * len(ids))
            for sub, code, value in self.conn.execute(
                    f"SELECT sub, code, value FROM vals WHERE sub IN ({marks})", ids):
                vals[sub][code] = value
            for sub, f, pts, rank, levels in self.conn.execute(
                    f"SELECT sub, field, points, rank, levels FROM field_scores WHERE sub IN ({marks})", ids):
                fields[sub][f] = (pts, rank, levels)
        from cchc_xl.engine.change import period_key

        out = [PeriodPoint(form=s[1], ky=s[2], nam=s[3], version=s[4], current=bool(s[5]), sha256=s[6],
                           file=s[7] or "", stored_at=s[8], basis=s[9], total=s[10], rank_total=s[11],
                           ranked=s[12], rating=s[13] or "", values=vals[s[0]], fields=fields[s[0]]) for s in subs]
        return sorted(out, key=lambda p: (p.form, period_key(p.ky, p.nam), p.version))

    def period_values(self, form: str, ky: str, nam: int) -> dict[str, dict[str, object]]:
        """unit → code → value of the current versions of one period."""
        out: dict[str, dict[str, object]] = {}
        for unit, code, value in self.conn.execute(
                "SELECT s.unit, v.code, v.value FROM submissions s JOIN vals v ON v.sub = s.id "
                "WHERE s.form = ? AND s.ky = ? AND s.nam = ? AND s.current = 1", (form, ky, nam)):
            out.setdefault(unit, {})[code] = value
        return out

    def period_ranks(self, form: str, ky: str, nam: int) -> dict[str, tuple[int | None, dict[str, int]]]:
        """unit → (overall position, field → dense rank) of the current versions of one period."""
        out: dict[str, tuple[int | None, dict[str, int]]] = {}
        by_sub: dict[int, str] = {}
        for unit, sub, pos in self.conn.execute(
                "SELECT unit, id, rank_total FROM submissions WHERE form = ? AND ky = ? AND nam = ? AND current = 1",
                (form, ky, nam)):
            out[unit] = (pos, {})
            by_sub[sub] = unit
        for sub, f, rank in self.conn.execute(
                "SELECT f.sub, f.field, f.rank FROM field_scores f JOIN submissions s ON s.id = f.sub "
                "WHERE s.form = ? AND s.ky = ? AND s.nam = ? AND s.current = 1 AND f.rank IS NOT NULL",
                (form, ky, nam)):
            out[by_sub[sub]][1][f] = rank
        return out

    def ranked_periods(self, form: str) -> list[tuple[str, int]]:
        return [(k, n) for k, n in self.conn.execute(
            "SELECT DISTINCT ky, nam FROM submissions WHERE form = ? AND rank_total IS NOT NULL", (form,))]

    def index_history(self, form: str) -> dict[tuple[str, int], dict[str, object]]:
        """(kỳ, năm) → unit → total of the current versions (for the trend sheet)."""
        out: dict[tuple[str, int], dict[str, object]] = {}
        for ky, nam, unit, total in self.conn.execute(
                "SELECT ky, nam, unit, total FROM submissions WHERE form = ? AND current = 1 AND total IS NOT NULL",
                (form,)):
            out.setdefault((ky, nam), {})[unit] = total
        return out

    def marks(self, form: str, ky: str, nam: int) -> dict[tuple[str, str, str], Mark]:
        """(unit, code, value) → mark for one period."""
        out = {}
        for unit, code, value, status, note, rule, source in self.conn.execute(
                "SELECT unit, code, value, status, note, rule, source FROM marks WHERE form = ? AND ky = ? AND nam = ?",
                (form, ky, nam)):
            out[(unit, code, value)] = Mark(unit, form, ky, nam, code, value, status, note or "", rule or "",
                                            source or "")
        return out

    def all_marks(self, unit: str | None = None) -> list[dict]:
        cols = ("unit", "form", "ky", "nam", "code", "value", "status", "note", "rule", "marked_at", "source")
        sql = f"SELECT {', '.join(cols)} FROM marks" + (" WHERE unit = ?" if unit else "") + " ORDER BY marked_at"
        return [dict(zip(cols, r, strict=True)) for r in self.conn.execute(sql, (unit,) if unit else ())]

    def export_rows(self, all_versions: bool = False) -> Iterator[tuple]:
        """Long format, one row per value: the columns of ``EXPORT_COLUMNS``."""
        sql = ("SELECT s.form, s.ky, s.nam, s.unit, u.ma_xa, u.xa, u.huyen, u.tinh, s.version, s.current, "
               "s.sha256, s.file, s.stored_at, s.basis, s.total, s.rank_total, s.ranked, v.code, v.value "
               "FROM submissions s JOIN units u ON u.key = s.unit JOIN vals v ON v.sub = s.id"
               + ("" if all_versions else " WHERE s.current = 1") + " ORDER BY s.form, s.nam, s.ky, s.unit, "
               "s.version, v.code")
        yield from self.conn.execute(sql)


EXPORT_COLUMNS = ("form", "ky", "nam", "unit", "ma_xa", "xa", "huyen", "tinh", "version", "current", "sha256",
                  "file", "stored_at", "basis", "total", "rank_total", "ranked", "code", "value")


def _num(v: object) -> object:
    if v is None or v == "":
        return None
    if isinstance(v, bool):
        return int(v)
    if isinstance(v, int | float | str):
        return v
    return str(v)


# ---------------------------------------------------------------------------------------------- open


def _unusable(path: Path, exc: BaseException | None = None, key: str = "history-damaged") -> UnusableInput:
    detail = ""
    if isinstance(exc, sqlite3.OperationalError) and "locked" in str(exc).lower():
        key = "history-busy"
    return UnusableInput(key.removeprefix("history-"), say(key, path=str(path), detail=detail), str(path))


def _check_identity(conn: sqlite3.Connection, path: Path) -> int:
    """The schema version of an existing file; raises for a foreign or newer file. 0 = empty SQLite file."""
    app = conn.execute("PRAGMA application_id").fetchone()[0]
    version = conn.execute("PRAGMA user_version").fetchone()[0]
    tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    if app == 0 and not tables and version == 0:
        return 0  # an empty database: nothing to lose, becomes ours
    if app != APP_ID:
        raise UnusableInput("foreign", say("history-foreign", path=str(path)), str(path))
    if "meta" not in tables or conn.execute("SELECT value FROM meta WHERE key = 'app'").fetchone() != (APP_NAME,):
        raise UnusableInput("foreign", say("history-foreign", path=str(path)), str(path))
    if version > SCHEMA_VERSION:
        raise UnusableInput("newer", say("history-newer", path=str(path), version=version,
                                         supported=SCHEMA_VERSION), str(path))
    return version


def _migrate(conn: sqlite3.Connection, version: int) -> None:
    conn.execute("BEGIN IMMEDIATE")
    try:
        for v in range(version + 1, SCHEMA_VERSION + 1):
            for stmt in MIGRATIONS[v].split(";"):
                if stmt.strip():
                    conn.execute(stmt)
            conn.execute(f"PRAGMA user_version = {v}")
        if version == 0:
            conn.execute(f"PRAGMA application_id = {APP_ID}")
            conn.execute("INSERT INTO meta(key, value) VALUES ('app', ?), ('created', ?)", (APP_NAME, _now()))
        conn.commit()
    except BaseException:
        conn.rollback()
        raise


@contextmanager
def open_store(path: str | Path, create: bool = False) -> Iterator[HistoryStore]:
    """Open (``create``: or create) a history file; every problem is an :class:`UnusableInput`."""
    path = Path(path)
    if not path.exists():
        if not create:
            raise UnusableInput("missing", say("history-missing", path=str(path)), str(path))
        if not path.parent.exists():
            raise UnusableInput("missing", say("history-no-dir", path=str(path)), str(path))
    elif path.is_dir():
        raise UnusableInput("not-file", say("history-not-sqlite", path=str(path)), str(path))
    else:
        try:
            with path.open("rb") as fh:
                head = fh.read(len(SQLITE_MAGIC))
        except OSError:
            raise UnusableInput("unreadable", say("history-unreadable", path=str(path)), str(path)) from None
        if head != SQLITE_MAGIC:
            raise UnusableInput("not-sqlite", say("history-not-sqlite", path=str(path)), str(path))
    conn = None
    try:
        conn = sqlite3.connect(str(path), timeout=BUSY_TIMEOUT_S, isolation_level=None)
        version = _check_identity(conn, path)
        if create or version:
            if version < SCHEMA_VERSION:
                if not create and version == 0:
                    raise UnusableInput("foreign", say("history-foreign", path=str(path)), str(path))
                conn.execute("PRAGMA journal_mode = WAL")
                _migrate(conn, version)
            elif create:
                conn.execute("PRAGMA journal_mode = WAL")
        conn.execute("PRAGMA foreign_keys = ON")
        yield HistoryStore(conn, path)
    except (sqlite3.IntegrityError, sqlite3.ProgrammingError, sqlite3.InterfaceError):
        raise  # our own mistake, not the file's: the CLI reports it as an internal error
    except sqlite3.DatabaseError as exc:  # includes "file is not a database", "malformed", "locked"
        raise _unusable(path, exc) from None
    finally:
        if conn is not None:
            conn.close()
