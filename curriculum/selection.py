"""The numbers behind smart plan selection: Beta posteriors, the selection policies and
credible intervals. Pure functions, no database.

A plan's evidence for one learner is a Beta posterior (see :func:`posterior`). The ranking
orders the suitable plans by a *selection score* computed by the curriculum's policy:

``greedy``
    the posterior mean: always the plan that looks best now. A plan that a confident designer
    prior ranks low is tried only when every plan above it has failed, so it may never be found.
``ucb``
    the mean plus ``CURRICULUM_UCB_WIDTH`` (2) posterior standard deviations: an optimism bonus
    for plans with little evidence, shrinking as evidence grows.
``thompson``
    one draw from each plan's posterior, seeded by (enrollment, step) so the same learner gets
    the same ranking every time they ask: plans are suggested in proportion to the chance that
    they are the best, and the spread of the draws narrows as evidence grows.
"""

import math
import random
from dataclasses import dataclass

from django.conf import settings

GREEDY, UCB, THOMPSON = "greedy", "ucb", "thompson"
POLICIES = (GREEDY, UCB, THOMPSON)
POLICY_CHOICES = [
    (GREEDY, "Greedy: highest expected success"),
    (UCB, "Optimistic: expected success plus a bonus for little evidence"),
    (THOMPSON, "Thompson sampling: one draw from each plan's posterior"),
]


@dataclass(frozen=True)
class Posterior:
    """``Beta(alpha, beta)``: the belief about one plan's success rate for one segment."""

    alpha: float
    beta: float

    @property
    def mean(self) -> float:
        return self.alpha / (self.alpha + self.beta)

    @property
    def sd(self) -> float:
        total = self.alpha + self.beta
        return math.sqrt(self.alpha * self.beta / (total * total * (total + 1)))

    def interval(self, mass: float = 0.9) -> tuple[float, float]:
        """The equal-tailed credible interval holding ``mass`` of the belief."""
        tail = (1 - mass) / 2
        return beta_ppf(tail, self.alpha, self.beta), beta_ppf(1 - tail, self.alpha, self.beta)


def posterior(
    *,
    prior_rate: float,
    prior_strength: float,
    successes: int,
    attempts: int,
    rest_successes: int = 0,
    rest_attempts: int = 0,
    borrow_strength: float = 0.0,
) -> Posterior:
    """The posterior of one plan for one trait segment.

    Three layers of evidence: the designer prior ``Beta(p0·n0, (1 − p0)·n0)``; ``w`` pseudo-attempts
    at the other learners' rate ``r = S / N`` with ``w = min(N, k) · k / (k + n)`` (``k`` =
    ``borrow_strength``), which fade as the segment gathers its own evidence; and the segment's own
    ``s`` successes in ``n`` attempts::

        alpha = p0·n0 + w·r + s,   beta = (1 − p0)·n0 + w·(1 − r) + (n − s)

    so the mean is ``(p0·n0 + w·r + s) / (n0 + w + n)``.
    """
    weight = borrowed = 0.0
    if rest_attempts > 0 and borrow_strength > 0:
        weight = min(rest_attempts, borrow_strength) * borrow_strength / (borrow_strength + attempts)
        borrowed = weight * rest_successes / rest_attempts
    alpha = prior_rate * prior_strength + borrowed + successes
    beta = (1 - prior_rate) * prior_strength + (weight - borrowed) + (attempts - successes)
    # A prior of exactly 0 or 1 with no evidence against it: keep the Beta proper.
    return Posterior(alpha=max(alpha, 1e-6), beta=max(beta, 1e-6))


def policy_for(curriculum) -> str:
    """The curriculum's own policy, else the ``CURRICULUM_SELECTION_POLICY`` setting."""
    chosen = getattr(curriculum, "selection_policy", "") or settings.CURRICULUM_SELECTION_POLICY
    return chosen if chosen in POLICIES else GREEDY


def selection_rng(*, enrollment_id: int | None, step_id: int) -> random.Random:
    """The random stream of one learner at one step: the same (enrollment, step), the same draws
    (string seeds are hashed with SHA-512, so this holds across processes and machines)."""
    return random.Random(f"curriculum-selection:{enrollment_id or 0}:{step_id}")


def selection_scores(
    policy: str, posteriors: list[Posterior], *, rng: random.Random | None = None
) -> list[float]:
    """The score each posterior ranks by under ``policy`` (in the order given, which must be
    stable, e.g. designer order, so Thompson's draws are reproducible)."""
    if policy == UCB:
        width = float(settings.CURRICULUM_UCB_WIDTH)
        return [p.mean + width * p.sd for p in posteriors]
    if policy == THOMPSON:
        rng = rng or random.Random(0)
        return [rng.betavariate(p.alpha, p.beta) for p in posteriors]
    return [p.mean for p in posteriors]


# --- The Beta distribution's CDF and quantiles (no SciPy) -------------------------------


def _beta_continued_fraction(x: float, a: float, b: float) -> float:
    """Continued fraction of the regularised incomplete beta function (modified Lentz)."""
    tiny, eps = 1e-300, 1e-15
    qab, qap, qam = a + b, a + 1.0, a - 1.0
    c, d = 1.0, 1.0 - qab * x / qap
    d = 1.0 / (d if abs(d) > tiny else tiny)
    h = d
    for m in range(1, 400):
        m2 = 2 * m
        aa = m * (b - m) * x / ((qam + m2) * (a + m2))
        d = 1.0 + aa * d
        d = 1.0 / (d if abs(d) > tiny else tiny)
        c = 1.0 + aa / c
        c = c if abs(c) > tiny else tiny
        h *= d * c
        aa = -(a + m) * (qab + m) * x / ((a + m2) * (qap + m2))
        d = 1.0 + aa * d
        d = 1.0 / (d if abs(d) > tiny else tiny)
        c = 1.0 + aa / c
        c = c if abs(c) > tiny else tiny
        delta = d * c
        h *= delta
        if abs(delta - 1.0) < eps:
            break
    return h


def beta_cdf(x: float, a: float, b: float) -> float:
    """``P(X <= x)`` for ``X ~ Beta(a, b)``: the regularised incomplete beta function."""
    if x <= 0:
        return 0.0
    if x >= 1:
        return 1.0
    log_front = math.lgamma(a + b) - math.lgamma(a) - math.lgamma(b) + a * math.log(x) + b * math.log1p(-x)
    front = math.exp(log_front)
    if x < (a + 1) / (a + b + 2):
        return front * _beta_continued_fraction(x, a, b) / a
    return 1.0 - front * _beta_continued_fraction(1 - x, b, a) / b


def beta_ppf(q: float, a: float, b: float) -> float:
    """The ``q`` quantile of ``Beta(a, b)`` (inverse CDF), by bisection to a relative 1e-12
    (the CDF rises monotonically, so bisection always converges)."""
    if q <= 0:
        return 0.0
    if q >= 1:
        return 1.0
    low, high = 0.0, 1.0
    for _ in range(200):
        middle = (low + high) / 2
        if beta_cdf(middle, a, b) < q:
            low = middle
        else:
            high = middle
        if high - low <= 1e-12 * high:
            break
    return (low + high) / 2
