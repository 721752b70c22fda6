"""Virtual learners for ``manage.py bench_learners`` (docs/performance.md, "make bench").

``BENCH_SCENARIO`` picks what every user does, one kind of request, as fast as it can:

- ``answer``: API answers in a lesson run (90 % right; a wrong one is requeued as the player does),
  starting the next run when one ends and refilling hearts when they run out (those requests are
  named apart and not in the answer figures);
- ``lesson_page``: the lesson player page of the learner's run;
- ``path_page``: the demo course's path page;
- ``me``: ``GET /api/v1/me/``;
- ``read`` / ``write``: the baseline app's one indexed read / lock + insert + update transaction.

``BENCH_DATA`` names the JSON the command wrote: each learner's API token and session cookie, the
lesson played, and each of its exercises' type and payload (to answer right).
"""

import itertools
import json
import os
import random
import uuid
from pathlib import Path

from locust import HttpUser, constant, task

from bench.answers import right_answer, wrong_answer

SCENARIO = os.environ.get("BENCH_SCENARIO", "read")
DATA = json.loads(Path(os.environ["BENCH_DATA"]).read_text()) if os.environ.get("BENCH_DATA") else {"learners": []}
# Each locust run takes its own slice of the learners (slice BENCH_SLICE of BENCH_USERS learners), so every measurement
# starts from runs nobody has answered yet, prepared by the command (no start in the measured time).
_USERS = int(os.environ.get("BENCH_USERS", "16"))
_SLICE = int(os.environ.get("BENCH_SLICE", "0"))
_mine = DATA["learners"][_SLICE * _USERS : (_SLICE + 1) * _USERS] or DATA["learners"]
_learners = itertools.cycle(_mine or [{}])
RIGHT_SHARE = 0.9
REQUEUE_GAP = 2


class Learner(HttpUser):
    wait_time = constant(0)

    def on_start(self):
        self.me = next(_learners)
        self.api = {"Authorization": f"Token {self.me.get('token', '')}"}
        self.client.cookies.set("sessionid", self.me.get("session", ""))
        self.run = None
        if SCENARIO in ("answer", "lesson_page"):
            if self.me.get("run"):
                self.use(self.me["run"])
            else:
                self.start_run()

    def use(self, run: dict) -> None:
        self.run = run
        self.queue = list(run["queue"])
        self.public = {e["id"]: e["public"] for e in run["exercises"]}

    def start_run(self):
        with self.client.post(
            f"/api/v1/lessons/{DATA['lesson']}/runs/", headers=self.api, name="start (not counted)", catch_response=True
        ) as response:
            if response.status_code == 409:  # out of hearts: refill with the gems the learner was given
                response.success()
                self.client.post("/api/v1/me/hearts/refill/", headers=self.api, name="refill (not counted)")
                return self.start_run()
            self.use(response.json())

    @task
    def work(self):
        if SCENARIO == "answer":
            self.answer()
        elif SCENARIO == "lesson_page":
            self.client.get(f"/runs/{self.run['id']}/", name="lesson page")
        elif SCENARIO == "path_page":
            self.client.get(f"/courses/{DATA['course']}/", name="path page")
        elif SCENARIO == "me":
            self.client.get("/api/v1/me/", headers=self.api, name="me")
        elif SCENARIO == "read":
            self.client.get("/read/", name="read")
        elif SCENARIO == "write":
            self.client.post("/write/", name="write")

    def answer(self):
        exercise = self.queue[0]
        info = DATA["exercises"][str(exercise)]
        right = random.random() < RIGHT_SHARE
        text = (right_answer if right else wrong_answer)(info["type"], info["payload"], self.public[exercise])
        body = {"exercise": exercise, "answer": text, "client_id": str(uuid.uuid4())}
        url = f"/api/v1/runs/{self.run['id']}/answers/"
        response = self.client.post(url, json=body, headers=self.api, name="answer")
        if response.status_code != 200:
            self.start_run()
            return
        outcome = response.json()
        self.queue.pop(0)
        if not outcome["correct"]:
            self.queue.insert(min(REQUEUE_GAP, len(self.queue)), exercise)
        if outcome["run_status"] != "active" or not self.queue:
            self.start_run()
