from rest_framework import generics  # noqa: F401
