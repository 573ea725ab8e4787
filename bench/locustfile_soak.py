"""Mixed client traffic for ``bench/soak.py`` (run by locust, headless, as a subprocess).

Each simulated user is one learner of the soak data (``SOAK_CONFIG`` names the JSON file
``bench/soak.py`` writes: tokens, ids). Its tasks, by weight: progress tree reads, event ingest,
scenario lists (every sort) and saves, coach status (the enrollment, then an outcome), and
reads of the learner's own training plan. Every answer other than the expected status is a
failure named by its status ("status 503"), so the report can count server errors apart.
"""

import itertools
import json
import os
import random
import uuid
from datetime import UTC, datetime

from locust import FastHttpUser, between, task

CONFIG = json.loads(open(os.environ["SOAK_CONFIG"]).read())
_learner_numbers = itertools.count()
SORTS = ["trending", "most_saved", "top_rated", "newest"]


class Learner(FastHttpUser):
    wait_time = between(CONFIG["wait_min_s"], CONFIG["wait_max_s"])

    def on_start(self):
        learners = CONFIG["learners"]
        self.me = learners[next(_learner_numbers) % len(learners)]
        self.headers = {"Authorization": f"Token {self.me['token']}", "Content-Type": "application/json"}
        self.rng = random.Random(self.me["token"])
        self.saved = set()
        self.next_block = 0

    def call(self, method, path, name, expect=(200,), body=None):
        with self.client.request(
            method,
            path,
            name=name,
            headers=self.headers,
            data=json.dumps(body) if body is not None else None,
            catch_response=True,
        ) as response:
            if response.status_code not in expect:
                response.failure(f"status {response.status_code}")
            else:
                response.success()
            return response

    @task(4)
    def tree(self):
        self.call("GET", f"/api/v1/progress/programs/{CONFIG['program']}/", "progress tree")

    @task(2)
    def ingest(self):
        blocks = CONFIG["blocks"]
        now = datetime.now(UTC).isoformat()
        events = []
        for _ in range(CONFIG["events_per_batch"]):
            block = blocks[self.next_block % len(blocks)]
            self.next_block += 1
            events.append(
                {
                    "block": block["id"],
                    "event": block["verb"],
                    **block["extra"],
                    "time_spent_s": 4,
                    "occurred_at": now,
                    "idempotency_key": uuid.uuid4().hex,
                }
            )
        self.call(
            "POST", "/api/v1/progress/events/", "progress events", expect=(200, 201), body={"events": events}
        )

    @task(3)
    def scenario_list(self):
        sort = self.rng.choice(SORTS)
        self.call("GET", f"/api/v1/scenarios/?sort={sort}", "scenario list")

    @task(1)
    def scenario_save(self):
        scenario = self.rng.choice(CONFIG["scenarios"])
        method = "DELETE" if scenario in self.saved else "PUT"
        response = self.call(method, f"/api/v1/scenarios/{scenario}/save/", f"scenario save ({method})")
        if response.status_code == 200:
            self.saved.symmetric_difference_update({scenario})

    @task(1)
    def coach_status(self):
        enrollment = self.me["enrollment"]
        state = self.call("GET", f"/api/v1/enrollments/{enrollment}/", "curriculum enrollment")
        if state.status_code != 200:
            return
        body = state.json()
        if body.get("current_step") is None or not body.get("current_plan_id"):
            return
        current = body["current_plan_id"]
        outcome = {"enrollment": enrollment, "step": body["current_step"], "plan_id": current}
        others = [code for code in CONFIG["plan_codes"] if code != current]
        if self.rng.random() < 0.3 and others:
            outcome.update(outcome="SWAPPED", next_plan_id=self.rng.choice(others), reason="soak")
        else:
            outcome["outcome"] = "STOPPED"
        self.call("POST", "/api/v1/coach/status", "coach status", expect=(200, 201), body=outcome)

    @task(1)
    def training_plan(self):
        zoom = self.rng.choice(["week", "full"])
        self.call("GET", f"/api/v1/training-plans/{self.me['training_plan']}/?zoom={zoom}", "training plan")
