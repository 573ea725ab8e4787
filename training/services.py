"""Writes for training: keyword-only, atomic functions named <entity>_<verb>."""
