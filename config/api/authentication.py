"""Token authentication that keeps token → user in the shared cache.

Every API request authenticates, and DRF's ``TokenAuthentication`` does that with a database
query joining the token and its user. With Redis configured, the answer is kept in the cache
for ``API_TOKEN_CACHE_S`` seconds; revoking a token, deleting a user or changing one (e.g.
deactivating it) clears the entry in every process as soon as the change commits (see
``invalidate_*`` below, connected in ``config.apps``), so a revoked token never outlives its revocation.
"""

import hashlib

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from rest_framework.authentication import TokenAuthentication
from rest_framework.authtoken.models import Token
from rest_framework.exceptions import AuthenticationFailed


def token_cache_key(key: str) -> str:
    return "auth-token:" + hashlib.sha256(key.encode()).hexdigest()


class CachedTokenAuthentication(TokenAuthentication):
    def authenticate_credentials(self, key):
        timeout = settings.API_TOKEN_CACHE_S
        if timeout <= 0:
            return super().authenticate_credentials(key)
        cache_key = token_cache_key(key)
        user = cache.get(cache_key)
        if user is None:
            user, token = super().authenticate_credentials(key)
            cache.set(cache_key, user, timeout=timeout)
            return user, token
        if not user.is_active:
            raise AuthenticationFailed("User inactive or deleted.")
        return user, Token(key=key, user=user)


def _forget_after_commit(keys) -> None:
    """Clear the cached entries once the change is committed: cleared earlier, a request
    running meanwhile would read the old row and cache it again; a rollback keeps them valid."""
    cache_keys = [token_cache_key(key) for key in keys]
    if cache_keys:
        transaction.on_commit(lambda: cache.delete_many(cache_keys))


def invalidate_token(sender, instance, **kwargs):
    """post_delete / post_save of a Token."""
    if kwargs.get("raw"):
        return
    _forget_after_commit([instance.key])


def invalidate_user_tokens(sender, instance, **kwargs):
    """post_save / pre_delete of a user: forget what the cache knows of their tokens."""
    if kwargs.get("raw"):
        return
    _forget_after_commit(Token.objects.filter(user_id=instance.pk).values_list("key", flat=True))
