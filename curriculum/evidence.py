"""Reads for the admin's evidence views: an alternative's statistics per trait segment with the
posterior the ranking uses, and a curriculum's first-try success over time."""

from dataclasses import dataclass

from django.conf import settings
from django.db.models import Count, Min, Q
from django.db.models.functions import TruncWeek

from .models import ALL_LEARNERS, Alternative, AlternativeStat, Curriculum, Outcome, OutcomeEvent
from .selection import posterior

INTERVAL_MASS = 0.9


@dataclass(frozen=True)
class SegmentEvidence:
    segment: str
    labels: list[str]  # one per segmenting trait of the curriculum, in its order
    successes: int
    attempts: int
    expected: float  # the posterior mean the ranking uses for a learner of this segment
    low: float  # the 90% credible interval of that posterior
    high: float

    @property
    def rate(self) -> float | None:
        return self.successes / self.attempts if self.attempts else None


def segment_columns(curriculum: Curriculum) -> list[str]:
    """Column titles: the trait schema's titles of the segmenting traits (one column when none)."""
    properties = (curriculum.trait_schema or {}).get("properties", {})
    titles = [
        (properties.get(name, {}).get("title") or name.replace("_", " ")).capitalize()
        for name in curriculum.segment_traits()
    ]
    return titles or [curriculum.learner_noun.capitalize()]


def _labels(curriculum: Curriculum, segment: str, width: int) -> list[str]:
    """One label per column: the schema's ``x-segment-labels`` for each trait value."""
    if segment == ALL_LEARNERS:
        return [f"all {curriculum.learner_noun}"] + [""] * (width - 1)
    properties = (curriculum.trait_schema or {}).get("properties", {})
    values = dict(part.partition("=")[::2] for part in segment.split("&") if part)
    labels = []
    for name in curriculum.segment_traits():
        value = values.pop(name, None)
        spec = properties.get(name, {})
        labels.append("any" if value is None else (spec.get("x-segment-labels") or {}).get(value) or value)
    if values:  # recorded under traits the schema no longer segments by
        extra = ", ".join(f"{name} {value}" for name, value in values.items())
        labels = [*labels[:-1], f"{labels[-1]} ({extra})"] if labels else [extra]
    return labels + [""] * (width - len(labels))


def alternative_evidence(
    *, alternative: Alternative, rows: list[AlternativeStat] | None = None
) -> list[SegmentEvidence]:
    """One row per segment with outcomes (all learners first): counts, the posterior mean the
    ranking uses for a learner of that segment (designer prior, the segment's own results and
    what it borrows from the others) and its credible interval. ``rows`` may be prefetched."""
    curriculum = alternative.step.curriculum
    if rows is None:
        rows = list(AlternativeStat.objects.filter(alternative=alternative))
    counts = {row.segment: (row.successes, row.attempts) for row in rows}
    overall = counts.get(ALL_LEARNERS, (0, 0))
    borrow = float(settings.CURRICULUM_BORROW_STRENGTH)
    width = len(segment_columns(curriculum))
    evidence = []
    for segment in sorted(counts, key=lambda s: (s != ALL_LEARNERS, s)):
        s, n = counts[segment]
        rest = (0, 0) if segment == ALL_LEARNERS else (overall[0] - s, overall[1] - n)
        belief = posterior(
            prior_rate=alternative.prior_success_rate,
            prior_strength=alternative.prior_strength,
            successes=s,
            attempts=n,
            rest_successes=rest[0],
            rest_attempts=rest[1],
            borrow_strength=borrow,
        )
        low, high = belief.interval(INTERVAL_MASS)
        evidence.append(
            SegmentEvidence(
                segment=segment,
                labels=_labels(curriculum, segment, width),
                successes=s,
                attempts=n,
                expected=belief.mean,
                low=low,
                high=high,
            )
        )
    return evidence


def first_try_success_by_week(*, curriculum: Curriculum, weeks: int = 26) -> list[tuple[str, float, int]]:
    """``(week starting, first-try success in %, learner-steps)`` for the last ``weeks`` weeks with
    outcomes: of the learners who reported their first outcome at a step that week, the share whose
    first plan succeeded. Two queries' worth of SQL (one with a subquery), whatever the history."""
    firsts = (
        OutcomeEvent.objects.filter(step__curriculum=curriculum)
        .values("enrollment_id", "step_id")
        .annotate(first=Min("id"))
        .values("first")
    )
    rows = list(
        OutcomeEvent.objects.filter(id__in=firsts)
        .annotate(week=TruncWeek("created_at"))
        .values("week")
        .annotate(total=Count("id"), successes=Count("id", filter=Q(outcome=Outcome.SUCCESS)))
        .order_by("-week")[:weeks]
    )
    return [
        (row["week"].date().isoformat(), round(100 * row["successes"] / row["total"], 1), row["total"])
        for row in reversed(rows)
    ]
