"""Mails kept while the job queue is down (migration vnopendata_mail_outbox).

A mail is sent by a background job on CKAN's queue (Redis). When the queue
cannot be reached, the mail is kept in this table instead, and put on the
queue once it answers again (`sharing.mail.release_kept`): a Redis outage
delays a mail, it never loses one.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import ckan.plugins.toolkit as tk
import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

TABLE_NAME = "vnopendata_mail_outbox"


class KeptMail(tk.BaseModel):  # type: ignore[misc]
    __tablename__ = TABLE_NAME

    id: Mapped[int] = mapped_column(sa.Integer, primary_key=True, autoincrement=True)
    created: Mapped[datetime] = mapped_column(
        sa.DateTime, nullable=False, server_default=sa.func.now()
    )
    # [[name, address], ...] as the job takes them.
    recipients: Mapped[Any] = mapped_column(JSONB, nullable=False)
    subject: Mapped[str] = mapped_column(sa.UnicodeText, nullable=False)
    body: Mapped[str] = mapped_column(sa.UnicodeText, nullable=False)


mail_outbox_table: sa.Table = KeptMail.__table__  # type: ignore[assignment]
