"""Reads for scenarios: querysets and summaries the API, admin and commands share."""
