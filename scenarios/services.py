"""Writes for scenarios: keyword-only, atomic functions named <entity>_<verb>."""
