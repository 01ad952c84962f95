"""`manifest.json`: written LAST, so its presence is what makes a backup complete.

Plain JSON without secrets: names, sizes, checksums, versions, encryption mode and which key
(a fingerprint or a KMS ARN). `list`, `verify`, `restore` and `prune` see only backups that
have one.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from runtime.backup.pipeline import ObjectRecord
from runtime.backup.store import BackupStore
from runtime.errors import AwxRuntimeError

FORMAT_VERSION = 1
MANIFEST = "manifest.json"
NAME_PREFIX = "awx-backup-"
TIME_FORMAT = "%Y%m%d-%H%M%S"


def backup_name(deployment: str, started: datetime) -> str:
    return f"{NAME_PREFIX}{deployment}-{started.astimezone(UTC).strftime(TIME_FORMAT)}"


def iso(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


def parse_iso(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00")).astimezone(UTC)


@dataclass(frozen=True)
class Manifest:
    data: dict[str, Any]

    @property
    def name(self) -> str:
        return str(self.data["name"])

    @property
    def finished(self) -> datetime:
        return parse_iso(self.data["finished"])

    @property
    def compression(self) -> str:
        return str(self.data["compression"])

    @property
    def encryption(self) -> dict[str, Any]:
        value: dict[str, Any] = self.data["encryption"]
        return value

    @property
    def size(self) -> int:
        return sum(int(item["size"]) for item in self.data["objects"])

    def object(self, role: str) -> ObjectRecord | None:
        for item in self.data["objects"]:
            if item["role"] == role:
                return ObjectRecord(
                    item["key"], role, item["size"], item["sha256"], item.get("plain_sha256")
                )
        return None

    def to_bytes(self) -> bytes:
        return json.dumps(self.data, indent=2, sort_keys=True).encode() + b"\n"


def parse(raw: bytes, key: str) -> Manifest:
    try:
        data = json.loads(raw)
        if data.get("format_version") != FORMAT_VERSION:
            raise ValueError(f"format_version {data.get('format_version')!r} is not supported")
        for field in ("name", "finished", "compression", "encryption", "objects"):
            if field not in data:
                raise ValueError(f"{field} is missing")
    except (ValueError, AttributeError) as failure:
        raise AwxRuntimeError(f"{key}: not a valid manifest: {failure}", "corrupt") from None
    return Manifest(data)


def complete_backups(store: BackupStore, prefix: str) -> list[Manifest]:
    """Backups with a manifest under prefix, newest first."""
    manifests = []
    for item in store.list(f"{prefix}/{NAME_PREFIX}"):
        if item.key.endswith(f"/{MANIFEST}"):
            manifests.append(parse(store.get_bytes(item.key), item.key))
    return sorted(manifests, key=lambda manifest: manifest.finished, reverse=True)
