"""The client's address for login throttling (django-axes' AXES_CLIENT_IP_CALLABLE).

Behind a load balancer every request comes from the balancer's address: throttling on it
would lock the whole newsroom out after one person's typos.  X-Forwarded-For can be forged
by the client, though, so only the entry written by our own outermost proxy is trusted:
with ``DJANGO_TRUSTED_PROXY_COUNT=N`` that is the N-th address from the right.
"""

from django.conf import settings


def client_ip(request) -> str | None:
    trusted_proxies = settings.TRUSTED_PROXY_COUNT
    if trusted_proxies:
        forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
        hops = [hop.strip() for hop in forwarded.split(",") if hop.strip()]
        if len(hops) >= trusted_proxies:
            return hops[-trusted_proxies]
    return request.META.get("REMOTE_ADDR")
