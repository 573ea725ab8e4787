"""Platform writes: API tokens (issue, revoke) and the runner data access log."""

import datetime as dt

from django.db import transaction
from django.utils import timezone
from knox.models import AuthToken


@transaction.atomic
def api_token_issue(*, user) -> tuple[AuthToken, str]:
    """A new token for ``user``: the row (digest only) and the token itself, which is never stored
    and can be shown only now. The user's expired tokens go at the same time."""
    AuthToken.objects.filter(user=user, expiry__lt=timezone.now()).delete()
    instance, token = AuthToken.objects.create(user=user)
    return instance, token


@transaction.atomic
def api_token_revoke(*, token: AuthToken) -> None:
    AuthToken.objects.filter(digest=token.digest).delete()


@transaction.atomic
def api_tokens_revoke_all(*, user_id: int, issued_before: dt.datetime | None = None) -> int:
    """End every token of the user (issued before ``issued_before``, if given); returns how many."""
    tokens = AuthToken.objects.filter(user_id=user_id)
    if issued_before is not None:
        tokens = tokens.filter(created__lt=issued_before)
    count, _ = tokens.delete()
    return count


def api_tokens_purge_expired() -> int:
    count, _ = AuthToken.objects.filter(expiry__lt=timezone.now()).delete()
    return count


def api_tokens_issue_many(*, user_ids) -> list[str]:
    """A new token for each user id, in one insert (benchmarks load thousands); the tokens, in order."""
    from knox.models import get_digest_token
    from knox.settings import CONSTANTS, knox_settings

    expiry = timezone.now() + knox_settings.TOKEN_TTL
    pairs = [get_digest_token() for _ in user_ids]
    AuthToken.objects.bulk_create(
        [
            AuthToken(
                digest=digest, token_key=token[: CONSTANTS.TOKEN_KEY_LENGTH], user_id=user_id, expiry=expiry
            )
            for user_id, (digest, token) in zip(user_ids, pairs, strict=True)
        ]
    )
    return [token for _, token in pairs]
