import pytest
from django.contrib.auth.models import Group
from django.urls import reverse

from marketplace.roles import ROLE_PERMISSIONS, Role
from tests.factories import ProviderFactory, SchoolFactory, UserFactory

pytestmark = pytest.mark.django_db

START_PAGES = {
    Role.VENDOR: "/vendor/",
    Role.SCHOOL: "/school/",
    Role.REVIEWER: "/admin/",
    Role.CHECK_OFFICER: "/admin/",
    Role.MANAGER: "/admin/",
    Role.EDITOR: "/admin/",
}


def user_with_role(role, **kwargs):
    user = UserFactory(**kwargs)
    user.groups.add(Group.objects.get(name=role))
    return user


def test_migration_creates_every_role_with_exactly_its_permissions():
    for role, names in ROLE_PERMISSIONS.items():
        group = Group.objects.get(name=role)
        held = {f"{p.content_type.app_label}.{p.codename}" for p in group.permissions.all()}
        assert held == set(names), role


def test_only_the_check_officer_may_see_identity_numbers():
    holders = Group.objects.filter(permissions__codename="view_identity_number")
    assert list(holders.values_list("name", flat=True)) == [Role.CHECK_OFFICER]


@pytest.mark.parametrize("role", list(Role))
def test_each_role_lands_on_its_own_start_page(client, role, demo_password):
    user = user_with_role(role, password=demo_password)
    response = client.post(
        reverse("login"), {"username": user.username, "password": demo_password}, follow=True
    )
    assert response.redirect_chain[-1][0] == START_PAGES[role]
    assert response.status_code == 200


def test_wrong_password_is_refused_in_chinese(client):
    user = UserFactory(password="right-password-123")
    response = client.post(reverse("login"), {"username": user.username, "password": "wrong"})
    assert response.status_code == 200
    assert "请输入一个正确的" in response.content.decode()


def test_anonymous_visitor_is_sent_to_login_from_portals(client):
    for url in ("/vendor/", "/school/", "/admin/"):
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("login"))


@pytest.mark.parametrize(
    ("role", "url"),
    [(Role.VENDOR, "/school/"), (Role.SCHOOL, "/vendor/"), (Role.REVIEWER, "/vendor/"),
     (Role.VENDOR, "/admin/")],
)
def test_a_role_cannot_open_another_roles_workspace(client, role, url):
    client.force_login(user_with_role(role))
    response = client.get(url)
    assert response.status_code in (302, 403)
    if response.status_code == 302:
        assert not response["Location"].startswith(url)


def test_vendor_home_shows_only_own_entries(client):
    vendor = user_with_role(Role.VENDOR)
    mine = ProviderFactory(owner=vendor, name="滨江青少年体育俱乐部")
    ProviderFactory(owner=user_with_role(Role.VENDOR), name="别人的机构")
    client.force_login(vendor)
    body = client.get("/vendor/").content.decode()
    assert mine.name in body
    assert "别人的机构" not in body
    assert "草稿" in body  # state shown in Chinese


def test_school_home_lists_the_coordinators_schools(client):
    coordinator = user_with_role(Role.SCHOOL)
    school = SchoolFactory(name="滨江区实验小学")
    school.coordinators.add(coordinator)
    SchoolFactory(name="另一所学校")
    client.force_login(coordinator)
    body = client.get("/school/").content.decode()
    assert "滨江区实验小学" in body
    assert "另一所学校" not in body


@pytest.mark.django_db
def test_syncing_roles_with_the_live_registry_keeps_every_app_serialisable():
    """Django's serialized rollback skips an app whose ``models_module`` is unset."""
    from django.apps import apps
    from django.db import connection

    from marketplace.roles import sync_roles

    before = {config.label: config.models_module for config in apps.get_app_configs()}
    SchoolFactory(name="序列化检查学校")
    sync_roles(apps)
    assert {config.label: config.models_module for config in apps.get_app_configs()} == before
    assert "序列化检查学校" in connection.creation.serialize_db_to_string()
