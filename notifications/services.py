"""Writes for notifications: keyword-only, atomic functions named <entity>_<verb>."""
