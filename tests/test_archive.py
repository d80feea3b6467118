"""The archive of earlier articles: copies found across documents, on SQLite and a real redis-server."""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Iterator
from pathlib import Path

import jsonschema
import numpy as np
import pytest

from qualitybot.archive import Archive, RedisStore, SqliteStore, archive_id, decode, encode, fingerprint, open_archive
from qualitybot.config import ArchiveConfig, load_rules
from qualitybot.engine import Engine
from qualitybot.report import Place
from tests.archive_samples import ORIGINAL, RELATED_TOPIC, UNRELATED, spun
from tests.conftest import ROOT, make_doc, run_cli

PARAGRAPHS = ORIGINAL.split("\n\n")  # [heading, p1 (line 3), p2 (line 5), p3 (line 7), p4 (line 9)]
# A new story with one paragraph of the original pasted in as its second paragraph (line 5).
ONE_PARAGRAPH = "\n\n".join([*RELATED_TOPIC.split("\n\n")[:2], PARAGRAPHS[3], *RELATED_TOPIC.split("\n\n")[2:]])


@pytest.fixture(params=["sqlite", "redis"])
def archive(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Archive]:
    if request.param == "sqlite":
        store = Archive(SqliteStore(tmp_path / "archive"))
    else:
        url = request.getfixturevalue("redis_url")
        store = Archive(RedisStore(url, prefix=f"test:{tmp_path.name}:"))
    store.add("bridge", make_doc(ORIGINAL, "bridge.md"))
    store.add("choir", make_doc(UNRELATED, "choir.md"))
    yield store
    store.close()


@pytest.fixture(scope="module")
def engine(tmp_path_factory: pytest.TempPathFactory) -> Engine:
    rules = tmp_path_factory.mktemp("rules") / "rules.yml"
    rules.write_text("rules:\n  duplicates: {}\n", encoding="utf-8")
    return Engine(load_rules(rules))


def archive_findings(engine: Engine, archive: Archive, text: str, own_id: str) -> list[tuple[str, str]]:
    doc = dataclasses.replace(make_doc(text, "later.md"), archive=archive, archive_id=own_id)
    return [(f.rule, f.message) for f in engine.check(doc).findings]


COPIES = [
    # (what, later text, own id, expected (rule, words in the message))
    ("verbatim copy", ORIGINAL, "later", [("duplicates.archive", "'bridge'")]),
    ("reordered, a fifth dropped", spun(ORIGINAL, 0.0), "later", [("duplicates.archive", "'bridge'")]),
    ("spun, 10% of words replaced", spun(ORIGINAL, 0.1), "later", [("duplicates.archive", "'bridge'")]),
    ("spun, 20% of words replaced", spun(ORIGINAL, 0.2), "later", [("duplicates.archive", "'bridge'")]),
    ("one paragraph pasted into a new story", ONE_PARAGRAPH, "later",
     [("duplicates.archive-paragraph", "'bridge' at line 7")]),
    ("same beat, other words", RELATED_TOPIC, "later", []),
    ("a document is never a copy of itself", ORIGINAL, "bridge", []),
    ("nor of its earlier revision", spun(ORIGINAL, 0.1), "bridge", []),
]


@pytest.mark.parametrize(("what", "text", "own_id", "expected"), COPIES, ids=[c[0] for c in COPIES])
def test_copies_of_archived_articles(
    engine: Engine, archive: Archive, what: str, text: str, own_id: str, expected: list[tuple[str, str]]
) -> None:
    found = [f for f in archive_findings(engine, archive, text, own_id) if "archive" in f[0]]
    assert [rule for rule, _ in found] == [rule for rule, _ in expected], found
    for (_, message), (_, words) in zip(found, expected, strict=True):
        assert words in message


def test_readding_replaces_the_earlier_version(archive: Archive) -> None:
    before = archive.stats()["documents"]
    assert archive.add("bridge", make_doc(RELATED_TOPIC, "bridge.md")) is True  # a revision under the same id
    assert archive.stats()["documents"] == before
    # The old text is gone (its bands too): a copy of it is no longer found...
    assert archive.compare(make_doc(spun(ORIGINAL, 0.1)), "later").copy_of is None
    # ...and the new one is.
    assert archive.compare(make_doc(RELATED_TOPIC), "later").copy_of == "bridge"


def test_related_places_point_into_the_earlier_document(archive: Archive) -> None:
    found = archive.compare(make_doc(ONE_PARAGRAPH), "later")
    assert found.copy_of is None
    [copied] = found.paragraphs
    assert (copied.earlier.doc_id, copied.earlier.line, copied.earlier.column) == ("bridge", 7, 1)
    assert copied.earlier.end_column == len(PARAGRAPHS[3]) + 1
    whole = archive.compare(make_doc(ORIGINAL), "later")
    assert [p.line for p in whole.sources] == [3, 5, 7, 9]


def test_related_place_in_json_names_its_document_only_when_elsewhere() -> None:
    assert Place(4, 1, 4, 41).to_json() == {"line": 4, "column": 1, "end_line": 4, "end_column": 41}
    assert Place(4, 1, 4, 41, "sub-1").to_json()["path"] == "sub-1"


def test_record_round_trip() -> None:
    fp = fingerprint(make_doc(ORIGINAL))
    back = decode(encode(fp))
    assert [(u.line, u.column, u.end_line, u.end_column, u.words) for u in back.units] == [
        (u.line, u.column, u.end_line, u.end_column, u.words) for u in fp.units
    ]
    assert all(np.array_equal(a.shingles, b.shingles) for a, b in zip(back.units, fp.units, strict=True))
    assert back.bands() == fp.bands()


@pytest.mark.parametrize(
    ("text", "path", "expected"),
    [
        ("---\nsubmission_id: sub-7\n---\nText.\n", "a/b.md", "sub-7"),
        ("---\nsubmission_id: 42\n---\nText.\n", "a/b.md", "42"),
        ("---\nsubmission_id: ''\n---\nText.\n", "a/./b.md", "a/b.md"),
        ("Text.\n", "./news/b.md", "news/b.md"),
    ],
)
def test_document_ids(text: str, path: str, expected: str) -> None:
    assert archive_id(make_doc(text, path)) == expected


def test_sqlite_archive_is_shared_by_handles(tmp_path: Path) -> None:
    first = open_archive(str(tmp_path / "a"))
    first.add("bridge", make_doc(ORIGINAL))
    other = Archive(SqliteStore(tmp_path / "a"))  # another process would open it the same way
    assert other.compare(make_doc(spun(ORIGINAL, 0.2)), "later").copy_of == "bridge"


def test_rules_file_archive_key(tmp_path: Path) -> None:
    rules = tmp_path / "conf" / "qualitybot.yml"
    rules.parent.mkdir()
    rules.write_text("archive:\n  path: earlier\nrules:\n  duplicates: {}\n", encoding="utf-8")
    assert load_rules(rules).archive == ArchiveConfig(path=str(tmp_path / "conf" / "earlier"))
    rules.write_text("archive: {redis: 'redis://127.0.0.1:1/0'}\n", encoding="utf-8")
    assert load_rules(rules).archive == ArchiveConfig(redis="redis://127.0.0.1:1/0")


def _cli_files(tmp_path: Path) -> Path:
    (tmp_path / "earlier").mkdir()
    (tmp_path / "earlier" / "bridge.md").write_text("---\nsubmission_id: sub-1\n---\n" + ORIGINAL, encoding="utf-8")
    (tmp_path / "earlier" / "choir.md").write_text(UNRELATED, encoding="utf-8")
    (tmp_path / "copy.md").write_text(spun(ORIGINAL, 0.2), encoding="utf-8")
    (tmp_path / "one.md").write_text(ONE_PARAGRAPH, encoding="utf-8")
    rules = tmp_path / "rules.yml"
    rules.write_text("rules:\n  duplicates: {}\n", encoding="utf-8")
    return rules


def test_cli_add_stats_check(tmp_path: Path) -> None:
    rules = _cli_files(tmp_path)
    added = run_cli("archive", "add", "--archive", str(tmp_path / "arch"), str(tmp_path / "earlier"))
    assert added.returncode == 0, added.stderr
    assert "added 2 documents" in added.stdout
    again = run_cli("archive", "add", "--archive", str(tmp_path / "arch"), str(tmp_path / "earlier" / "bridge.md"))
    assert "1 replaced an earlier version); 2 in the archive" in again.stdout
    stats = run_cli("archive", "stats", "--archive", str(tmp_path / "arch"), "--format", "json")
    assert json.loads(stats.stdout)["documents"] == 2

    checked = run_cli("check", "--rules", str(rules), "--archive", str(tmp_path / "arch"), "--format", "json",
                      "--jobs", "2", str(tmp_path / "copy.md"), str(tmp_path / "one.md"))  # workers open it too
    assert checked.returncode == 1, checked.stderr
    report = json.loads(checked.stdout)
    schema = json.loads((ROOT / "schema" / "qualitybot-report.schema.json").read_text(encoding="utf-8"))
    jsonschema.validate(report, schema)  # related places with a path are part of the published schema
    copy, one = report["documents"]
    [whole] = [f for f in copy["findings"] if f["rule"] == "duplicates.archive"]
    assert whole["severity"] == "error" and "'sub-1'" in whole["message"]
    assert whole["related"] and all(p["path"] == "sub-1" for p in whole["related"])
    [para] = [f for f in one["findings"] if f["rule"].startswith("duplicates.archive")]
    assert para["rule"] == "duplicates.archive-paragraph" and para["severity"] == "warning"
    assert para["related"] == [{"line": 10, "column": 1, "end_line": 10, "end_column": len(PARAGRAPHS[3]) + 1,
                                "path": "sub-1"}]  # the front matter's 3 lines come first
    assert one["verdict"] == "pass"

    sarif = run_cli("check", "--rules", str(rules), "--archive", str(tmp_path / "arch"), "--format", "sarif",
                    str(tmp_path / "copy.md"))
    result = next(r for r in json.loads(sarif.stdout)["runs"][0]["results"] if r["ruleId"] == "duplicates.archive")
    related = result["relatedLocations"][0]
    assert related["physicalLocation"]["artifactLocation"]["uri"] == "sub-1"
    assert related["message"]["text"] == "Earlier in sub-1"

    markdown = run_cli("check", "--rules", str(rules), "--archive", str(tmp_path / "arch"), "--format", "markdown",
                       str(tmp_path / "one.md"))
    assert "Earlier: `sub-1` line 10" in markdown.stdout


def test_cli_archive_from_rules_file_and_errors(tmp_path: Path) -> None:
    rules = _cli_files(tmp_path)
    rules.write_text("archive: {path: arch}\nrules:\n  duplicates: {}\n", encoding="utf-8")
    added = run_cli("archive", "add", "--rules", str(rules), str(tmp_path / "earlier"))
    assert added.returncode == 0 and (tmp_path / "arch" / "archive.sqlite3").is_file(), added.stderr
    checked = run_cli("check", "--rules", str(rules), "--format", "json", str(tmp_path / "copy.md"))
    assert checked.returncode == 1 and "duplicates.archive" in checked.stdout

    nothing = run_cli("archive", "stats", "--rules", str(tmp_path / "no-archive.yml"))
    assert nothing.returncode == 2 and "rules file not found" in nothing.stderr
    (tmp_path / "plain.yml").write_text("rules:\n  duplicates: {}\n", encoding="utf-8")
    unnamed = run_cli("archive", "stats", "--rules", str(tmp_path / "plain.yml"))
    assert unnamed.returncode == 2 and "no archive: give --archive DIR" in unnamed.stderr
    (tmp_path / "bad.yml").write_text("archive:\n  path: a\n  redis: 'redis://x'\n", encoding="utf-8")
    bad = run_cli("archive", "stats", "--rules", str(tmp_path / "bad.yml"))
    assert bad.returncode == 2 and "bad.yml:1: archive: give either path: DIR or redis: URL" in bad.stderr
    away = run_cli("check", "--rules", str(tmp_path / "plain.yml"), "--archive", "redis://:secret@127.0.0.1:1/0",
                   str(tmp_path / "copy.md"))
    assert away.returncode == 2 and "cannot reach Redis at 127.0.0.1:1" in away.stderr
    assert "secret" not in away.stderr and "Traceback" not in away.stderr
