"""Reads for progress: querysets and summaries the API, admin and commands share."""
