"""Errors the progress services raise besides Django's ValidationError."""


class LockedError(Exception):
    """The learner may not start this course or WOD yet: ``unmet`` lists the rules not met."""

    def __init__(self, *, node_type: str, node_id: int, title: str, unmet: list[dict]):
        self.node_type = node_type
        self.node_id = node_id
        self.title = title
        self.unmet = unmet
        super().__init__(f"{node_type} {node_id} is locked")

    def as_payload(self) -> dict:
        return {
            "locked": {"node_type": self.node_type, "node_id": self.node_id, "title": self.title},
            "unmet": self.unmet,
        }
