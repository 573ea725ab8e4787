"""Communities (tenants) and who belongs to them."""

from django.conf import settings
from django.db import models


class MembershipRole(models.TextChoices):
    LEARNER = "learner", "Learner"
    INSTRUCTOR = "instructor", "Instructor"
    ADMIN = "admin", "Community admin"


class CommunityQuerySet(models.QuerySet):
    def for_user(self, user):
        """Communities ``user`` is a member of."""
        if not user or not user.is_authenticated:
            return self.none()
        return self.filter(memberships__user=user)

    def analytics_visible_to(self, user):
        """Communities whose analytics ``user`` may see: superusers all, others those they
        instruct or administer."""
        if not user or not user.is_authenticated:
            return self.none()
        if user.is_superuser:
            return self.all()
        return self.filter(
            memberships__user=user,
            memberships__role__in=[MembershipRole.INSTRUCTOR, MembershipRole.ADMIN],
        ).distinct()


class Community(models.Model):
    """A tenant: every program, course, WOD, page and block belongs to one community."""

    name = models.CharField("name", max_length=200)
    slug = models.SlugField(
        "slug", max_length=80, unique=True, help_text="Stable identifier in URLs and exports."
    )
    description = models.TextField("description", blank=True)
    content_version = models.PositiveBigIntegerField(
        "content version",
        default=1,
        editable=False,
        help_text="Bumped whenever the community's published structure changes; keys the structure cache.",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = CommunityQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "communities"

    def __str__(self):
        return self.name


class Membership(models.Model):
    community = models.ForeignKey(Community, on_delete=models.CASCADE, related_name="memberships")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(
        "role",
        max_length=20,
        choices=MembershipRole.choices,
        default=MembershipRole.LEARNER,
        help_text="Instructors and community admins also see the community's analytics.",
    )
    joined_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["community", "user"], name="progress_membership_unique"),
        ]
        indexes = [models.Index(fields=["user", "community"], name="progress_membership_user")]

    def __str__(self):
        return f"{self.user} in {self.community} ({self.role})"
