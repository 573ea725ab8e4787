import pytest

from curriculum import services

from .factories import make_curriculum


@pytest.fixture
def curriculum(db):
    return make_curriculum(steps=3, plans="ABCD", priors={"A": 0.7, "B": 0.5, "C": 0.4, "D": 0.3})


@pytest.fixture
def enrollment(curriculum, user):
    enrollment, _ = services.enrollment_get_or_create(
        user=user, curriculum=curriculum, traits={"energy_level": "high", "food_motivation": "medium"}
    )
    return enrollment


@pytest.fixture
def record(user):
    """Record a status for ``user``'s enrollment: record(enrollment, step, plan, outcome, **kw)."""

    def _record(enrollment, step, plan, outcome, **kwargs):
        return services.coach_status_record(
            user=enrollment.user,
            enrollment=enrollment,
            step_order=step,
            plan_id=plan,
            outcome=outcome,
            **kwargs,
        )

    return _record


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    """Synthetic histories create many users: hash their passwords cheaply."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
