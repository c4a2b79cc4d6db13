"""French buyer conversations, in a platform-neutral shape the platform modules render.

A thread is a dict: `id`, `account`, `order_id` (None for a question before purchase),
`customer {id, name, email, username}`, `topic` (the buyer's words for it), `created_at`,
`updated_at`, `messages [{id, from: customer|shop|operator, author, body, at, attachments}]` and
`follow_ups [{at, body}]`: buyer answers due later (the sandbox's buyers answer a reply sometimes).
Amazon's threads are e-mails (`amazon_mail.py`), the others' are read through their APIs.
"""

from __future__ import annotations

import base64
import datetime as dt
import random
import secrets
import uuid

from .generate import _fake
from .wire import iso, parse_iso

# What buyers write (demo content, not platform facts): topic → (subject, first messages, follow-ups).
SCRIPTS = {
    "where_is_my_parcel": (
        "Où est mon colis ?",
        (
            "Bonjour, j'ai commandé il y a plusieurs jours et je n'ai toujours rien reçu. Où en est mon colis ?",
            "Bonjour, le suivi ne bouge plus depuis trois jours. Pouvez-vous vérifier auprès du transporteur ?",
        ),
        ("Merci, je surveille le suivi.", "Toujours rien reçu aujourd'hui, pouvez-vous relancer ?"),
    ),
    "cancel": (
        "Annulation de commande",
        (
            "Bonjour, je me suis trompé de modèle, pouvez-vous annuler ma commande s'il vous plaît ?",
            "Bonjour, merci d'annuler ma commande, je l'ai trouvée moins chère ailleurs.",
        ),
        ("Merci pour l'annulation.", "Est-ce que l'annulation est bien prise en compte ?"),
    ),
    "damaged": (
        "Article endommagé",
        (
            "Bonjour, le produit est arrivé cassé, le carton était écrasé. Que dois-je faire ?",
            "Bonjour, l'article reçu est rayé et ne fonctionne pas. Je souhaite un remplacement.",
        ),
        ("Je vous envoie les photos.", "D'accord, j'attends l'étiquette de retour."),
    ),
    "invoice": (
        "Demande de facture",
        (
            "Bonjour, pourriez-vous m'envoyer la facture de ma commande pour ma comptabilité ?",
            "Bonjour, j'ai besoin d'une facture au nom de ma société, merci.",
        ),
        ("Bien reçu, merci.",),
    ),
    "before_purchase": (
        "Question avant achat",
        (
            "Bonjour, ce produit est-il compatible avec le modèle de l'an dernier ?",
            "Bonjour, avez-vous ce produit en stock et quel est le délai de livraison en Corse ?",
        ),
        ("Merci, je vais commander.", "Et en couleur noire ?"),
    ),
}
TOPICS = tuple(SCRIPTS)
TOPICS_ON_ORDERS = ("where_is_my_parcel", "cancel", "damaged", "invoice")
CONVERSATION_SHARE = 0.2  # share of generated orders whose buyer writes
QUESTION_SHARE = 0.05  # and, as often per generated order, someone asks before buying
FOLLOW_UP_SHARE = 0.4  # share of shop replies a buyer answers
FOLLOW_UP_DELAY_SECONDS = (60, 900)


def _person(world, account) -> dict:
    fake = _fake()
    first, last = fake.first_name(), fake.last_name()
    return {
        "id": f"CUST-{secrets.token_hex(3).upper()}",
        "name": f"{first} {last}",
        "email": f"{secrets.token_hex(8)}@marketplace.example",
        "username": f"{first[:1]}{last}".lower().replace(" ", "") + str(random.randint(10, 999)),
    }


def _customer_of(order: dict) -> dict:
    buyer = order["buyer"]
    return {
        "id": buyer.get("customer_id") or f"CUST-{secrets.token_hex(3).upper()}",
        "name": f"{buyer['first_name']} {buyer['last_name']}",
        "email": buyer.get("email", ""),
        "username": buyer.get("username", ""),
    }


def start(world, account, *, order_id: str | None = None, topic: str | None = None, body: str | None = None) -> dict:
    """A buyer opens a thread on one of the account's orders (or none: a question before purchase)."""
    orders = world.orders.get(account.key, {})
    if order_id is not None and order_id not in orders:
        raise ValueError(f"unknown order {order_id} for account {account.key}")
    if topic is not None and topic not in SCRIPTS:
        raise ValueError(f"topic must be one of {TOPICS}")
    if topic is None:
        topic = random.choice(TOPICS_ON_ORDERS if order_id else ("before_purchase",))
    order = orders.get(order_id) if order_id else None
    customer = _customer_of(order) if order else _person(world, account)
    subject, openings, _ = SCRIPTS[topic]
    thread = _new_thread(world, account, order_id=order_id, customer=customer, topic=topic, subject=subject)
    add_message(world, thread, sender="customer", author=customer["name"], body=body or random.choice(openings))
    return thread


def open_by_shop(world, account, *, order_id: str, subject: str, body: str) -> tuple[dict, dict]:
    """The shop writes first to the buyer of an order: (thread, message)."""
    order = world.orders[account.key][order_id]
    thread = _new_thread(
        world, account, order_id=order_id, customer=_customer_of(order), topic="notification", subject=subject
    )
    return thread, add_message(world, thread, sender="shop", author=account.name, body=body)


def _new_thread(world, account, *, order_id, customer: dict, topic: str, subject: str) -> dict:
    now = iso(world.now())
    thread = {
        "id": str(uuid.uuid4()),
        "account": account.key,
        "order_id": order_id,
        "customer": customer,
        "topic": topic,
        "subject": subject,
        "created_at": now,
        "updated_at": now,
        "messages": [],
        "follow_ups": [],
    }
    world.threads.setdefault(account.key, {})[thread["id"]] = thread
    return thread


def maybe_start(world, account, *, order_id: str) -> None:
    """The demo's buyers: some write about the order just generated, some ask before buying."""
    if random.random() < CONVERSATION_SHARE:
        start(world, account, order_id=order_id)
    if random.random() < QUESTION_SHARE:
        start(world, account, topic="before_purchase")


MAX_FILES_PER_ENTITY = 50  # Mirakl M12: "Maximum 50 across all threads of the same entity"
FILES = "message_files"  # world.documents key: attachment id → {name, content_type, content, account}


def keep_files(world, thread: dict, files: list[dict]) -> list[dict]:
    """Store a message's files ({name, content_type, content}); its `attachments` ({id, name, size}).
    ValueError past the limit."""
    if not files:
        return []
    kept = sum(len(m.get("attachments") or []) for m in thread["messages"])
    if kept + len(files) > MAX_FILES_PER_ENTITY:
        raise ValueError(f"At most {MAX_FILES_PER_ENTITY} attachments per entity")
    store = world.documents.setdefault(FILES, {})
    attachments = []
    for item in files:
        attachment_id = str(uuid.uuid4())
        store[attachment_id] = {  # base64: the world's snapshot is JSON
            "name": item["name"],
            "content_type": item["content_type"],
            "content_base64": base64.b64encode(item["content"]).decode("ascii"),
            "account": thread["account"],
        }
        attachments.append({"id": attachment_id, "name": item["name"], "size": len(item["content"])})
    return attachments


def stored_file(world, attachment_id: str) -> dict | None:
    """{name, content_type, content (bytes), account} of a kept file, or None."""
    stored = world.documents.get(FILES, {}).get(attachment_id)
    if stored is None:
        return None
    return {**stored, "content": base64.b64decode(stored["content_base64"])}


def add_message(world, thread: dict, *, sender: str, author: str, body: str, attachments=None) -> dict:
    now = iso(world.now())
    message = {
        "id": str(uuid.uuid4()),
        "from": sender,
        "author": author,
        "body": body,
        "at": now,
        "attachments": list(attachments or []),
    }
    thread["messages"].append(message)
    thread["updated_at"] = now
    return message


def shop_replied(world, thread: dict, message: dict, *, follow_up_share: float = FOLLOW_UP_SHARE) -> None:
    """After a seller's reply, the buyer answers it later, sometimes."""
    if random.random() >= follow_up_share:
        return
    _, _, follow_ups = SCRIPTS.get(thread["topic"], SCRIPTS["before_purchase"])
    due = world.now() + dt.timedelta(seconds=random.randint(*FOLLOW_UP_DELAY_SECONDS))
    thread["follow_ups"].append({"at": iso(due), "body": random.choice(follow_ups)})


def reply_needed_since(thread: dict) -> str | None:
    """The first customer message after the shop's last one (None when the shop has answered)."""
    since = None
    for message in thread["messages"]:
        if message["from"] == "shop":
            since = None
        elif message["from"] == "customer" and since is None:
            since = message["at"]
    return since


def sweep(world) -> None:
    """Deliver the buyers' answers that are due."""
    now = world.now()
    for threads in world.threads.values():
        for thread in threads.values():
            if not thread["follow_ups"]:
                continue
            due = [f for f in thread["follow_ups"] if parse_iso(f["at"]) <= now]
            for follow_up in due:
                thread["follow_ups"].remove(follow_up)
                add_message(world, thread, sender="customer", author=thread["customer"]["name"], body=follow_up["body"])
