"""Virtual learners for ``manage.py bench_learners`` (docs/performance.md, "make bench").

``BENCH_SCENARIO`` picks what every user does, one kind of request, as fast as it can:

- ``answer``: API answers in a lesson run (90 % right; a wrong one is requeued as the player does),
  starting the next run when one ends and refilling hearts when they run out (those requests are
  named apart and not in the answer figures);
- ``page_answer``: the same answers posted as the lesson page's form (``POST /runs/<id>/answer/``
  with the session cookie and the CSRF token, as the player's script sends it: the feedback
  fragment comes back); the CSRF token is read once from the lesson page (not counted);
- ``lesson_page``: the lesson player page of the learner's run;
- ``path_page``: the path page of the course ``BENCH_COURSE`` (default: the demo course);
- ``me``: ``GET /api/v1/me/``;
- ``read`` / ``write``: the baseline app's one indexed read / lock + insert + update transaction.

``BENCH_DATA`` names the JSON the command wrote (bench/prepare.py): each learner's API token,
session cookie and prepared run, the lesson played, and each of its exercises' type and payload (to
answer right).
"""

import itertools
import json
import os
import random
import re
import uuid
from pathlib import Path

from locust import HttpUser, constant, task

from bench.answers import form_fields, right_answer, wrong_answer

SCENARIO = os.environ.get("BENCH_SCENARIO", "read")
DATA = json.loads(Path(os.environ["BENCH_DATA"]).read_text()) if os.environ.get("BENCH_DATA") else {"learners": []}
# Each locust run takes its own slice of the learners (slice BENCH_SLICE of BENCH_USERS learners), so every measurement
# starts from runs nobody has answered yet, prepared by the command (no start in the measured time).
_USERS = int(os.environ.get("BENCH_USERS", "16"))
_SLICE = int(os.environ.get("BENCH_SLICE", "0"))
_mine = DATA["learners"][_SLICE * _USERS : (_SLICE + 1) * _USERS] or DATA["learners"]
_learners = itertools.cycle(_mine or [{}])
COURSE = os.environ.get("BENCH_COURSE") or DATA.get("course")
RIGHT_SHARE = 0.9
REQUEUE_GAP = 2
FRAGMENT_HEADER = {"X-Mallard-Fragment": "1"}  # what the player's script sends: the feedback fragment back
FEEDBACK = re.compile(r'class="feedback (\w+)".*?data-status="(\w+)"', re.DOTALL)


class Learner(HttpUser):
    wait_time = constant(0)

    def on_start(self):
        self.me = next(_learners)
        self.api = {"Authorization": f"Token {self.me.get('token', '')}"}
        self.client.cookies.set("sessionid", self.me.get("session", ""))
        self.run = None
        if SCENARIO in ("answer", "page_answer", "lesson_page"):
            if self.me.get("run"):
                self.use(self.me["run"])
            else:
                self.start_run()
        if SCENARIO == "page_answer":
            self.csrf_token()

    def csrf_token(self) -> None:
        """The CSRF cookie the lesson page sets, kept without its Secure flag (the benchmark speaks
        plain HTTP to gunicorn) and sent back in the form, as a browser's form post does."""
        response = self.client.get(f"/runs/{self.run['id']}/", name="lesson page (not counted)", allow_redirects=False)
        self.csrf = response.cookies.get("csrftoken") or ""
        self.client.cookies.set("csrftoken", self.csrf)

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
        elif SCENARIO == "page_answer":
            self.page_answer()
        elif SCENARIO == "lesson_page":
            self.page(f"/runs/{self.run['id']}/", "lesson page")
        elif SCENARIO == "path_page":
            self.page(f"/courses/{COURSE}/", "path page")
        elif SCENARIO == "me":
            self.client.get("/api/v1/me/", headers=self.api, name="me")
        elif SCENARIO == "read":
            self.client.get("/read/", name="read")
        elif SCENARIO == "write":
            self.client.post("/write/", name="write")

    def page(self, url: str, name: str) -> None:
        """A page of the signed-in learner: anything but a 200 (a redirect to the log-in page when
        the session is not valid) is a failure, not a fast page."""
        with self.client.get(url, name=name, allow_redirects=False, catch_response=True) as response:
            if response.status_code != 200:
                response.failure(f"{response.status_code} {response.headers.get('Location', '')}")

    def next_answer(self):
        """The exercise at the head of the queue and an answer to it (right 90 % of the time)."""
        exercise = self.queue[0]
        info = DATA["exercises"][str(exercise)]
        right = random.random() < RIGHT_SHARE
        answer = (right_answer if right else wrong_answer)(info["type"], info["payload"], self.public[exercise])
        return exercise, info["type"], answer

    def answered(self, exercise: int, correct: bool, status: str) -> None:
        """Follow the run as the player does: a wrong answer comes back two exercises later."""
        self.queue.pop(0)
        if not correct:
            self.queue.insert(min(REQUEUE_GAP, len(self.queue)), exercise)
        if status != "active" or not self.queue:
            self.start_run()

    def answer(self):
        exercise, _kind, answer = self.next_answer()
        body = {"exercise": exercise, "answer": answer, "client_id": str(uuid.uuid4())}
        url = f"/api/v1/runs/{self.run['id']}/answers/"
        response = self.client.post(url, json=body, headers=self.api, name="answer")
        if response.status_code != 200:
            self.start_run()
            return
        outcome = response.json()
        self.answered(exercise, outcome["correct"], outcome["run_status"])

    def page_answer(self):
        exercise, kind, answer = self.next_answer()
        form = {"csrfmiddlewaretoken": self.csrf, "exercise": str(exercise), "client_id": str(uuid.uuid4())}
        form |= form_fields(kind, answer, self.public[exercise])
        url = f"/runs/{self.run['id']}/answer/"
        with self.client.post(
            url, data=form, headers=FRAGMENT_HEADER, name="page answer", allow_redirects=False, catch_response=True
        ) as response:
            found = FEEDBACK.search(response.text) if response.status_code == 200 else None
            if found is None:
                response.failure(f"{response.status_code}: no feedback")
        if found is None:
            self.start_run()
            return
        self.answered(exercise, found[1] == "correct", found[2])
