"""The archive of earlier articles: finds a document's copies among everything published before.

A document is fingerprinted as the set of its *shingles* (runs of
``SHINGLE_WORDS`` words inside one sentence, case and punctuation folded, so
that reordering sentences changes nothing), per prose block. The archive keeps,
per document id, those shingle hashes and where each paragraph was (line and
column), plus a MinHash (datasketch) of the document and of each paragraph cut
into LSH bands: a band is a run of ``r`` MinHash values, and two texts whose
Jaccard similarity is J share at least one of ``b`` bands with probability
``1 - (1 - J**r)**b``.

Comparing a document with the archive:

1. its bands are looked up: documents sharing bands are candidates, the
   ones sharing most first (at most ``MAX_CANDIDATES``);
2. each candidate is verified exactly, from its stored shingles: the share of
   this document's shingles found in it (containment, not Jaccard similarity,
   so that a copy with sentences cut is still a copy);
3. the best candidate at or above ``DOCUMENT_SHARE`` is the document copied;
   each paragraph whose shingles are at least ``PARAGRAPH_SHARE`` found in one
   paragraph of a candidate is a copied paragraph.

The thresholds are calibrated in ``benchmarks/archive.py`` (see docs/duplicates.md).
A document is never compared with its own id: re-adding replaces, so a later
revision of a submission never matches its earlier revision.

Two stores hold the archive: SQLite in a directory (default, embedded) and
Redis (shared by workers on many machines). This module reads no YAML and
speaks no HTTP: the rules file names the store, the CLI and the bot open it.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import sqlite3
import struct
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol
from urllib.parse import urlsplit

import numpy as np
import numpy.typing as npt

from qualitybot.contract import CheckUnavailable
from qualitybot.document import Document

if TYPE_CHECKING:
    from datasketch import MinHash

# Calibrated on spun copies of edited news (benchmarks/archive.py, docs/duplicates.md).
SHINGLE_WORDS = 2
NUM_PERM = 128
# (bands, rows): the document's MinHash finds spun copies (Jaccard ~0.3 and up);
# a paragraph's finds lightly edited copies of one paragraph (Jaccard ~0.6 and up).
DOCUMENT_BANDS = (64, 2)
PARAGRAPH_BANDS = (8, 4)
# Share of a later document's shingles found in one earlier document that makes it a copy.
DOCUMENT_SHARE = 0.42
# Share of a paragraph's shingles found in one earlier paragraph that makes it a copy.
PARAGRAPH_SHARE = 0.9
# Shorter paragraphs are not compared on their own (datelines, bylines, refrains).
MIN_PARAGRAPH_WORDS = 15
# A document with fewer shingles than this is too short to call a copy as a whole.
MIN_DOCUMENT_SHINGLES = 40
MAX_CANDIDATES = 50
FORMAT = 1

_WORD = re.compile(r"\w+")
Hashes = npt.NDArray[np.uint32]


class ArchiveError(CheckUnavailable):
    """The archive cannot be opened or used (a bad location, an unreachable Redis, another format).

    A configuration problem: the CLI reports it and exits 2."""


# --- fingerprints ---------------------------------------------------------------


@dataclass(frozen=True)
class Unit:
    """A prose block: where it is (1-based line/column range) and its shingle hashes, sorted."""

    line: int
    column: int
    end_line: int
    end_column: int
    words: int
    shingles: Hashes
    start: int = 0  # offsets into the document's text (not stored)
    end: int = 0

    @property
    def is_paragraph(self) -> bool:
        return self.words >= MIN_PARAGRAPH_WORDS


@dataclass(frozen=True)
class Fingerprint:
    units: tuple[Unit, ...]

    @property
    def shingles(self) -> Hashes:
        if not self.units:
            return np.zeros(0, dtype=np.uint32)
        return np.unique(np.concatenate([u.shingles for u in self.units]))

    @property
    def paragraphs(self) -> list[Unit]:
        return [u for u in self.units if u.is_paragraph]

    def bands(self) -> list[int]:
        """The LSH band keys of the document and of each paragraph."""
        keys = set(_band_keys(b"d", self.shingles, *DOCUMENT_BANDS))
        for unit in self.paragraphs:
            keys.update(_band_keys(b"p", unit.shingles, *PARAGRAPH_BANDS))
        return sorted(keys)


def _hash(shingle: str) -> int:
    return int.from_bytes(hashlib.blake2b(shingle.encode("utf-8"), digest_size=4).digest(), "little")


def shingles_of(words: Sequence[str]) -> set[int]:
    """Hashes of the runs of SHINGLE_WORDS words; a shorter sentence is one shingle."""
    if not words:
        return set()
    width = min(SHINGLE_WORDS, len(words))
    return {_hash(" ".join(words[i : i + width])) for i in range(len(words) - width + 1)}


def fingerprint(doc: Document) -> Fingerprint:
    """The shingles of each prose block (headings and table cells left out)."""
    by_block: dict[int, set[int]] = {}
    for sentence in doc.sentences:
        words = [w.casefold() for w in _WORD.findall(doc.prose_of(sentence))]
        by_block.setdefault(sentence.block, set()).update(shingles_of(words))
    units = []
    for i, block in enumerate(doc.blocks):
        if block.kind in ("heading", "table") or not by_block.get(i):
            continue
        line, column = doc.line_col(block.start)
        end_line, end_column = doc.line_col(block.end)
        count = len(_WORD.findall(doc.prose_of(block)))
        hashes = np.array(sorted(by_block[i]), dtype=np.uint32)
        units.append(Unit(line, column, end_line, end_column, count, hashes, block.start, block.end))
    return Fingerprint(tuple(units))


@cache
def _permutations() -> Any:
    from datasketch import MinHash

    return MinHash(num_perm=NUM_PERM).permutations


def minhash(shingles: Hashes) -> MinHash:
    """datasketch's MinHash of a set of 32-bit shingle hashes."""
    from datasketch import MinHash

    m = MinHash(num_perm=NUM_PERM, hashfunc=int, permutations=_permutations(), scheme="affine32")
    m.update_batch(shingles.tolist())
    return m


def _band_keys(kind: bytes, shingles: Hashes, bands: int, rows: int) -> list[int]:
    if not len(shingles):
        return []
    values = minhash(shingles).hashvalues
    keys = []
    for band in range(bands):
        run = values[band * rows : (band + 1) * rows].tobytes()
        digest = hashlib.blake2b(kind + bytes([band]) + run, digest_size=8).digest()
        keys.append(int.from_bytes(digest, "little", signed=True))
    return keys


# --- stored records ---------------------------------------------------------------


def encode(fp: Fingerprint) -> bytes:
    """A compact record: a JSON header (format, places, sizes), then the shingle hashes."""
    header = {
        "format": FORMAT,
        "shingle_words": SHINGLE_WORDS,
        "units": [[u.line, u.column, u.end_line, u.end_column, u.words, len(u.shingles)] for u in fp.units],
    }
    head = json.dumps(header, separators=(",", ":")).encode()
    body = b"".join(u.shingles.astype("<u4").tobytes() for u in fp.units)
    return struct.pack("<I", len(head)) + head + body


def decode(record: bytes) -> Fingerprint:
    (size,) = struct.unpack_from("<I", record)
    header = json.loads(record[4 : 4 + size])
    if header.get("format") != FORMAT or header.get("shingle_words") != SHINGLE_WORDS:
        raise ArchiveError("the archive was written by another version of qualitybot; rebuild it with `archive add`")
    units = []
    offset = 4 + size
    for line, column, end_line, end_column, words, count in header["units"]:
        hashes = np.frombuffer(record, dtype="<u4", count=count, offset=offset).astype(np.uint32)
        offset += 4 * count
        units.append(Unit(line, column, end_line, end_column, words, hashes))
    return Fingerprint(tuple(units))


def _bands_of_record(record: bytes) -> list[int]:
    return decode(record).bands()


# --- comparing ----------------------------------------------------------------


@dataclass(frozen=True)
class Place:
    """A paragraph of an earlier document: its id and 1-based line/column range."""

    doc_id: str
    line: int
    column: int
    end_line: int
    end_column: int


@dataclass(frozen=True)
class CopiedParagraph:
    start: int  # offsets into the later document's text
    end: int
    earlier: Place
    share: float  # of the paragraph's shingles found in the earlier paragraph


@dataclass(frozen=True)
class Comparison:
    """What a document copies: ``copy_of`` (most of it), and single paragraphs copied from others."""

    copy_of: str | None = None
    share: float = 0.0  # of the document's shingles found in ``copy_of``
    sources: tuple[Place, ...] = ()  # the paragraphs of ``copy_of`` that its paragraphs copy
    paragraphs: tuple[CopiedParagraph, ...] = ()  # copied from documents other than ``copy_of``
    first_start: int = 0  # the document's first prose block, where a finding on the whole sits
    first_end: int = 0


def _share(part: Hashes, whole: Hashes) -> float:
    if not len(part):
        return 0.0
    return len(np.intersect1d(part, whole, assume_unique=True)) / len(part)


def compare(fp: Fingerprint, own_id: str, candidates: dict[str, Fingerprint]) -> Comparison:
    """Verify candidates exactly: the document copied, and each paragraph's best copy."""
    candidates = {k: v for k, v in candidates.items() if k != own_id}
    mine = fp.shingles
    if not fp.units or not candidates:
        return Comparison()
    shares = {doc_id: _share(mine, other.shingles) for doc_id, other in candidates.items()}
    best = max(shares, key=lambda k: (shares[k], k))
    copy_of = best if shares[best] >= DOCUMENT_SHARE and len(mine) >= MIN_DOCUMENT_SHINGLES else None
    sources: list[Place] = []
    copied: list[CopiedParagraph] = []
    paragraphs = fp.paragraphs
    # A candidate holding a copy of one of these paragraphs shares at least that much of it
    # with the whole document: the others need no paragraph-by-paragraph comparison.
    least = min((len(u.shingles) for u in paragraphs), default=0) * min(DOCUMENT_SHARE, PARAGRAPH_SHARE)
    near = {k: v for k, v in candidates.items() if shares[k] * len(mine) >= least}
    for unit in paragraphs:
        found: tuple[float, str, Unit] | None = None
        for doc_id, other in sorted(near.items()):
            for earlier in other.units:
                share = _share(unit.shingles, earlier.shingles)
                if found is None or share > found[0]:
                    found = (share, doc_id, earlier)
        if found is None:
            continue
        share, doc_id, earlier = found
        place = Place(doc_id, earlier.line, earlier.column, earlier.end_line, earlier.end_column)
        if doc_id == copy_of and share >= DOCUMENT_SHARE:
            sources.append(place)
        elif doc_id != copy_of and share >= PARAGRAPH_SHARE:
            copied.append(CopiedParagraph(unit.start, unit.end, place, share))
    first = fp.units[0]
    share = shares[best] if copy_of else 0.0
    return Comparison(copy_of, share, tuple(sources), tuple(copied), first.start, first.end)


# --- stores ---------------------------------------------------------------


class Store(Protocol):
    location: str

    def put(self, doc_id: str, record: bytes, bands: list[int], old_bands: Callable[[bytes], list[int]]) -> bool:
        """Add or replace a document, atomically; whether it replaced an earlier version."""

    def lookup(self, bands: list[int], limit: int) -> list[str]:
        """Ids of documents sharing bands with these, most shared first."""

    def get(self, doc_ids: Iterable[str]) -> dict[str, bytes]: ...
    def stats(self) -> dict[str, Any]: ...
    def close(self) -> None: ...


class SqliteStore:
    """The archive in one SQLite file (``archive.sqlite3`` in the directory): WAL, many readers, one writer."""

    FILENAME = "archive.sqlite3"

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self.location = str(directory)
        try:
            directory.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise ArchiveError(f"archive {directory}: cannot create the directory: {exc.strerror or exc}") from None
        self.path = directory / self.FILENAME
        self._local = threading.local()
        self._pid = os.getpid()
        self._db()  # fail now on a bad location

    def _db(self) -> sqlite3.Connection:
        # One connection per thread and process: connections must not cross a fork.
        db: sqlite3.Connection | None = getattr(self._local, "db", None)
        if db is None or self._pid != os.getpid():
            self._pid = os.getpid()
            try:
                db = sqlite3.connect(self.path, timeout=60, isolation_level=None)
                db.execute("PRAGMA journal_mode=WAL")
                db.execute("PRAGMA synchronous=NORMAL")
                db.executescript(
                    "CREATE TABLE IF NOT EXISTS documents("
                    " id INTEGER PRIMARY KEY, name TEXT UNIQUE NOT NULL, record BLOB NOT NULL, added REAL NOT NULL);"
                    "CREATE TABLE IF NOT EXISTS bands("
                    " key INTEGER NOT NULL, doc INTEGER NOT NULL, PRIMARY KEY (key, doc)) WITHOUT ROWID;"
                )
            except sqlite3.Error as exc:
                raise ArchiveError(f"archive {self.path}: cannot open: {exc}") from None
            self._local.db = db
        return db

    def put(self, doc_id: str, record: bytes, bands: list[int], old_bands: Callable[[bytes], list[int]]) -> bool:
        db = self._db()
        db.execute("BEGIN IMMEDIATE")
        try:
            row = db.execute("SELECT id, record FROM documents WHERE name = ?", (doc_id,)).fetchone()
            if row:
                rowid = row[0]
                db.executemany("DELETE FROM bands WHERE key = ? AND doc = ?", [(k, rowid) for k in old_bands(row[1])])
                db.execute("UPDATE documents SET record = ?, added = ? WHERE id = ?", (record, time.time(), rowid))
            else:
                cursor = db.execute(
                    "INSERT INTO documents (name, record, added) VALUES (?, ?, ?)", (doc_id, record, time.time())
                )
                rowid = cursor.lastrowid
            db.executemany("INSERT OR IGNORE INTO bands (key, doc) VALUES (?, ?)", [(k, rowid) for k in bands])
            db.execute("COMMIT")
        except BaseException:
            db.execute("ROLLBACK")
            raise
        return row is not None

    def lookup(self, bands: list[int], limit: int) -> list[str]:
        if not bands:
            return []
        marks = ",".join("?" * len(bands))
        rows = self._db().execute(
            f"SELECT d.name FROM (SELECT doc, COUNT(*) AS n FROM bands WHERE key IN ({marks}) GROUP BY doc"
            " ORDER BY n DESC, doc LIMIT ?) AS c JOIN documents AS d ON d.id = c.doc ORDER BY c.n DESC, c.doc",
            (*bands, limit),
        ).fetchall()
        return [name for (name,) in rows]

    def get(self, doc_ids: Iterable[str]) -> dict[str, bytes]:
        ids = list(doc_ids)
        if not ids:
            return {}
        marks = ",".join("?" * len(ids))
        rows = self._db().execute(f"SELECT name, record FROM documents WHERE name IN ({marks})", ids).fetchall()
        return {name: bytes(record) for name, record in rows}

    def stats(self) -> dict[str, Any]:
        db = self._db()
        (documents,) = db.execute("SELECT COUNT(*) FROM documents").fetchone()
        (bands,) = db.execute("SELECT COUNT(*) FROM bands").fetchone()
        size = sum(p.stat().st_size for p in self.directory.glob(self.FILENAME + "*"))
        return {"store": "sqlite", "location": self.location, "documents": documents, "bands": bands, "bytes": size}

    def close(self) -> None:
        db = getattr(self._local, "db", None)
        if db is not None:
            db.close()
            self._local.db = None


class RedisStore:
    """The archive in Redis: a record per document, a set of document ids per band key.

    A replacement is one MULTI/EXEC transaction guarded by WATCH, so a revision
    never leaves its predecessor's bands behind, even with workers racing; a
    lookup is one pipelined round trip for the bands and one for the records.
    """

    def __init__(self, url: str, prefix: str = "qualitybot:archive:") -> None:
        try:
            import redis
        except ImportError:
            raise ArchiveError("a Redis archive needs the redis package: pip install 'qualitybot[service]'") from None

        parts = urlsplit(url)
        # Never echo the URL: it may hold a password.
        self.location = f"redis://{parts.hostname}:{parts.port or 6379}{parts.path}"
        self.prefix = prefix
        try:
            self.redis = redis.Redis.from_url(url, socket_connect_timeout=5, socket_timeout=30)
            self.redis.ping()
        except (redis.RedisError, ValueError) as exc:
            raise ArchiveError(f"archive: cannot reach Redis at {parts.hostname}:{parts.port or 6379}: {exc}") from None

    def _doc(self, doc_id: str) -> str:
        return f"{self.prefix}doc:{doc_id}"

    def _band(self, key: int) -> str:
        return f"{self.prefix}band:{key}"

    def put(self, doc_id: str, record: bytes, bands: list[int], old_bands: Callable[[bytes], list[int]]) -> bool:
        def replace(pipe: Any) -> bool:
            old = pipe.get(self._doc(doc_id))
            pipe.multi()
            if old is not None:
                for key in old_bands(old):
                    pipe.srem(self._band(key), doc_id)
            for key in bands:
                pipe.sadd(self._band(key), doc_id)
            pipe.set(self._doc(doc_id), record)
            pipe.sadd(f"{self.prefix}documents", doc_id)
            return old is not None

        client: Any = self.redis  # redis-py's stubs type the callable as returning None
        return bool(client.transaction(replace, self._doc(doc_id), value_from_callable=True))

    def lookup(self, bands: list[int], limit: int) -> list[str]:
        pipe = self.redis.pipeline(transaction=False)
        for key in bands:
            pipe.smembers(self._band(key))
        counts: Counter[str] = Counter()
        for members in pipe.execute():
            counts.update(m.decode() for m in members)
        return [doc for doc, _ in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))[:limit]]

    def get(self, doc_ids: Iterable[str]) -> dict[str, bytes]:
        ids = list(doc_ids)
        if not ids:
            return {}
        records: list[Any] = self.redis.mget([self._doc(d) for d in ids])
        return {d: bytes(r) for d, r in zip(ids, records, strict=True) if r is not None}

    def stats(self) -> dict[str, Any]:
        documents = self.redis.scard(f"{self.prefix}documents")
        memory = self.redis.info("memory").get("used_memory", 0)
        return {"store": "redis", "location": self.location, "documents": documents, "bytes": memory}

    def close(self) -> None:
        self.redis.close()


# --- the archive ---------------------------------------------------------------


def is_redis_url(location: str) -> bool:
    return location.startswith(("redis://", "rediss://", "unix://"))


class Archive:
    """Add documents under their id; compare a document with everything else."""

    def __init__(self, store: Store) -> None:
        self.store = store

    def add(self, doc_id: str, doc: Document) -> bool:
        """Add a document, or replace the one of the same id (then True)."""
        fp = fingerprint(doc)
        return self.store.put(doc_id, encode(fp), fp.bands(), _bands_of_record)

    def compare(self, doc: Document, own_id: str) -> Comparison:
        fp = fingerprint(doc)
        if not fp.units:
            return Comparison()
        ids = [d for d in self.store.lookup(fp.bands(), MAX_CANDIDATES + 1) if d != own_id][:MAX_CANDIDATES]
        candidates = {doc_id: decode(record) for doc_id, record in self.store.get(ids).items()}
        return compare(fp, own_id, candidates)

    def warm_up(self) -> None:
        """Load datasketch (about a second: it imports scipy) before the first document needs it."""
        _permutations()

    def stats(self) -> dict[str, Any]:
        return {
            **self.store.stats(),
            "shingle_words": SHINGLE_WORDS,
            "num_perm": NUM_PERM,
            "document_bands": DOCUMENT_BANDS,
            "paragraph_bands": PARAGRAPH_BANDS,
        }

    def close(self) -> None:
        self.store.close()


_open: dict[tuple[int, str], Archive] = {}
_open_lock = threading.Lock()


def open_archive(location: str) -> Archive:
    """The archive at a directory (SQLite) or a Redis URL; one handle per process and location."""
    key = (os.getpid(), location)
    with _open_lock:
        if key not in _open:
            store: Store = RedisStore(location) if is_redis_url(location) else SqliteStore(Path(location))
            _open[key] = Archive(store)
        return _open[key]


def archive_id(doc: Document) -> str:
    """A document's id in the archive: front matter ``submission_id``, else its path."""
    if doc.archive_id:
        return doc.archive_id
    value = doc.metadata.get("submission_id")
    if isinstance(value, str | int) and not isinstance(value, bool) and str(value).strip():
        return str(value).strip()
    return os.path.normpath(doc.path).replace(os.sep, "/")
