"""API token authentication: django-rest-knox tokens, with token → user kept in the shared cache.

Only a SHA-512 digest of each token is stored (``knox.AuthToken.digest``; ``token_key`` keeps the
first 15 characters to find the row). A token expires ``API_TOKEN_TTL_H`` hours after it was last
used (knox moves the expiry on, writing it at most once an hour) and never later than
``API_TOKEN_MAX_AGE_D`` days after it was issued.

Every API request authenticates, which costs a query joining the token and its user. With Redis
configured, the answer is kept in the cache for ``API_TOKEN_CACHE_S`` seconds (never past the
token's expiry), **keyed by the token's digest**, so neither the cache nor the database holds a
token as it is. Deleting a token, or changing or deleting its user, clears the entry in every
process as soon as the change commits (``invalidate_*`` below, connected in ``config.apps``), so a
revoked token never outlives its revocation.
"""

from django.conf import settings
from django.core.cache import cache
from django.utils import timezone
from knox.auth import TokenAuthentication
from knox.crypto import hash_token
from knox.models import AuthToken
from knox.signals import token_expired
from rest_framework.exceptions import AuthenticationFailed

from config.outbox import run_on_commit


def token_cache_key(digest: str) -> str:
    return "auth-token:" + digest


class CachedTokenAuthentication(TokenAuthentication):
    def authenticate_credentials(self, token):
        timeout = settings.API_TOKEN_CACHE_S
        if timeout <= 0:
            return super().authenticate_credentials(token)
        raw = token.decode() if isinstance(token, bytes) else token
        try:
            digest = hash_token(raw)
        except (TypeError, ValueError) as exc:
            raise AuthenticationFailed("Invalid token.") from exc
        cache_key = token_cache_key(digest)
        cached = cache.get(cache_key)
        if cached is None:
            user, auth_token = super().authenticate_credentials(token)
            if auth_token.expiry is not None:
                timeout = min(timeout, int((auth_token.expiry - timezone.now()).total_seconds()))
            if timeout > 0:
                cache.set(cache_key, (user, auth_token.expiry), timeout=timeout)
            return user, auth_token
        user, expiry = cached
        if expiry is not None and expiry <= timezone.now():
            cache.delete(cache_key)
            return super().authenticate_credentials(token)  # deletes it and says why
        if not user.is_active:
            raise AuthenticationFailed("User inactive or deleted.")
        return user, AuthToken(digest=digest, token_key=raw[:15], user=user, expiry=expiry)

    def _cleanup_token(self, auth_token) -> bool:
        """Only this token: an expired one is deleted. (knox also sweeps the user's other tokens on
        every request, a query each time; ``purge_expired_api_tokens`` does that hourly instead.)"""
        if auth_token.expiry is not None and auth_token.expiry < timezone.now():
            username = auth_token.user.get_username()
            auth_token.delete()
            token_expired.send(sender=self.__class__, username=username, source="auth_token")
            return True
        return False


def _forget_after_commit(digests) -> None:
    """Clear the cached entries once the change is committed: cleared earlier, a request
    running meanwhile would read the old row and cache it again; a rollback keeps them valid."""
    cache_keys = [token_cache_key(digest) for digest in digests]
    if cache_keys:
        run_on_commit(cache.delete_many, cache_keys)


def invalidate_token(sender, instance, **kwargs):
    """post_delete / post_save of an AuthToken."""
    if kwargs.get("raw"):
        return
    _forget_after_commit([instance.digest])


def invalidate_user_tokens(sender, instance, **kwargs):
    """post_save / pre_delete of a user: forget what the cache knows of their tokens."""
    if kwargs.get("raw"):
        return
    _forget_after_commit(AuthToken.objects.filter(user_id=instance.pk).values_list("digest", flat=True))


def end_tokens_when_credentials_change(sender, instance, created=False, update_fields=None, **kwargs):
    """post_save of a user: a new password or a deactivation ends every token issued before it,
    once the change commits (a token issued later in the same transaction, e.g. by the code that
    changed the password, is kept)."""
    if kwargs.get("raw") or created:
        return
    if update_fields is not None and not {"password", "is_active"} & set(update_fields):
        return
    password_changed = getattr(instance, "_password", None) is not None
    if not (password_changed or not instance.is_active):
        return
    from config.services import api_tokens_revoke_all

    user_id, changed_at = instance.pk, timezone.now()
    run_on_commit(api_tokens_revoke_all, user_id=user_id, issued_before=changed_at)
