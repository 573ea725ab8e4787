"""Helpers the test suites share: real threads (``threads``) and progress payloads (``progress``)."""
