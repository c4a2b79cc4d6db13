"""The names of the messaging outbox kinds and how their messages are addressed (no Django imports)."""

REPLY = "messaging.reply"
NOTIFY = "messaging.notify"
SOLICIT_REVIEW = "messaging.solicit_review"
PROVISIONAL_THREAD_PREFIX = "oms-notice:"  # a thread we open, until the platform names it
THREAD_PREFIX = "thread:"


def thread_subject(thread_id: int) -> str:
    return f"{THREAD_PREFIX}{thread_id}"
