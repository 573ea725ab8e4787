import pytest
from django.core.management import call_command

from progress.models import (
    Block,
    BlockProgress,
    BlockType,
    Community,
    NodeProgress,
    ProgressEvent,
    Wod,
)
from progress.services import progress_recompute


def counts():
    return {
        model.__name__: model.objects.count()
        for model in (Block, Wod, BlockProgress, NodeProgress, ProgressEvent)
    }


@pytest.mark.django_db
def test_demo_is_complete_valid_and_idempotent(settings):
    settings.DEBUG = True
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    call_command("seed_demo", verbosity=0)
    first = counts()
    versions = list(Community.objects.order_by("pk").values_list("content_version", flat=True))
    call_command("seed_demo", verbosity=0)
    assert counts() == first
    assert list(Community.objects.order_by("pk").values_list("content_version", flat=True)) == versions
    gym = Community.objects.get(name="Demo Gym")
    blocks = Block.objects.filter(page__wod__community=gym)
    assert blocks.count() >= 100 and Wod.objects.filter(community=gym).count() >= 10
    assert set(blocks.values_list("block_type", flat=True)) == set(BlockType.values)
    for block in blocks:
        block.full_clean()
    assert ProgressEvent.objects.filter(user__username__startswith="gym-").exists()
    assert progress_recompute(dry_run=True).drift == []
    learner2 = Community.objects.get(memberships__user__username="learner2")
    assert learner2.slug == "riverside-robotics"
