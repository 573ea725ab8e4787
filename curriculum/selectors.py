"""Reads for curriculum: querysets and summaries the API, admin and commands share."""
