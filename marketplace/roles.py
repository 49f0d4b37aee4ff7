"""Roles (SPEC §2) are groups; this module says which permissions each group holds
and where each role starts after logging in. Migrations call ``sync_roles``."""

from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    VENDOR = "vendor", _("Vendor")
    SCHOOL = "school_coordinator", _("School coordinator")
    REVIEWER = "bureau_reviewer", _("Bureau reviewer")
    CHECK_OFFICER = "bureau_check_officer", _("Bureau check officer")
    MANAGER = "bureau_manager", _("Bureau manager")
    EDITOR = "bureau_editor", _("Bureau editor")


BUREAU_ROLES = frozenset({Role.REVIEWER, Role.CHECK_OFFICER, Role.MANAGER, Role.EDITOR})

_BUREAU_COMMON = [
    "wagtailadmin.access_admin",
    "marketplace.view_provider",
    "marketplace.view_person",
    "marketplace.view_credential",
    "marketplace.view_offering",
    "marketplace.view_school",
    "marketplace.view_booking",
]

# Permission codenames ("app_label.codename") each role holds.
ROLE_PERMISSIONS: dict[str, list[str]] = {
    Role.VENDOR: [],
    Role.SCHOOL: [],
    Role.REVIEWER: _BUREAU_COMMON + [
        "marketplace.review_qualification",
        "marketplace.change_credential",
        "marketplace.change_offering",
    ],
    Role.CHECK_OFFICER: _BUREAU_COMMON + [
        "marketplace.record_background_check",
        "marketplace.view_identity_number",
        "marketplace.view_backgroundcheck",
        "marketplace.add_backgroundcheck",
        "marketplace.change_backgroundcheck",
    ],
    Role.MANAGER: _BUREAU_COMMON + [
        "marketplace.list_provider",
        "marketplace.countersign_agreement",
        "marketplace.export_dossier",
        "marketplace.view_contract",
        "marketplace.view_exitcase",
        "marketplace.change_exitcase",
        "marketplace.view_evaluation",
        "marketplace.add_evaluation",
        "marketplace.view_term",
        "marketplace.add_term",
        "marketplace.change_term",
        "marketplace.add_school",
        "marketplace.change_school",
        "marketplace.view_venue",
        "marketplace.add_venue",
        "marketplace.change_venue",
        "marketplace.delete_venue",
        "marketplace.view_dayoff",
        "marketplace.add_dayoff",
        "marketplace.change_dayoff",
        "marketplace.delete_dayoff",
        "marketplace.cancel_active_booking",
    ],
    Role.EDITOR: [
        "wagtailadmin.access_admin",
        "wagtailimages.add_image",
        "wagtailimages.change_image",
        "wagtailimages.choose_image",
        "wagtaildocs.add_document",
        "wagtaildocs.change_document",
        "wagtaildocs.choose_document",
    ],
}


def sync_roles(apps) -> None:
    """Create each role's group and give it exactly its permissions (idempotent).

    ``apps`` is the migration state's registry, so this runs inside migrations.
    """
    from django.contrib.auth.management import create_permissions

    for app_config in apps.get_app_configs():
        # create_permissions() skips an app config without a models module, which the
        # migration state's configs lack; the live registry's keep theirs.
        previous = getattr(app_config, "models_module", None)
        app_config.models_module = previous or True
        try:
            create_permissions(app_config, apps=apps, verbosity=0)
        finally:
            app_config.models_module = previous

    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for role, names in ROLE_PERMISSIONS.items():
        group, _created = Group.objects.get_or_create(name=role.value)
        wanted = [tuple(name.split(".")) for name in names]
        # An early migration's state lacks permissions of models added later; the
        # migration that adds them syncs again (the role test checks the final result).
        perms = [p for p in Permission.objects.select_related("content_type")
                 if (p.content_type.app_label, p.codename) in wanted]
        group.permissions.set(perms)


def roles_of(user) -> set[str]:
    if not user.is_authenticated:
        return set()
    if not hasattr(user, "_role_names"):
        user._role_names = set(user.groups.values_list("name", flat=True)) & set(Role.values)
    return user._role_names


def has_role(user, role: str) -> bool:
    return role in roles_of(user)


def start_url(user) -> str:
    """Where a user lands after logging in: bureau staff in the Wagtail admin, schools
    and vendors in their portals."""
    roles = roles_of(user)
    if user.is_superuser or roles & BUREAU_ROLES:
        return reverse("wagtailadmin_home")
    if Role.SCHOOL in roles:
        return reverse("school:home")
    if Role.VENDOR in roles:
        return reverse("vendor:home")
    return "/"
