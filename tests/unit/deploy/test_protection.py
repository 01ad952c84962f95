"""What a rollback plan may not touch: protected resources and stateful types."""

from dataclasses import dataclass

from deploy.protection import blocked, kept

PARENT = "urn:pulumi:local::awx-platform::awx-platform:platform:AwxPlatform$"
PVC = f"{PARENT}kubernetes:core/v1:PersistentVolumeClaim::awx-platform-backup-store-claim"
CRON = f"{PARENT}kubernetes:batch/v1:CronJob::awx-platform-backup-cron"
SECRET = f"{PARENT}kubernetes:core/v1:Secret::awx-platform-awx-secret-key"


@dataclass(frozen=True)
class Step:
    op: str
    urn: str
    type: str


STATE = {
    "resources": [
        {"urn": PVC, "type": "kubernetes:core/v1:PersistentVolumeClaim"},
        {"urn": CRON, "type": "kubernetes:batch/v1:CronJob"},
        {"urn": SECRET, "type": "kubernetes:core/v1:Secret", "protect": True},
    ]
}


def test_kept_are_the_protected_and_the_stateful() -> None:
    assert kept(STATE) == {
        PVC: "stateful (kubernetes:core/v1:PersistentVolumeClaim)",
        SECRET: "protected",
    }


def test_deleting_or_replacing_a_kept_resource_blocks_the_rollback() -> None:
    steps = [
        Step("delete", PVC, "kubernetes:core/v1:PersistentVolumeClaim"),
        Step("replace", SECRET, "kubernetes:core/v1:Secret"),
        Step("delete", CRON, "kubernetes:batch/v1:CronJob"),
        Step("update", PVC, "kubernetes:core/v1:PersistentVolumeClaim"),
    ]
    assert blocked(steps, kept(STATE), None) == [
        f"{PVC} (stateful (kubernetes:core/v1:PersistentVolumeClaim), delete)",
        f"{SECRET} (protected, replace)",
    ]


def test_updates_creates_and_ordinary_deletes_pass() -> None:
    steps = [
        Step("update", SECRET, "kubernetes:core/v1:Secret"),
        Step("create", "urn:pulumi:local::p::kubernetes:core/v1:PersistentVolumeClaim::new",
             "kubernetes:core/v1:PersistentVolumeClaim"),
        Step("delete", CRON, "kubernetes:batch/v1:CronJob"),
    ]  # fmt: skip
    assert blocked(steps, kept(STATE), None) == []


def test_a_protected_resource_the_engine_refused_to_delete_is_named() -> None:
    error = (
        f'error: unable to delete resource "{SECRET}"\nas it is currently marked for protection.'
    )
    assert blocked([], kept(STATE), error) == [f"{SECRET} (protected, refused by the engine)"]


def test_urns_in_an_error_that_are_not_kept_are_ignored() -> None:
    assert blocked([], kept(STATE), f"error: something about {CRON}") == []
