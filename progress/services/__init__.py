"""Writes for progress: keyword-only, atomic functions named <entity>_<verb>."""
