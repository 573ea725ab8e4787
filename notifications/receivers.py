"""How notifications react to training's events (``training/events.py``): each event enqueues
these tasks with the event's arguments, through the task outbox, after training's transaction
commits. Subscribed in ``NotificationsConfig.ready()``; the work runs in the tasks."""

TRAINING_EVENTS = {
    "plan_activated": ["notifications.tasks.plan_activated"],
    "plan_deactivated": ["notifications.tasks.plan_deactivated"],
    "plan_realigned": ["notifications.tasks.reschedule_plan"],
    "session_completed": ["notifications.tasks.session_completed"],
    "session_missed": ["notifications.tasks.session_missed"],
    "session_skipped": ["notifications.tasks.session_skipped"],
    "session_moved": ["notifications.tasks.session_moved"],
}
