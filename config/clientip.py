"""The client's address, as far as the proxies we trust can vouch for it.

With ``TRUSTED_PROXY_COUNT = 0`` (the default: nothing in front of the app server but the client)
the address is ``REMOTE_ADDR`` and ``X-Forwarded-For`` is ignored: anyone can send that header.

Behind N proxies that each append the address they received the request from to
``X-Forwarded-For`` (nginx's ``$proxy_add_x_forwarded_for``, a load balancer's default), the header
ends with N addresses the proxies wrote; the N-th from the right is the one the outermost proxy
saw, the real client. Anything left of it was sent by the client and is never believed. This is
the same rule as DRF's ``NUM_PROXIES``, which the throttles use with the same count.
"""

from django.conf import settings


def client_address(request) -> str:
    remote_addr = request.META.get("REMOTE_ADDR", "")
    count = settings.TRUSTED_PROXY_COUNT
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    if count <= 0 or not forwarded:
        return remote_addr
    addresses = [address.strip() for address in forwarded.split(",") if address.strip()]
    if not addresses:
        return remote_addr
    return addresses[-min(count, len(addresses))]
