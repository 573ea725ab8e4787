from rest_framework import serializers  # noqa: F401
