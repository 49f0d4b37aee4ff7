from django.templatetags.static import static
from django.utils.html import format_html
from wagtail import hooks


@hooks.register("construct_help_menu")
def drop_external_help_links(request, menu_items):
    """The bureau runs on a closed intranet: links to wagtail.org would not open."""
    menu_items[:] = []


@hooks.register("insert_global_admin_js")
def start_date_pickers_without_inline_script():
    """Date and time pickers start from markers (cms/templates/wagtailadmin/widgets/):
    the Content-Security-Policy runs no inline script."""
    return format_html('<script src="{}"></script>', static("js/admin-widgets.js"))
