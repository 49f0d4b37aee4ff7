from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect

from marketplace.roles import start_url


@login_required
def start(request):
    """Send each user to the start page of their role."""
    return redirect(start_url(request.user))
