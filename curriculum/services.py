"""Writes for curriculum: keyword-only, atomic functions named <entity>_<verb>."""
