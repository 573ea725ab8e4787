"""Move the API tokens of DRF's ``authtoken_token`` (stored as they are) into knox's table, which
keeps only a digest, so clients keep their sessions and no token is left readable.

Each old key becomes a knox row with the digest knox computes when the key is presented
(``knox.crypto.hash_token``: SHA-512 of the key) and the first 15 characters as ``token_key``, so the
old ``Authorization: Token <key>`` authenticates as before. Then the old rows are deleted. The app
``rest_framework.authtoken`` is no longer installed: the table is read with SQL when it exists.

Irreversible by nature (a digest gives no key back): the reverse leaves the knox rows in place.
"""

from django.db import migrations
from django.utils import timezone

LEGACY_TABLE = "authtoken_token"


def hash_legacy_tokens(apps, schema_editor):
    from knox.crypto import hash_token
    from knox.settings import CONSTANTS, knox_settings

    connection = schema_editor.connection
    if LEGACY_TABLE not in connection.introspection.table_names():
        return
    AuthToken = apps.get_model("knox", "AuthToken")
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT key, user_id, created FROM {LEGACY_TABLE}")
        rows = cursor.fetchall()
    expiry = timezone.now() + knox_settings.TOKEN_TTL if knox_settings.TOKEN_TTL else None
    AuthToken.objects.bulk_create(
        [
            AuthToken(
                digest=hash_token(key),
                token_key=key[: CONSTANTS.TOKEN_KEY_LENGTH],
                user_id=user_id,
                expiry=expiry,
            )
            for key, user_id, created in rows
        ],
        ignore_conflicts=True,
    )
    # auto_now_add set "created" to now; the old issue times are kept.
    for key, _user_id, created in rows:
        AuthToken.objects.filter(digest=hash_token(key)).update(created=created)
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {LEGACY_TABLE}")


class Migration(migrations.Migration):
    dependencies = [
        ("platform", "0004_pending_task"),
        ("knox", "0009_extend_authtoken_field"),
        ("auth", "0012_alter_user_first_name_max_length"),
    ]

    operations = [migrations.RunPython(hash_legacy_tokens, migrations.RunPython.noop, elidable=True)]
