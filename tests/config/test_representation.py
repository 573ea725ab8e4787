"""A serializer compiled into a plain function answers what the serializer itself answers."""

import datetime as dt
from types import SimpleNamespace

import pytest
from django.contrib.auth import get_user_model
from rest_framework import serializers

from config.api.representation import representation


class ChildSerializer(serializers.Serializer):
    code = serializers.CharField()
    score = serializers.FloatField()


class ParentSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="pk")
    title = serializers.CharField(source="child.code")
    optional = serializers.CharField(source="missing.code", allow_null=True, default=None)
    nullable = serializers.IntegerField(source="gone.value", allow_null=True)
    skipped = serializers.CharField(source="nothing", read_only=True)
    flag = serializers.BooleanField()
    document = serializers.JSONField()
    at = serializers.DateTimeField()
    kind = serializers.ChoiceField(choices=["a", "b"])
    child = ChildSerializer(allow_null=True)
    children = ChildSerializer(many=True)
    doubled = serializers.SerializerMethodField()
    whole = serializers.CharField(source="*")

    def get_doubled(self, obj) -> int:
        return obj.pk * 2


class Thing(SimpleNamespace):
    def __str__(self):
        return f"thing {self.pk}"


def thing(**changes):
    values = {
        "pk": 7,
        "child": SimpleNamespace(code="A", score=1),
        "missing": None,
        "gone": None,
        "flag": 1,
        "document": {"steps": [1, 2]},
        "at": dt.datetime(2026, 3, 1, 12, 30, tzinfo=dt.UTC),
        "kind": "b",
        "children": [SimpleNamespace(code="B", score=0.5), SimpleNamespace(code="C", score=2)],
    }
    return Thing(**{**values, **changes})


@pytest.mark.parametrize(
    "obj",
    [thing(), thing(child=None, title=None, children=[]), {"pk": 3, "child": None, "flag": False}],
    ids=["full", "empty relations", "a row"],
)
def test_the_compiled_answer_is_the_serializers(obj):
    if isinstance(obj, dict):
        obj = {**obj, "document": None, "at": None, "kind": "a", "children": [], "missing": None}
        obj["gone"] = None
    try:
        expected = ParentSerializer(obj).data
    except Exception as error:  # the serializer refuses it: so does the compiled function
        with pytest.raises(type(error)):
            representation(ParentSerializer)(obj)
        return
    shaped = representation(ParentSerializer)(obj)
    assert shaped == expected
    assert list(shaped) == list(expected)


@pytest.mark.django_db
def test_model_serializers_and_relations_compile_too():
    class UserSerializer(serializers.ModelSerializer):
        groups = serializers.PrimaryKeyRelatedField(many=True, read_only=True)

        class Meta:
            model = get_user_model()
            fields = ["id", "username", "is_staff", "date_joined", "groups"]

    user = get_user_model().objects.create(username="ada")
    assert representation(UserSerializer)(user) == UserSerializer(user).data
