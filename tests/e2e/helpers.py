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
