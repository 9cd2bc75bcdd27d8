"""The demo `make run` prepares on an empty database: an admin (password printed once) and a
small project that shows the main kinds of field and question."""

from __future__ import annotations

import io
import random

import orjson
from sqlalchemy import func, select

from accord.actions.imports import do_import
from accord.actions.projects import do_create_project
from accord.actions.tokens import do_create_token
from accord.actions.users import do_create_user
from accord.db import Database
from accord.models import User
from accord.queries.projects import interface_of
from accord.security import new_password
from accord.settings import Settings

ADMIN_EMAIL = "admin@accord.local"

INTERFACE = """
fields:
  - {name: review, kind: text, label: Customer review}
  - {name: replies, kind: text_list, label: Draft replies, min_items: 2, max_items: 2}
questions:
  - name: sentiment
    kind: choice
    label: Sentiment of the review
    required: true
    options: [positive, neutral, negative]
  - name: entities
    kind: spans
    label: Products and places
    target: review
    labels: [PRODUCT, PLACE]
  - name: better_reply
    kind: pairwise
    label: Which reply is better?
    target: replies
    required: true
  - name: why
    kind: text
    label: Why is it better?
    min_length: 10
    checks: [no_placeholder]
"""

GUIDELINES = """# Demo guidelines

1. **Sentiment**: how the customer feels overall. Mixed feelings → *neutral*.
2. **Entities**: mark product names (PRODUCT) and shop or city names (PLACE).
3. **Better reply**: the one that is accurate, polite and answers the customer.
4. **Why**: one sentence naming the deciding reason.
"""

PRODUCTS = ["kettle", "headset", "desk lamp", "backpack", "coffee grinder", "rain jacket"]
PLACES = ["Lisbon", "the Leeds store", "Oslo", "the airport shop", "Berlin"]
FEELINGS = [
    ("I love the {p} I bought in {c}; it works perfectly.", "positive"),
    ("The {p} from {c} broke after two days. Very disappointed.", "negative"),
    ("The {p} is fine, nothing special. Picked it up in {c}.", "neutral"),
    ("Staff in {c} were lovely but the {p} arrived scratched.", "neutral"),
    ("Best {p} I have owned. Thank you, {c}!", "positive"),
]


def demo_tasks(count: int = 30, seed: int = 7) -> list[dict[str, object]]:
    rng = random.Random(seed)
    tasks: list[dict[str, object]] = []
    for i in range(count):
        template, _ = rng.choice(FEELINGS)
        product, place = rng.choice(PRODUCTS), rng.choice(PLACES)
        tasks.append(
            {
                "id": f"review-{i + 1}",
                "review": template.format(p=product, c=place),
                "replies": [
                    f"Thank you for your review of the {product}. We have passed it on to "
                    f"{place} and will be in touch.",
                    "Thanks.",
                ],
            }
        )
    return tasks


def prepare_demo(db: Database, settings: Settings) -> None:
    """On an empty database: create the admin and the demo project; print the password."""
    with db.write() as session:
        if session.scalar(select(func.count()).select_from(User)):
            return
        password = new_password()
        admin = do_create_user(session, None, ADMIN_EMAIL, password, name="Admin", is_admin=True)
        project = do_create_project(
            session,
            admin,
            "Demo: customer reviews",
            INTERFACE,
            guidelines=GUIDELINES,
            description="A small project to try Accord: classify, mark spans, compare replies.",
        )
        body = b"".join(orjson.dumps(t) + b"\n" for t in demo_tasks())
        do_import(
            session,
            admin,
            project,
            interface_of(project),
            io.BytesIO(body),
            "jsonl",
            filename="demo.jsonl",
        )
        token, _ = do_create_token(session, admin, admin, "demo")
    print(f"Demo admin: {ADMIN_EMAIL}\nPassword (shown once): {password}\nAPI token: {token}")
    print(f"Demo project: #{project.id} with 30 tasks")
