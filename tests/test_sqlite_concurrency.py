"""The embedded default (SQLite in a file) takes concurrent writers, as a web server
gives it: two processes, each with the project's settings, write at the same time."""

import json
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
_NOT_INHERITED = ("AWS_", "DATABASE_URL", "CELERY_", "PRODUCTION", "SECRET_KEY", "CACHE_URL")
CLEAN_ENV = {k: v for k, v in os.environ.items() if not k.startswith(_NOT_INHERITED)}
ROUNDS = 15

# One writer, as a request that reads then writes (an autosave, a publish). It uses the
# project's settings and starts when the other one is ready; WRITER_OPTIONS, when given,
# replaces the database OPTIONS (to show what Django's defaults do). It prints how many
# of its transactions failed with "database is locked".
WRITER = """
import json, os, pathlib, time
from django.db import OperationalError, connection, transaction
if "WRITER_OPTIONS" in os.environ:
    connection.settings_dict["OPTIONS"] = json.loads(os.environ["WRITER_OPTIONS"])
ready = pathlib.Path(os.environ["READY_DIR"])
(ready / str(os.getpid())).touch()
deadline = time.time() + 60
while len(list(ready.iterdir())) < 2 and time.time() < deadline:  # start together
    time.sleep(0.005)
locked = 0
for _ in range(int(os.environ["ROUNDS"])):
    try:
        with transaction.atomic():
            with connection.cursor() as cursor:
                cursor.execute("SELECT n FROM counter WHERE id = 1")
                n = cursor.fetchone()[0]
                time.sleep(0.02)
                cursor.execute("UPDATE counter SET n = %s WHERE id = 1", [n + 1])
    except OperationalError as exc:
        if "database is locked" not in str(exc):
            raise
        locked += 1
print(json.dumps({"locked": locked}))
"""


def run_writers(db_path: Path, tmp_path: Path, options=None) -> list[dict]:
    ready = tmp_path / "ready"
    ready.mkdir()
    env = {**CLEAN_ENV, "VAR_DIR": str(tmp_path), "DATABASE_URL": f"sqlite:///{db_path}",
           "ROUNDS": str(ROUNDS), "READY_DIR": str(ready)}
    if options is not None:
        env["WRITER_OPTIONS"] = json.dumps(options)
    writers = [
        subprocess.Popen([sys.executable, "manage.py", "shell", "--no-imports", "-c", WRITER],
                         cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                         text=True)
        for _ in range(2)
    ]
    results = []
    for writer in writers:
        out, err = writer.communicate(timeout=120)
        assert writer.returncode == 0, err
        results.append(json.loads(out.strip().splitlines()[-1]))
    return results


@pytest.fixture
def db_path(tmp_path) -> Path:
    path = tmp_path / "db.sqlite3"
    with sqlite3.connect(path) as db:
        db.execute("CREATE TABLE counter (id INTEGER PRIMARY KEY, n INTEGER NOT NULL)")
        db.execute("INSERT INTO counter VALUES (1, 0)")
    return path


def counter(db_path: Path) -> int:
    with sqlite3.connect(db_path) as db:
        return db.execute("SELECT n FROM counter").fetchone()[0]


def test_two_concurrent_writers_both_succeed_with_the_projects_settings(db_path, tmp_path):
    results = run_writers(db_path, tmp_path)

    assert [r["locked"] for r in results] == [0, 0]
    assert counter(db_path) == 2 * ROUNDS  # and no update was lost
    with sqlite3.connect(db_path) as db:
        assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


def test_with_djangos_default_sqlite_options_the_same_writers_hit_database_is_locked(
        db_path, tmp_path):
    """What the embedded default did before: the test above would fail this way."""
    results = run_writers(db_path, tmp_path, options={})

    assert sum(r["locked"] for r in results) > 0
