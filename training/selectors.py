"""Reads for training: querysets and summaries the API, admin and commands share."""
