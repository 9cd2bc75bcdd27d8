"""A cast of callers, one per role, and fresh objects for each of them to act on.

Used by the permission matrix: every (route, role) call gets its own project, task, annotation,
member, user or token, so a call that deletes or changes something never affects the next.
"""

from __future__ import annotations

import base64
import itertools
from dataclasses import dataclass, field
from typing import Any

from fastapi.routing import iter_route_contexts
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from accord.actions.projects import do_update_project
from accord.actions.tokens import do_create_token
from accord.actions.users import do_update_user
from accord.db import Database
from accord.models import Adjudication, AuditEvent, Project, Review, Task, User
from accord.security import hash_password
from tests.api.conftest import Api
from tests.factories import PASSWORD, SIMPLE, add_tasks, make_project, make_user, texts

API_PREFIX = "/api/v1"
PNG = (  # one grey pixel
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x00\x00\x00\x00:~"
    b"\x9bU\x00\x00\x00\nIDATx\x9cc`\x00\x00\x00\x02\x00\x01H\xaf\xa4q\x00\x00\x00\x00IEND\xaeB`\x82"
)
# Who calls: nobody; a signed-in user outside the project; the annotator who works on the
# task; another annotator of the project (a peer, who has not touched the task); a reviewer;
# a manager; an admin who is not a member.
ROLES = ("anonymous", "outsider", "annotator", "peer", "reviewer", "manager", "admin")
MEMBER_ROLES = {"annotator": "annotator", "peer": "annotator", "reviewer": "reviewer"}


def password_hash() -> str:
    """An argon2 hash of `PASSWORD`, made by whichever hasher is in force."""
    hashed: str = hash_password(PASSWORD)
    return hashed


def api_routes(client: TestClient) -> set[str]:
    """Every route of the app under /api/v1, as ``"METHOD /path"`` (path without the prefix)."""
    found = set()
    for route in iter_route_contexts(client.app.routes):  # type: ignore[attr-defined]
        path = route.path or ""
        if path.startswith(API_PREFIX + "/"):
            for method in route.methods or ():
                if method != "HEAD":
                    found.add(f"{method} {path.removeprefix(API_PREFIX)}")
    return found


@dataclass
class World:
    db: Database
    api: Api
    users: dict[str, User] = field(default_factory=dict)
    tokens: dict[str, str] = field(default_factory=dict)
    _numbers: itertools.count[int] = field(default_factory=itertools.count)

    @classmethod
    def build(cls, db: Database, api: Api) -> World:
        world = cls(db, api)
        for role in ROLES[1:]:
            user, token = make_user(db, f"{role}@example.com", admin=role == "admin")
            world.users[role], world.tokens[role] = user, token
        with db.write() as session:  # the manager's account may create projects; others not
            manager = session.get(User, world.users["manager"].id)
            assert manager is not None
            do_update_user(session, None, manager, can_create_projects=True)
        # The outsider is a member somewhere else: being a member of *a* project is not enough.
        make_project(db, world.users["outsider"])
        return world

    def as_(self, role: str) -> Api:
        return self.api.as_(self.tokens.get(role))

    def unique(self, prefix: str) -> str:
        return f"{prefix}{next(self._numbers)}"

    def project(self) -> Project:
        """A project managed by the manager, with the other members, overlap 3 and two tasks."""
        manager = self.users["manager"]
        members = {self.users[role]: kind for role, kind in MEMBER_ROLES.items()}
        project = make_project(self.db, manager, SIMPLE, overlap=3, members=members)
        add_tasks(self.db, manager, project, texts(2))
        return project

    def task(self, project: Project) -> int:
        """The id of a task the annotator holds (leased through the API)."""
        answer = self.as_("annotator").post(f"/projects/{project.id}/next")
        assert answer.status_code == 200, answer.text
        task_id: int = answer.json()["task"]["id"]
        return task_id

    def annotation(self, project: Project) -> int:
        """The id of an annotation the annotator submitted."""
        task_id = self.task(project)
        answer = self.as_("annotator").post(
            f"/tasks/{task_id}/annotations", json={"result": {"label": {"choice": "pos"}}}
        )
        assert answer.status_code == 201, answer.text
        annotation_id: int = answer.json()["annotation"]["id"]
        return annotation_id

    def review(self, project: Project) -> int:
        """The id of the open review of an annotation the annotator submitted (the project
        reviews everything from now on)."""
        with self.db.write() as session:
            fresh = session.get(Project, project.id)
            assert fresh is not None
            do_update_project(session, self.users["manager"], fresh, {"review_share": 1.0})
        annotation = self.annotation(project)
        with self.db.read() as session:
            review_id = session.scalar(select(Review.id).where(Review.annotation_id == annotation))
        assert review_id is not None
        return int(review_id)

    def adjudication(self, project: Project) -> int:
        """The id of an open adjudication of one of the project's tasks (nobody annotated it)."""
        with self.db.write() as session:
            task_id = session.scalar(
                select(Task.id).where(Task.project_id == project.id).order_by(Task.id.desc())
            )
            assert task_id is not None
            found = Adjudication(project_id=project.id, task_id=task_id, reason="matrix")
            session.add(found)
            session.flush()
            adjudication_id = found.id
        return int(adjudication_id)

    def webhook(self, project: Project) -> tuple[int, int]:
        """The ids of a webhook of the project and of a finished delivery of it."""
        from accord.actions.webhooks import do_create_webhook
        from accord.models import WebhookDelivery

        with self.db.write() as session:
            manager = session.get(User, self.users["manager"].id)
            assert manager is not None
            hook = do_create_webhook(
                session, manager, project.id, "https://hooks.example.com/in", ["task.completed"]
            )
            delivery = WebhookDelivery(
                webhook_id=hook.id,
                project_id=project.id,
                event="ping",
                payload="{}",
                state="delivered",
                attempts=1,
                response_body="",
                error="",
            )
            session.add(delivery)
            session.flush()
            return hook.id, delivery.id

    def ml_backend(self, project: Project) -> int:
        """The id of a model server of the project (never reached: calls to it fail fast)."""
        from accord.actions.ml_backends import do_create_backend

        with self.db.write() as session:
            manager = session.get(User, self.users["manager"].id)
            assert manager is not None
            backend = do_create_backend(
                session,
                manager,
                project.id,
                title="matrix",
                url="https://models.example.com",
                timeout_seconds=0.5,
            )
            return int(backend.id)

    def job(self, project: Project) -> int:
        """A finished export job of the project, its file in the storage (never handed to
        the queue, so nothing runs it again)."""
        from accord.actions.jobs import do_start_job
        from accord.models import Job, JobState

        storage = self.api.client.app.state.jobs.storage  # type: ignore[attr-defined]
        key = f"exports/{self.unique('export')}.jsonl"
        storage.write_bytes(key, b'{"id": 1}\n')
        with self.db.write() as session:
            manager = session.get(User, self.users["manager"].id)
            job = do_start_job(session, manager, project.id, "export", {})
            session.flush()
            found = session.get(Job, job.id)
            assert found is not None
            found.state = JobState.succeeded.value
            found.result = {"key": key, "filename": "export.jsonl", "bytes": 10}
            return int(job.id)

    def queued_job(self, project: Project) -> int:
        """A queued job of the project (recorded only: it stays queued for the test)."""
        from accord.actions.jobs import do_start_job

        with self.db.write() as session:
            manager = session.get(User, self.users["manager"].id)
            return int(do_start_job(session, manager, project.id, "export", {}).id)

    def corpus(self, project: Project) -> int:
        """A reference corpus of the project (recorded only, failed: deleting it is allowed)."""
        from accord.models import OriginalityCorpus

        with self.db.write() as session:
            corpus = OriginalityCorpus(
                project_id=project.id, question="q", name="matrix", state="failed", texts=0
            )
            session.add(corpus)
            session.flush()
            return int(corpus.id)

    def user(self) -> User:
        user, _ = make_user(self.db, f"{self.unique('someone')}@example.com")
        return user

    def member(self, project: Project) -> User:
        """A fresh user who is an annotator of ``project``."""
        user = self.user()
        answer = self.as_("manager").post(
            f"/projects/{project.id}/members", json={"email": user.email, "role": "annotator"}
        )
        assert answer.status_code == 200, answer.text
        return user

    def token_of(self, role: str) -> int:
        """A fresh API token of the caller (of the annotator for anonymous callers)."""
        user = self.users.get(role, self.users["annotator"])
        with self.db.write() as session:
            _, row = do_create_token(session, user, user, self.unique("spare"))
        token_id: int = row.id
        return token_id

    def file_token(self) -> str:
        """The token of a signed link to a stored file (whoever holds the link may fetch it)."""
        from accord.actions.secrets import instance_secret
        from accord.media.files import FILES_PATH, file_url
        from accord.media.storage import open_storage

        storage = open_storage(self.api.client.app.state.settings)  # type: ignore[attr-defined]
        key = f"matrix/{self.unique('file')}.txt"
        storage.write_bytes(key, b"a stored file")
        return file_url(storage, instance_secret(self.db), key, 60).removeprefix(FILES_PATH)

    def problem_report(self) -> int:
        """The id of a problem report the annotator made, with a screenshot."""
        from accord.actions.problem_reports import do_create_problem_report
        from accord.media.storage import open_storage

        storage = open_storage(self.api.client.app.state.settings)  # type: ignore[attr-defined]
        shot = "data:image/png;base64," + base64.b64encode(PNG).decode()
        report = do_create_problem_report(
            self.db, storage, self.users["annotator"], "matrix", {"page": "/"}, shot
        )
        return int(report.id)

    def flag(self) -> int:
        """The id of a question the annotator asked about a task they hold, answered by the
        manager (so that it may be promoted)."""
        from accord.actions.flags import do_answer_flag, do_flag
        from accord.api.policies import Can, task_access

        project = self.project()
        task_id = self.task(project)
        with self.db.write() as session:
            annotator = session.get(User, self.users["annotator"].id)
            manager = session.get(User, self.users["manager"].id)
            assert annotator is not None and manager is not None
            task, info, _ = task_access(session, annotator, task_id, Can.view)
            flag = do_flag(session, annotator, info, task, "is this positive?")
            do_answer_flag(session, manager, flag, "yes")
            return int(flag.id)

    def guideline_image(self, project_id: int) -> str:
        """The name of an image stored for the project's guidelines."""
        from accord.actions.guidelines import checked_image, image_key
        from accord.media.storage import open_storage

        storage = open_storage(self.api.client.app.state.settings)  # type: ignore[attr-defined]
        name = checked_image(PNG, "matrix.png", 1 << 20)
        storage.write_bytes(image_key(project_id, name), PNG)
        return name

    def give_passwords(self) -> None:
        """Every role's account gets `PASSWORD` (stored as a precomputed hash)."""
        with self.db.write() as session:
            for user in self.users.values():
                fresh = session.get(User, user.id)
                assert fresh is not None
                fresh.password_hash = password_hash()

    def audit_count(self) -> int:
        with self.db.read() as session:
            return int(session.scalar(select(func.count()).select_from(AuditEvent)) or 0)


def fill(world: World, route: str, role: str) -> tuple[str, str]:
    """Method and path (without the /api/v1 prefix) of ``route`` with fresh objects in it."""
    method, template = route.split(" ", 1)
    values: dict[str, Any] = {}
    names = ("project_id", "task_id", "annotation_id", "review_id", "adjudication_id", "job_id")
    if any(f"{{{name}}}" in template for name in names):
        project = world.project()
        values["project_id"] = project.id
        if "{task_id}" in template:
            values["task_id"] = world.task(project)
        if "{annotation_id}" in template:
            values["annotation_id"] = world.annotation(project)
        if "{user_id}" in template:
            values["user_id"] = world.member(project).id
        if "{review_id}" in template:
            values["review_id"] = world.review(project)
        if "{adjudication_id}" in template:
            values["adjudication_id"] = world.adjudication(project)
        if "{corpus_id}" in template:
            values["corpus_id"] = world.corpus(project)
        if "{webhook_id}" in template:
            values["webhook_id"], values["delivery_id"] = world.webhook(project)
        if "{backend_id}" in template:
            values["backend_id"] = world.ml_backend(project)
        if "{job_id}" in template:
            cancel = template.endswith("/cancel")
            values["job_id"] = world.queued_job(project) if cancel else world.job(project)
    elif "{user_id}" in template:
        values["user_id"] = world.user().id
    if "{token_id}" in template:
        values["token_id"] = world.token_of(role)
    if "{token}" in template:
        values["token"] = world.file_token()
    if "{report_id}" in template:
        values["report_id"] = world.problem_report()
    if "{flag_id}" in template:
        values["flag_id"] = world.flag()
    if "{number}" in template:
        values["number"] = 1  # the project's first guideline version
    if "{name}" in template:
        values["name"] = world.guideline_image(values["project_id"])
    return method, template.format(**values)
