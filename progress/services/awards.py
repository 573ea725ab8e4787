"""What an ingest earns: milestones, certificates and achievements, in the ingest's transaction.

Registered as an ingest hook (``progress.apps``); each step only looks at what the batch changed.
"""

from dataclasses import dataclass, field

from .achievements import AchievementOutcome, achievements_evaluate_after_ingest
from .certificates import certificates_issue_after_ingest, milestones_evaluate_after_ingest


@dataclass
class Awards:
    milestones: list = field(default_factory=list)
    certificates: list = field(default_factory=list)
    achievements: list[AchievementOutcome] = field(default_factory=list)

    @property
    def earned(self) -> list[AchievementOutcome]:
        return [o for o in self.achievements if o.newly_earned]


def awards_evaluate_after_ingest(*, user, result) -> Awards:
    awards = Awards()
    if not result.accepted:
        return awards
    awards.milestones = milestones_evaluate_after_ingest(user=user, result=result)
    awards.certificates = certificates_issue_after_ingest(
        user=user, result=result, new_milestones=awards.milestones
    )
    awards.achievements = achievements_evaluate_after_ingest(user=user, result=result)
    result.awards = awards
    return awards
