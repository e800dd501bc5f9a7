"""Who holds a user's personal data outside the accounts app, and how it is erased and exported.

Apps above accounts (effects keeps the photos) cannot be imported from here, so each registers its
handlers once at start-up, in its ``AppConfig.ready()``::

    personal_data.register("jobs", erase=jobs_erase_for_user, export=jobs_export_for_user)

``erase(*, user)`` must be idempotent (account deletion runs it again after a crash) and raise to
be retried later; ``export(*, user, archive)`` writes its files into the data export's
:class:`ExportArchive`. Handlers run in registration order.
"""

from __future__ import annotations

import json
import shutil
import time
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from typing import IO, Any

from django.core.serializers.json import DjangoJSONEncoder


class ExportArchive:
    """The zip a data export is written into, one member at a time (files are streamed, not loaded)."""

    def __init__(self, zip_file: zipfile.ZipFile):
        self._zip = zip_file
        self.names: list[str] = []

    def write_json(self, name: str, data: Any) -> None:
        """Add a pretty-printed JSON member."""
        self.write_bytes(name, json.dumps(data, cls=DjangoJSONEncoder, indent=2, ensure_ascii=False).encode())

    def write_bytes(self, name: str, data: bytes) -> None:
        with self._zip.open(name, "w") as member:
            member.write(data)
        self.names.append(name)

    def write_stream(self, name: str, source: IO[bytes]) -> None:
        """Add a member copied from an open binary file in chunks, stored as is (images are compressed already)."""
        info = zipfile.ZipInfo(name, date_time=time.localtime()[:6])
        info.compress_type = zipfile.ZIP_STORED
        with self._zip.open(info, "w", force_zip64=True) as member:
            shutil.copyfileobj(source, member, 1024 * 1024)
        self.names.append(name)


@dataclass(frozen=True)
class PersonalDataHandler:
    name: str
    erase: Callable[..., object]
    export: Callable[..., object] | None = None


_handlers: dict[str, PersonalDataHandler] = {}


def register(
    name: str, *, erase: Callable[..., object], export: Callable[..., object] | None = None
) -> PersonalDataHandler:
    """Register (or replace, by name) the handlers of one kind of personal data."""
    handler = PersonalDataHandler(name=name, erase=erase, export=export)
    _handlers[name] = handler
    return handler


def handlers() -> list[PersonalDataHandler]:
    """The registered handlers, in registration order."""
    return list(_handlers.values())
