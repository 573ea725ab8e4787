from zoneinfo import ZoneInfo

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from config.timezones import zone_names as _zone_names

from ..models import KINDS, Device, Notification, Platform, Tone

TIME_HELP = "Local time, HH:MM."


def time_field(**kwargs):
    return serializers.TimeField(
        format="%H:%M", input_formats=["%H:%M", "%H:%M:%S"], help_text=TIME_HELP, **kwargs
    )


@extend_schema_field(
    {
        "type": "object",
        "properties": {kind: {"type": "boolean"} for kind in KINDS},
        "additionalProperties": False,
        "description": "Kind → on/off.",
    }
)
class CategoriesField(serializers.DictField):
    """Kind → on/off; the kinds are the only keys."""


class PreferencesSerializer(serializers.Serializer):
    """The preferences as the API shows them (every kind listed under ``categories``)."""

    time_zone = serializers.CharField(help_text="IANA time zone, e.g. Europe/Berlin.")
    quiet_hours_start = time_field()
    quiet_hours_end = time_field()
    evening_brief_time = time_field()
    morning_hype_lead_min = serializers.IntegerField()
    tone = serializers.ChoiceField(choices=Tone.choices)
    categories = CategoriesField(child=serializers.BooleanField(), help_text="Kind → on/off.")
    locked_categories = serializers.ListField(
        child=serializers.CharField(),
        read_only=True,
        help_text="Kinds that cannot be switched off now (the accountability kinds while a plan is active).",
    )
    snoozed_until = serializers.DateTimeField(allow_null=True, read_only=True)
    daily_budget = serializers.IntegerField()
    weather_location = serializers.CharField(allow_blank=True)


class PreferencesUpdateSerializer(serializers.Serializer):
    time_zone = serializers.CharField(
        required=False, max_length=64, help_text="IANA time zone, e.g. Europe/Berlin."
    )
    quiet_hours_start = time_field(required=False)
    quiet_hours_end = time_field(required=False)
    evening_brief_time = time_field(required=False)
    morning_hype_lead_min = serializers.IntegerField(required=False, min_value=5, max_value=240)
    tone = serializers.ChoiceField(choices=Tone.choices, required=False)
    categories = CategoriesField(child=serializers.BooleanField(), required=False)
    daily_budget = serializers.IntegerField(required=False, min_value=1, max_value=20)
    weather_location = serializers.CharField(required=False, allow_blank=True, max_length=100)

    def validate_time_zone(self, value):
        if value not in _zone_names():
            raise serializers.ValidationError(
                f"Unknown time zone {value!r}; use an IANA name like Europe/Berlin."
            )
        ZoneInfo(value)
        return value

    def validate_categories(self, value):
        unknown = sorted(set(value) - set(KINDS))
        if unknown:
            raise serializers.ValidationError(
                f"Unknown kind: {', '.join(unknown)}. Kinds: {', '.join(KINDS)}."
            )
        return value

    def validate(self, attrs):
        unknown = sorted(set(self.initial_data) - set(self.fields))
        if unknown:
            raise serializers.ValidationError(
                {name: ["Not a preference you can change."] for name in unknown}
            )
        return attrs


class SnoozeSerializer(serializers.Serializer):
    until = serializers.DateTimeField(help_text="Hold notifications until then (at most 24 hours ahead).")


class DeviceSerializer(serializers.ModelSerializer):
    platform = serializers.ChoiceField(choices=Platform.choices)

    class Meta:
        model = Device
        fields = ["id", "platform", "token", "active", "created_at"]
        read_only_fields = ["id", "active", "created_at"]
        extra_kwargs = {"token": {"validators": []}}


class NotificationSerializer(serializers.ModelSerializer):
    title = serializers.SerializerMethodField()
    body = serializers.SerializerMethodField()
    deep_link = serializers.SerializerMethodField()
    category = serializers.SerializerMethodField()
    actions = serializers.SerializerMethodField()

    class Meta:
        model = Notification
        fields = [
            "id",
            "kind",
            "title",
            "body",
            "deep_link",
            "category",
            "actions",
            "plan",
            "session",
            "sent_at",
            "opened_at",
            "clicked_at",
        ]
        read_only_fields = fields

    def get_title(self, obj) -> str:
        return obj.payload.get("title", "")

    def get_body(self, obj) -> str:
        return obj.payload.get("body", "")

    def get_deep_link(self, obj) -> str:
        return obj.payload.get("deep_link", "")

    def get_category(self, obj) -> str:
        return obj.payload.get("category", "")

    @extend_schema_field(serializers.ListField(child=serializers.CharField()))
    def get_actions(self, obj):
        return obj.payload.get("actions", [])


class ScheduledNotificationSerializer(serializers.ModelSerializer):
    send_at_local = serializers.SerializerMethodField(
        help_text="send_at in the user's time zone, with its offset."
    )
    session_title = serializers.SerializerMethodField()
    session_date = serializers.SerializerMethodField()
    reason = serializers.SerializerMethodField()

    class Meta:
        model = Notification
        fields = [
            "id",
            "kind",
            "send_at",
            "send_at_local",
            "local_date",
            "session",
            "session_title",
            "session_date",
            "reason",
        ]
        read_only_fields = fields

    def get_send_at_local(self, obj) -> str:
        return obj.send_at.astimezone(self.context["zone"]).isoformat()

    def get_session_title(self, obj) -> str | None:
        return obj.session.title if obj.session_id else None

    @extend_schema_field(serializers.DateField(allow_null=True))
    def get_session_date(self, obj):
        return obj.session.date.isoformat() if obj.session_id else None

    def get_reason(self, obj) -> str:
        return obj.decision.get("reason", "")
