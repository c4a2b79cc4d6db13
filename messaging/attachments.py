"""Files on messages: the order's packing slip or a file an operator uploads with a reply, and the buyer's files.

`check_uploads` is the one check of the files an operator sends (the reply page's upload and the API's
`files`, both through `actions.reply`): the platform takes files, at most MAX_FILES per reply and
MAX_TOTAL_BYTES together, each non-empty, of an allowed type whose bytes match it, its name reduced to a
plain file name. Mirakl's M12 states only "Maximum 50 across all threads of the same entity"; it publishes
no size or type limit, nor does Amazon for its relay: the per-reply count, size and types are ours
(unverified), chosen for what a buyer opens anywhere (PDF, JPEG, PNG, GIF).

A packing slip is offered where shipping made one (the order's slip was printed: its timeline says
`packing_slip_printed`) and the platform takes files with a reply (`policies.ATTACHMENTS_ALLOWED`). It is
rendered when the reply is written and stored with it, so the outbox sends the very file the operator chose.
Shipping makes no invoice: none is offered.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass

from django.utils.translation import gettext as _

from messaging import policies
from messaging.models import Attachment, Message, Thread
from oms.errors import InvalidInput
from orders import platforms
from orders.models import OrderEvent
from shipping.paperwork import events as paperwork_events
from shipping.paperwork import packing_slip
from shipping.paperwork.selectors import packing_slips_data

PACKING_SLIP = "packing_slip"
PDF = "application/pdf"
# What each allowed type's bytes start with (the declared type must match them).
MAGIC = {
    PDF: (b"%PDF-",),
    "image/jpeg": (b"\xff\xd8\xff",),
    "image/png": (b"\x89PNG\r\n\x1a\n",),
    "image/gif": (b"GIF87a", b"GIF89a"),
}
ALLOWED_TYPES = tuple(MAGIC)
KIND_NAMES = {PDF: "PDF", "image/jpeg": "JPEG", "image/png": "PNG", "image/gif": "GIF"}
TYPE_ALIASES = {"image/jpg": "image/jpeg", "image/pjpeg": "image/jpeg"}
MAX_FILES = 5  # per reply, the packing slip included (ours, unverified: no platform states one)
MAX_TOTAL_BYTES = 10 * 1024 * 1024  # per reply, all files together (ours, unverified)
MIRAKL_MAX_FILES_PER_ENTITY = 50  # M12 `files`: "Maximum 50 across all threads of the same entity"
MAX_NAME = 100  # characters of a file name, its extension kept
UNSAFE_IN_NAME = re.compile(r'[\x00-\x1f\x7f<>:"|?*;]+')


@dataclass(frozen=True)
class Upload:
    """A file an operator (or an ERP through the API) sends with a reply, before it is checked."""

    name: str
    content_type: str
    content: bytes


def allowed(thread: Thread) -> bool:
    return policies.ATTACHMENTS_ALLOWED.get(thread.account.platform, False)


def packing_slip_available(thread: Thread) -> bool:
    return (
        thread.order_id is not None
        and allowed(thread)
        and OrderEvent.objects.filter(order_id=thread.order_id, kind=paperwork_events.PACKING_SLIP_PRINTED).exists()
    )


def attach_packing_slip(*, thread: Thread, message: Message, user) -> Attachment:
    """The order's packing slip as a PDF on our reply; InvalidInput where the platform or the order has none."""
    if not allowed(thread):
        raise InvalidInput(
            _("This marketplace takes no attachment with a reply."), details={"attach": ["not_supported"]}
        )
    if not packing_slip_available(thread):
        raise InvalidInput(
            _("This order has no packing slip to attach: print it first."), details={"attach": ["no_document"]}
        )
    slips = packing_slips_data([thread.order_id], user=user)
    if not slips:
        raise InvalidInput(_("This order has no packing slip to attach: print it first."))
    content = packing_slip.build(slips)
    number = slips[0].reference or str(thread.order_id)
    return Attachment.objects.create(
        message=message,
        name=f"bon-de-livraison-{number}.pdf",
        content_type=PDF,
        size=len(content),
        content=content,
    )


def clean_name(name: str, content_type: str = "") -> str:
    """A plain file name: no directory (either slash), no control or shell-unfriendly character, no leading dot,
    at most MAX_NAME characters with the extension kept; "piece-jointe" (with the type's extension) if nothing is
    left."""
    name = unicodedata.normalize("NFC", str(name or ""))
    name = re.split(r"[\\/]", name)[-1]
    name = UNSAFE_IN_NAME.sub("_", name).strip().lstrip(".").strip()
    if not name:
        name = "piece-jointe" + {PDF: ".pdf", "image/jpeg": ".jpg", "image/png": ".png", "image/gif": ".gif"}.get(
            content_type, ""
        )
    if len(name) > MAX_NAME:
        stem, dot, extension = name.rpartition(".")
        if dot and stem and len(extension) <= 10:
            name = stem[: MAX_NAME - len(extension) - 1].rstrip() + "." + extension
        else:
            name = name[:MAX_NAME]
    return name


def _refused(message: str, index: int | None, field: str, count: int) -> InvalidInput:
    """A refusal whose `details` say which file: {"files": [{}, {"content_type": ["…"]}]} like DRF's lists, or
    {"files": ["…"]} for the files together."""
    if index is None:
        return InvalidInput(message, details={"files": [message]})
    per_file: list[dict] = [{} for _item in range(count)]
    per_file[index] = {field: [message]}
    return InvalidInput(message, details={"files": per_file})


def check_uploads(thread: Thread, uploads: Sequence[Upload], *, also: int = 0) -> list[Upload]:
    """The files checked, named plainly and typed as their bytes say; InvalidInput on the first that is not
    acceptable (nothing changed). `also`: how many other files the reply carries (the packing slip)."""
    if not uploads:
        return []
    count = len(uploads)
    if not allowed(thread):
        raise _refused(_("This marketplace takes no attachment with a reply."), None, "", count)
    if count + also > MAX_FILES:
        raise _refused(_("At most %(max)s files with a reply.") % {"max": MAX_FILES}, None, "", count)
    checked = []
    for index, upload in enumerate(uploads):
        content_type = str(upload.content_type or "").split(";")[0].strip().lower()
        content_type = TYPE_ALIASES.get(content_type, content_type)
        name = clean_name(upload.name, content_type)
        if not upload.content:
            raise _refused(_("The file %(name)s is empty.") % {"name": name}, index, "content", count)
        if content_type not in MAGIC:
            raise _refused(
                _("The file %(name)s is of a type the buyer may not receive (%(type)s): send a PDF, JPEG, PNG or GIF.")
                % {"name": name, "type": content_type or "?"},
                index,
                "content_type",
                count,
            )
        if not upload.content.startswith(MAGIC[content_type]):
            raise _refused(
                _("The file %(name)s is declared %(type)s, but its content is not one (%(kind)s expected).")
                % {"name": name, "type": content_type, "kind": KIND_NAMES[content_type]},
                index,
                "content",
                count,
            )
        checked.append(Upload(name=name, content_type=content_type, content=bytes(upload.content)))
    if sum(len(u.content) for u in checked) > MAX_TOTAL_BYTES:
        raise _refused(
            _("The files of a reply weigh at most %(size)s MB together.") % {"size": MAX_TOTAL_BYTES // (1024 * 1024)},
            None,
            "",
            count,
        )
    if thread.account.platform == platforms.MIRAKL:
        entity = Attachment.objects.filter(message__thread__account_id=thread.account_id)
        entity = (
            entity.filter(message__thread__order_id=thread.order_id)
            if thread.order_id
            else entity.filter(message__thread=thread)
        )
        if entity.count() + count + also > MIRAKL_MAX_FILES_PER_ENTITY:
            raise _refused(
                _("Mirakl takes at most %(max)s files across the conversations of an order.")
                % {"max": MIRAKL_MAX_FILES_PER_ENTITY},
                None,
                "",
                count,
            )
    return checked


def attach_uploads(*, message: Message, uploads: Sequence[Upload]) -> list[Attachment]:
    """Keep checked files (`check_uploads`) on our reply: the outbox sends these very bytes."""
    return Attachment.objects.bulk_create(
        Attachment(message=message, name=u.name, content_type=u.content_type, size=len(u.content), content=u.content)
        for u in uploads
    )


def files_to_send(message: Message) -> list[tuple[str, bytes, str]]:
    """(name, content, content type) of our message's files, for the channel."""
    return [(f.name, bytes(f.content), f.content_type) for f in message.files.all() if f.content is not None]
