"""Earned achievements as Open Badges 3.0 credentials (JSON-LD ``OpenBadgeCredential``).

The credential is unsigned (no proof): it describes the award; a verifier resolves the issuer
and achievement ids. Ids are IRIs under ``PROGRESS_XAPI_BASE_IRI``, the platform's public base.
"""

from django.conf import settings

from ..models import UserAchievement

OB_CONTEXT = [
    "https://www.w3.org/ns/credentials/v2",
    "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json",
]


def _iso(moment) -> str:
    return moment.isoformat().replace("+00:00", "Z")


def open_badge_credential(award: UserAchievement, *, image_url: str | None = None) -> dict:
    base = settings.PROGRESS_XAPI_BASE_IRI.rstrip("/")
    achievement = award.achievement
    community = achievement.community
    achievement_data = {
        "id": f"{base}/achievements/{achievement.pk}",
        "type": ["Achievement"],
        "name": achievement.name,
        "description": achievement.description or achievement.name,
        "criteria": {"narrative": achievement.narrative()},
    }
    if image_url:
        achievement_data["image"] = {"id": image_url, "type": "Image"}
    return {
        "@context": OB_CONTEXT,
        "id": f"urn:uuid:{award.credential_id}",
        "type": ["VerifiableCredential", "OpenBadgeCredential"],
        "name": achievement.name,
        "issuer": {
            "id": f"{base}/communities/{community.slug}",
            "type": ["Profile"],
            "name": community.name,
        },
        "validFrom": _iso(award.earned_at),
        "credentialSubject": {
            "id": f"{base}/users/{award.user_id}",
            "type": ["AchievementSubject"],
            "achievement": achievement_data,
        },
    }
