"""A fake AWX API with the endpoints the exporter reads, in AWX 24's JSON shapes.

/api/v2/ping/ (no auth: version, instances with node/node_type/capacity, instance_groups) and
/api/v2/instances/ (a bearer token: paginated results with capacity, consumed_capacity,
node_type, enabled). /api/v2/metrics/ is not faked: the exporter does not read it.
Tests change `instances`, `delay_seconds` and `token` while the exporter runs.
"""

from __future__ import annotations

import time
import uuid
from dataclasses import dataclass, field
from typing import Any

from tests.fakes.loopback import LoopbackServer

VERSION = "24.6.1"


@dataclass
class FakeInstance:
    hostname: str
    capacity: int
    consumed_capacity: int = 0
    node_type: str = "control"
    enabled: bool = True

    def ping_entry(self) -> dict[str, Any]:
        return {
            "node": self.hostname,
            "node_type": self.node_type,
            "uuid": str(uuid.uuid5(uuid.NAMESPACE_DNS, self.hostname)),
            "heartbeat": "2026-11-22T05:00:00.000000Z",
            "capacity": self.capacity,
            "version": VERSION,
        }

    def api_entry(self, index: int) -> dict[str, Any]:
        remaining = 0.0
        if self.capacity:
            remaining = round(100 * (self.capacity - self.consumed_capacity) / self.capacity, 2)
        return {
            "id": index,
            "type": "instance",
            "url": f"/api/v2/instances/{index}/",
            "hostname": self.hostname,
            "node_type": self.node_type,
            "node_state": "ready" if self.capacity else "unavailable",
            "enabled": self.enabled,
            "capacity": self.capacity,
            "consumed_capacity": self.consumed_capacity,
            "percent_capacity_remaining": remaining,
            "jobs_running": self.consumed_capacity,
            "version": VERSION,
        }


@dataclass
class FakeAwx:
    instances: list[FakeInstance] = field(
        default_factory=lambda: [
            FakeInstance("awx-task-a", 50, 5),
            FakeInstance("awx-task-b", 50, 10),
        ]
    )
    token: str = "awx-test-token"
    delay_seconds: float = 0.0
    page_size: int = 200
    server: LoopbackServer = field(init=False)

    def __post_init__(self) -> None:
        self.server = LoopbackServer(self._route)

    @property
    def url(self) -> str:
        return self.server.url

    def _route(
        self, path: str, query: dict[str, list[str]], headers: dict[str, str]
    ) -> tuple[int, Any]:
        if self.delay_seconds:
            time.sleep(self.delay_seconds)
        if path == "/api/v2/ping/":
            return 200, self._ping()
        if path == "/api/v2/instances/":
            if headers.get("Authorization") != f"Bearer {self.token}":
                return 401, {"detail": "Authentication credentials were not provided."}
            page = int(query.get("page", ["1"])[0])
            size = min(int(query.get("page_size", ["25"])[0]), self.page_size)
            return 200, self._instances(page, size)
        return 404, {"detail": "Not found."}

    def _ping(self) -> dict[str, Any]:
        return {
            "ha": len(self.instances) > 1,
            "version": VERSION,
            "active_node": self.instances[0].hostname if self.instances else "",
            "install_uuid": "3f5e3c55-1d6e-4b0a-9d43-6f9c3b2f1a11",
            "instances": sorted((i.ping_entry() for i in self.instances), key=lambda e: e["node"]),
            "instance_groups": [
                {
                    "name": "controlplane",
                    "capacity": sum(i.capacity for i in self.instances if i.enabled),
                    "instances": [i.hostname for i in self.instances],
                },
                {"name": "default", "capacity": 0, "instances": []},
            ],
        }

    def _instances(self, page: int, size: int) -> dict[str, Any]:
        entries = [item.api_entry(index + 1) for index, item in enumerate(self.instances)]
        start = (page - 1) * size
        more = start + size < len(entries)
        return {
            "count": len(entries),
            "next": f"/api/v2/instances/?page={page + 1}&page_size={size}" if more else None,
            "previous": None
            if page == 1
            else f"/api/v2/instances/?page={page - 1}&page_size={size}",
            "results": entries[start : start + size],
        }
