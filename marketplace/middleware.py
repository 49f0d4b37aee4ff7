"""Personal pages are never kept by shared caches.

Every response under the portals, the account pages, the private files and the start
redirect carries ``Cache-Control: private, no-store``, whatever view produced it (errors and
redirects included), so a proxy between a school's network and the bureau never serves one
user's page to another. Public catalogue pages are left alone: they are cacheable.
"""

from django.utils.cache import patch_cache_control

PRIVATE_PREFIXES = ("/vendor/", "/school/", "/accounts/", "/files/", "/start/")


class PrivatePagesNotCachedMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if request.path_info.startswith(PRIVATE_PREFIXES):
            patch_cache_control(response, private=True, no_store=True)
        return response
