"""Reads for progress: querysets and summaries the API, admin and commands share.

* ``content``: content scoped to the learner's communities;
* ``structure``: a community's published structure, cached by content version;
* ``progress``: roll-up rows and prerequisite checks;
* ``tree``: a learner's progress tree; ``next``: the next thing to do;
* ``xapi``: the event log as xAPI statements.
"""
