"""The progress admin: the content tree and learner state (``content``); achievements,
milestones, certificates and analytics (``awards``)."""

from . import awards, content  # noqa: F401  (registers the model admins)
