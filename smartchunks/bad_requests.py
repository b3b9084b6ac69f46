"""Requests the site cannot answer sensibly get a clear 400, never a 500.

PostgreSQL refuses a NUL character in any text value, so a ``%00`` in a query string or
form field that reached a query (an admin filter such as ``?status__exact=%00``) was a
server error.  No page of the site takes a NUL from a person: it is refused here, before
any view, in the address and in every query-string and form field name and value.  File
contents are not looked at (pictures contain NUL bytes); Django drops unprintable
characters from uploaded file names itself.
"""

from django.shortcuts import render
from django.utils.cache import add_never_cache_headers

NUL = "\x00"
NUL_MESSAGE = (
    "The address or the form you sent contains a NUL character (%00), which no page of this "
    "site accepts. Check what was typed or pasted, and try again."
)


def _has_nul(values) -> bool:
    return any(NUL in value for value in values)


def _form_has_nul(request) -> bool:
    try:
        form = request.POST
    except OSError:
        # The client went away mid-body: the view (or CsrfViewMiddleware) deals with that.
        return False
    return _has_nul(form.keys()) or _has_nul(value for key in form for value in form.getlist(key))


def contains_nul(request) -> bool:
    query = request.GET
    return (
        NUL in request.path_info
        or _has_nul(query.keys())
        or _has_nul(value for key in query for value in query.getlist(key))
        or (request.method == "POST" and _form_has_nul(request))
    )


def bad_request(request, exception=None, message=None):
    """The styled 400 page (also settings' handler400, so every 400 looks like the site).

    Rendered with the request, so the page has the site's name and layout; it names the
    problem only when it is ours to name (Django's own 400s may concern headers or hosts).
    """
    response = render(request, "400.html", {"message": message}, status=400)
    add_never_cache_headers(response)
    return response


class RefuseNulBytesMiddleware:
    """Answer 400 to any request with a NUL in its path, query string or form fields.

    Early in MIDDLEWARE: before sessions, authentication or a view can put the value into a
    query.  It reads the form like CsrfViewMiddleware does, so a view cannot swap upload
    handlers afterwards (none here does).
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if contains_nul(request):
            return bad_request(request, message=NUL_MESSAGE)
        return self.get_response(request)
