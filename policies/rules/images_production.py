"""Production pins every image the platform runs by digest, so a node pulls exactly the
build that was reviewed: a tag can be moved (or re-pushed) under a running deployment.

A stack policy, because it applies only to production stacks (environment.py); it reads the
containers of every workload the program creates (ours, the exporters', the Pushgateway's,
the restore drill's scratch PostgreSQL) and names the setting that pins each kind.
"""

from __future__ import annotations

import re

from pulumi_policy import ReportViolation, StackValidationArgs

from .common import containers, dig, kind_of, pod_spec, stack_policy
from .environment import PRODUCTION_CONFIG, production_reason

DIGEST = re.compile(r"@sha256:[0-9a-f]{64}$")
SETTINGS = (
    ("awx-runtime", "awx-platform:runtime.image_digest"),
    ("postgres-exporter", "awx-platform:monitoring.exporters.postgres_image_digest"),
    ("redis_exporter", "awx-platform:monitoring.exporters.redis_image_digest"),
    ("pushgateway", "awx-platform:monitoring.exporters.pushgateway_image_digest"),
    ("postgres", "awx-platform:backup.drill.postgres_image_digest"),
)
"""Which setting pins an image, by a part of its repository name (first match wins)."""


def setting_for(image: str) -> str:
    name = image.split("@", 1)[0].rsplit("/", 1)[-1].split(":", 1)[0]
    for part, setting in SETTINGS:
        if part in name:
            return setting
    return "the image reference's @sha256: digest"


def _images_by_digest(args: StackValidationArgs, report: ReportViolation) -> None:
    reason = production_reason(args)
    if reason is None:
        return
    for resource in args.resources:
        spec = pod_spec(resource.resource_type, resource.props)
        for container in containers(spec) if spec else ():
            image = container.get("image")
            if not isinstance(image, str) or DIGEST.search(image):
                continue
            name = dig(resource.props, "metadata", "name") or resource.name
            report(
                f"production stack ({reason}): {kind_of(resource.resource_type)} {name} "
                f"container '{container.get('name')}' runs {image} without a digest; "
                f"set {setting_for(image)}",
                resource.urn,
            )


images_by_digest = stack_policy(
    "awx-prod-images-by-digest",
    "Production workloads reference every image by digest (image@sha256:...), not by tag alone.",
    _images_by_digest,
    config=PRODUCTION_CONFIG,
)

POLICIES = [images_by_digest]
