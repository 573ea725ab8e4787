import pytest
from django.core.exceptions import ValidationError

from progress.models import BLOCK_RULES, Block, BlockType, CompletionRule
from tests.progress.factories import BLOCK_CONTENT, BlockFactory, build_program


@pytest.mark.django_db
def test_every_block_type_has_a_rule_and_factory_content_valid_against_its_schema():
    assert set(BLOCK_RULES) == set(BlockType.values) and len(BlockType.values) == 13
    for block_type in BlockType.values:
        block = BlockFactory(block_type=block_type, content=BLOCK_CONTENT[block_type])
        block.full_clean()


@pytest.mark.django_db
def test_block_content_is_validated_against_the_schema_of_its_type():
    block = BlockFactory(block_type=BlockType.QUIZ)
    block.content = {"questions": []}
    with pytest.raises(ValidationError) as excinfo:
        block.full_clean()
    assert "content" in excinfo.value.message_dict


@pytest.mark.django_db
def test_structural_blocks_are_not_completable_and_quizzes_are_masterable():
    assert BLOCK_RULES[BlockType.DIVIDER] == CompletionRule.NONE
    assert not Block(block_type=BlockType.SECTION_HEADER).completable
    assert Block(block_type=BlockType.QUIZ).masterable
    assert Block(block_type=BlockType.VIDEO).completable


@pytest.mark.django_db
def test_build_program_creates_ordered_tree():
    program = build_program(courses=2, wods_per_course=1, pages_per_wod=1, blocks_per_page=2)
    assert program.courses.count() == 2
    assert Block.objects.filter(page__wod__courses__programs=program).count() == 4


@pytest.mark.django_db
def test_prerequisite_rules_cannot_form_a_loop():
    from progress.models import Prerequisite
    from tests.progress.factories import CommunityFactory, PrerequisiteFactory, WodFactory

    community = CommunityFactory()
    a, b, c = (WodFactory(community=community) for _ in range(3))
    PrerequisiteFactory(wod=b, required_wod=a)
    PrerequisiteFactory(wod=c, required_wod=b)
    with pytest.raises(ValidationError, match="already requires"):
        Prerequisite(wod=a, required_wod=c).full_clean()
    with pytest.raises(ValidationError, match="another community"):
        Prerequisite(wod=a, required_wod=WodFactory()).full_clean()
    Prerequisite(wod=c, required_wod=a).full_clean()
