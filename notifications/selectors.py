"""Reads for notifications: querysets and summaries the API, admin and commands share."""
