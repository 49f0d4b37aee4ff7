"""What browser tests share: a password, an account per role, logging in."""

from django.contrib.auth.models import Group

from tests.factories import UserFactory

PASSWORD = "Browser-pass-2026"


def account(role):
    user = UserFactory(password=PASSWORD)
    user.groups.add(Group.objects.get(name=role))
    return user


def log_in(page, base, user):
    page.goto(f"{base}/accounts/login/")
    page.get_by_label("用户名").fill(user.username)
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()


def leave_and_settle(page, seconds: float = 10.0):
    """Leave the page (its timers stop) and wait until the live server has finished the
    requests it started, so the database can be emptied for the next test: on PostgreSQL
    a save still being served would deadlock with the flush."""
    import time

    from django.db import connection

    page.goto("about:blank")
    if connection.vendor != "postgresql":
        return
    deadline = time.monotonic() + seconds
    with connection.cursor() as cursor:
        while time.monotonic() < deadline:
            cursor.execute("SELECT count(*) FROM pg_stat_activity WHERE datname = "
                           "current_database() AND pid <> pg_backend_pid() AND state <> 'idle'")
            if cursor.fetchone()[0] == 0:
                return
            time.sleep(0.1)
