"""The Procfile runs the product: gunicorn web processes, a Celery worker and beat, with
PRODUCTION=true settings from the environment, on PostgreSQL, Redis and S3.

Started as subprocesses on a free port against the test database; the web processes
answer /health/ over plain HTTP (as a balancer polls it), a transition committed here
has its e-mail sent and its agreement PDF stored by the worker through the real broker,
and every process stops cleanly on SIGTERM, all in bounded time. Runs where the suite
itself runs on PostgreSQL, Redis and S3 (CI).
"""

import json
import os
import shlex
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection

from config.celery import app
from marketplace.choices import ContractKind
from marketplace.models import Contract
from marketplace.roles import Role
from tests.conftest import S3_CONFIGURED
from tests.factories import BackgroundCheckFactory, UserFactory, complete_application
from tests.test_faults_broker import restore_roles
from workflows.admission import AdmissionState as S
from workflows.models import SideEffect
from workflows.transitions import run

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent

ON_SERVICES = (settings.DATABASES["default"]["ENGINE"].endswith("postgresql")
               and settings.CELERY_BROKER_URL.startswith("redis://")
               and settings.CACHES["default"]["LOCATION"].startswith("redis://")
               and S3_CONFIGURED)
on_services = pytest.mark.skipif(
    not ON_SERVICES, reason="needs PostgreSQL, Redis and S3 as configured in CI")


def procfile() -> dict[str, str]:
    commands = {}
    for line in (ROOT / "Procfile").read_text().splitlines():
        name, sep, command = line.partition(":")
        if sep and not line.startswith("#") and name.isidentifier():
            commands[name] = command.strip()
    return commands


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def database_url_of_this_test() -> str:
    db = connection.settings_dict
    user = db["USER"] or "postgres"
    password = f":{db['PASSWORD']}" if db["PASSWORD"] else ""
    return (f"postgres://{user}{password}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}"
            f"/{db['NAME']}")


def get_json(url: str):
    try:
        with urllib.request.urlopen(url, timeout=10) as response:  # noqa: S310
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, None
    except OSError:
        return None, None


def wait_for(condition, seconds, what):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        result = condition()
        if result:
            return result
        time.sleep(0.5)
    raise AssertionError(f"timed out after {seconds}s waiting for {what}")


class Processes:
    def __init__(self, env, logs: Path):
        self.env, self.logs, self.running = env, logs, {}

    def start(self, name, command):
        log = (self.logs / f"{name}.log").open("wb")
        self.running[name] = subprocess.Popen(
            ["bash", "-c", f"exec {command}"], cwd=ROOT, env=self.env, stdout=log,
            stderr=subprocess.STDOUT, start_new_session=True)

    def log(self, name) -> str:
        return (self.logs / f"{name}.log").read_text(errors="replace")

    def stop(self, seconds=45) -> dict[str, int | None]:
        for process in self.running.values():
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGTERM)
        codes = {}
        for name, process in self.running.items():
            try:
                codes[name] = process.wait(timeout=seconds)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait(timeout=10)
                codes[name] = None
        return codes


@on_services
@pytest.mark.django_db(transaction=True)
def test_the_procfile_runs_web_worker_and_beat_in_production_mode(tmp_path):
    commands = procfile()
    assert {"release", "web", "worker", "beat"} <= set(commands)
    port, mails = free_port(), tmp_path / "mails"
    env = {
        **os.environ,
        "PATH": f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}",
        "PRODUCTION": "true", "SECRET_KEY": settings.SECRET_KEY,
        "FIELD_ENCRYPTION_SALT": settings.SALT_KEY, "ALLOWED_HOSTS": "127.0.0.1",
        "DATABASE_URL": database_url_of_this_test(), "VAR_DIR": str(tmp_path / "var"),
        "PORT": str(port), "WEB_CONCURRENCY": "2", "CELERY_CONCURRENCY": "1",
        "EMAIL_URL": f"filemail:///{mails}", "LOG_LEVEL": "WARNING",
    }
    env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    processes = Processes(env, tmp_path)
    for name in ("web", "worker", "beat"):
        processes.start(name, commands[name])
    try:
        health = f"http://127.0.0.1:{port}/health/"
        status, body = wait_for(lambda: (lambda r: r if r[0] == 200 else None)(
            get_json(health)), 120, "/health/ to answer 200")
        assert body == {"status": "ok", "components": {
            "database": "ok", "cache": "ok", "broker": "ok", "storage": "ok"}}

        # A transition committed here; its side effects run in the worker process.
        restore_roles()
        provider = complete_application(state=S.BACKGROUND_CHECK)
        for person in provider.active_people():
            BackgroundCheckFactory(person=person)
        checker = UserFactory(groups=[Role.CHECK_OFFICER])
        previous = app.conf.task_always_eager
        app.conf.task_always_eager = False
        try:
            run(provider, "confirm_checks", by=checker)
        finally:
            app.conf.task_always_eager = previous
        effects = SideEffect.objects.filter(entry__object_id=provider.pk,
                                            entry__action="confirm_checks")
        assert effects.count() == 2
        wait_for(lambda: not effects.filter(done_at__isnull=True).exists(), 120,
                 "the worker to run the side effects")
        sent = [p.read_text(errors="replace") for p in mails.glob("*.log")]
        assert len([m for m in sent if provider.owner.email in m]) == 1
        agreement = Contract.objects.get(provider=provider, kind=ContractKind.ADMISSION)
        with agreement.pdf.open("rb") as pdf:
            assert pdf.read(5) == b"%PDF-"

        assert processes.running["beat"].poll() is None, processes.log("beat")
        # the access log names paths, never query strings
        assert get_json(health + "?token=secret-in-the-query")[0] == 200
    finally:
        codes = processes.stop()
    assert codes == {"web": 0, "worker": 0, "beat": 0}, {
        name: processes.log(name)[-2000:] for name in codes}
    access = processes.log("web")
    assert '"GET /health/ HTTP/1.1" 200' in access and "secret-in-the-query" not in access


def test_the_access_log_masks_the_secret_part_of_emailed_links():
    from config import gunicorn

    assert gunicorn.masked_path("/accounts/reset/MQ/cq0x5e-7f1d2b9a3c/") == (
        "/accounts/reset/MQ/…/")
    assert gunicorn.masked_path("/accounts/reset/MQ/set-password/") == (
        "/accounts/reset/MQ/set-password/")
    assert gunicorn.masked_path("/admin/password_reset/confirm/MQ/cq0x5e-7f1d/") == (
        "/admin/password_reset/confirm/MQ/…/")
    assert gunicorn.masked_path("/vendor/register/confirm/eyJ1Ijo0Mn0:1uX:abc/") == (
        "/vendor/register/confirm/…/")
    assert gunicorn.masked_path("/catalogue/") == "/catalogue/"
    for atom in ("%(r)s", "%(q)s", "%(f)s"):  # request line, query string, referrer
        assert atom not in gunicorn.access_log_format


def test_the_release_command_prepares_a_deployment():
    release = procfile()["release"]
    steps = [shlex.split(step) for step in release.split("&&")]
    assert [step[2] for step in steps] == ["migrate", "collectstatic", "compilemessages"]
    assert all("--noinput" in step for step in steps[:2])
