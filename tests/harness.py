"""Run the real `__main__.py` under Pulumi mocks and collect what it registers.

Config is given the way the engine gives it: every `project:key` value as a string, objects
JSON-encoded. The mocks answer resources by echoing their inputs (plus the computed outputs
our program reads) and refuse any invoke they do not know, so an unmocked provider call
fails the run instead of passing silently.
"""

from __future__ import annotations

import copy
import json
import runpy
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import pulumi
import yaml
from pulumi.runtime import mocks as pulumi_mocks
from pulumi.runtime import rpc, settings
from pulumi.runtime.stack import run_pulumi_func
from pulumi.runtime.sync_await import _sync_await

ROOT = Path(__file__).resolve().parents[1]
PROGRAM = ROOT / "__main__.py"
PROJECT = "awx-platform"
STACKS = ("local", "dev", "dev-minio", "prod-aws", "prod-azure", "prod-gcp")
MOCK_ACCOUNT = "111122223333"
MOCK_GUID = "00000000-0000-4000-8000-000000000000"
SECRET = rpc._special_secret_sig
SIG = rpc._special_sig_key


@dataclass(frozen=True)
class Registered:
    """One resource the program registered: its type token, logical name and inputs."""

    type: str
    name: str
    inputs: dict[str, Any]
    custom: bool
    protect: bool = False

    @property
    def plain(self) -> dict[str, Any]:
        """The inputs with secret markers removed."""
        return unwrap(self.inputs)


@dataclass
class ProgramRun:
    """Everything one run of the program produced."""

    resources: list[Registered] = field(default_factory=list)
    urns: list[str] = field(default_factory=list)
    """The URN of every resource, in registration order (as the mock monitor makes them)."""
    outputs: dict[str, Any] = field(default_factory=dict)
    secret_outputs: set[str] = field(default_factory=set)

    def of_type(self, type_token: str) -> list[Registered]:
        return [r for r in self.resources if r.type == type_token]

    def one(self, type_token: str, name: str | None = None) -> Registered:
        found = [r for r in self.of_type(type_token) if name is None or r.name == name]
        assert len(found) == 1, f"expected one {type_token} {name or ''}, got {len(found)}"
        return found[0]

    def kubernetes_objects(self) -> Iterator[Registered]:
        return (r for r in self.resources if "apiVersion" in r.inputs and "kind" in r.inputs)

    def manifests(self) -> list[dict[str, Any]]:
        """Every Kubernetes object as the cluster would receive it, secret values redacted."""
        return [manifest_value(r.inputs) for r in self.kubernetes_objects()]


class UnmockedInvokeError(Exception):
    """The program called a provider function these mocks deliberately do not answer."""


class RecordingMocks(pulumi.runtime.Mocks):
    """Echo inputs back as state, add the computed outputs the program uses, record all."""

    def __init__(self) -> None:
        self.registered: list[Registered] = []

    def new_resource(self, args: pulumi_mocks.MockResourceArgs) -> tuple[str, dict[str, Any]]:
        inputs = copy.deepcopy(args.inputs)
        self.registered.append(Registered(args.typ, args.name, inputs, args.custom))
        state = unwrap(inputs)
        if args.typ == "random:index/randomPassword:RandomPassword":
            state["result"] = f"mock-{args.name}-" + "x" * int(state.get("length", 16))
        state.update(computed_outputs(args.typ, args.name, state))
        return f"{args.name}-id", state

    def call(self, args: pulumi_mocks.MockCallArgs) -> tuple[dict[str, Any], list[Any]]:
        raise NotImplementedError(
            f"the program made an invoke the mocks do not answer: {args.token}"
        )


def computed_outputs(typ: str, name: str, state: dict[str, Any]) -> dict[str, Any]:
    """The outputs a cloud provider computes that the program reads, shaped like the real ones."""
    if typ == "aws:s3/bucket:Bucket":
        return {"arn": f"arn:aws:s3:::{state['bucket']}"}
    if typ in ("aws:iam/role:Role", "aws:iam/policy:Policy", "aws:iam/user:User"):
        kind = typ.rsplit(":", 1)[-1].lower()
        return {"arn": f"arn:aws:iam::{MOCK_ACCOUNT}:{kind}/{name}", "name": name}
    if typ == "aws:iam/accessKey:AccessKey":
        return {"secret": f"mock-secret-access-key-{name}"}
    if typ == "azure-native:managedidentity:UserAssignedIdentity":
        return {"clientId": MOCK_GUID, "principalId": MOCK_GUID.replace("0", "1")}
    if typ == "gcp:serviceaccount/account:Account":
        email = f"{state['accountId']}@{state['project']}.iam.gserviceaccount.com"
        return {"email": email, "name": f"projects/{state['project']}/serviceAccounts/{email}"}
    return {}


class RecordingMonitor(pulumi_mocks.MockMonitor):
    """The mock monitor, also noting each resource's URN and which asked to be protected."""

    def __init__(self, mocks: RecordingMocks) -> None:
        super().__init__(mocks)
        self.protected: set[tuple[str, str]] = set()
        self.urns: list[str] = []

    def RegisterResource(self, request: Any) -> Any:  # noqa: N802 (gRPC method name)
        if request.protect:
            self.protected.add((request.type, request.name))
        if request.type != "pulumi:pulumi:Stack":
            self.urns.append(self.make_urn(request.parent, request.type, request.name))
        return super().RegisterResource(request)


def unwrap(value: Any) -> Any:
    """Strip Pulumi's secret markers from a structure of deserialized inputs."""
    if isinstance(value, dict):
        if value.get(SIG) == SECRET:
            return unwrap(value["value"])
        return {key: unwrap(item) for key, item in value.items()}
    if isinstance(value, list):
        return [unwrap(item) for item in value]
    return value


REDACTED = "<redacted: Pulumi secret>"


def manifest_value(value: Any) -> Any:
    """Secrets redacted; whole numbers back to integers (the wire format made them doubles)."""
    if is_secret(value):
        inner = value["value"]
        return {key: REDACTED for key in inner} if isinstance(inner, dict) else REDACTED
    if isinstance(value, dict):
        return {key: manifest_value(item) for key, item in value.items()}
    if isinstance(value, list):
        return [manifest_value(item) for item in value]
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


SECURE_PLACEHOLDER = "mock-decrypted-secure-value-" + "x" * 36


def _has_secure(value: Any) -> bool:
    if isinstance(value, dict):
        return set(value) == {"secure"} or any(_has_secure(v) for v in value.values())
    if isinstance(value, list):
        return any(_has_secure(v) for v in value)
    return False


def _decrypt_placeholder(value: Any) -> Any:
    # Mocks cannot decrypt `secure:` values; the engine would pass the plaintext and mark the
    # key secret, so a fixed long placeholder stands in for each one.
    if isinstance(value, dict):
        if set(value) == {"secure"}:
            return SECURE_PLACEHOLDER
        return {key: _decrypt_placeholder(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_decrypt_placeholder(item) for item in value]
    return value


def is_secret(value: Any) -> bool:
    """Whether a deserialized input value arrived marked secret."""
    return isinstance(value, dict) and value.get(SIG) == SECRET


def stack_config(stack: str, stack_file: Path | None = None) -> dict[str, Any]:
    """The `config:` map of Pulumi.<stack>.yaml (or of stack_file), as structured values."""
    path = stack_file or ROOT / f"Pulumi.{stack}.yaml"
    document = yaml.safe_load(path.read_text())
    return dict(document.get("config") or {})


def with_value(config: Mapping[str, Any], path: str, value: Any) -> dict[str, Any]:
    """A copy of config with `section.key.sub` (under awx-platform:) set to value."""
    updated = copy.deepcopy(dict(config))
    section, *keys = path.split(".")
    target = updated.setdefault(f"{PROJECT}:{section}", {})
    if not keys:
        updated[f"{PROJECT}:{section}"] = value
        return updated
    for key in keys[:-1]:
        target = target.setdefault(key, {})
    target[keys[-1]] = value
    return updated


def changed_config(stack: str, changes: Mapping[str, Any]) -> dict[str, Any]:
    """The config of Pulumi.<stack>.yaml with each `section.key.sub` of changes set."""
    config = stack_config(stack)
    for path, value in changes.items():
        config = with_value(config, path, value)
    return config


def run_changed(stack: str, changes: Mapping[str, Any]) -> ProgramRun:
    """Run the program for `stack` with its config changed as `changed_config` does."""
    return run_program(stack, changed_config(stack, changes))


@dataclass(frozen=True)
class FailedRun:
    """A run that raised: the exception, and whatever was registered before it."""

    error: BaseException
    registered: list[Registered]


def run_failing_program(
    stack: str = "local",
    config: Mapping[str, Any] | None = None,
    secret_keys: list[str] | None = None,
) -> FailedRun:
    """Run the program expecting it to fail; AssertionError if it succeeds."""
    mocks = RecordingMocks()
    try:
        _execute(stack, config, secret_keys, preview=False, mocks=mocks)
    except Exception as error:
        return FailedRun(error, mocks.registered)
    raise AssertionError(f"the program succeeded for stack {stack} but was expected to fail")


def run_program(
    stack: str = "local",
    config: Mapping[str, Any] | None = None,
    secret_keys: list[str] | None = None,
    preview: bool = False,
) -> ProgramRun:
    """Run __main__.py for `stack` (with the stack file's config unless config is given)."""
    return _execute(stack, config, secret_keys, preview, RecordingMocks())


def _execute(
    stack: str,
    config: Mapping[str, Any] | None,
    secret_keys: list[str] | None,
    preview: bool,
    mocks: RecordingMocks,
) -> ProgramRun:
    values = stack_config(stack) if config is None else dict(config)
    encrypted = sorted(key for key, value in values.items() if _has_secure(value))
    values = {key: _decrypt_placeholder(value) for key, value in values.items()}
    engine_config = {
        key: value if isinstance(value, str) else json.dumps(value) for key, value in values.items()
    }
    secret_keys = sorted({*(secret_keys or []), *encrypted})
    monitor = RecordingMonitor(mocks)
    settings.set_root_resource(None)  # type: ignore[arg-type]
    pulumi.runtime.set_all_config(engine_config, secret_keys)
    pulumi.runtime.set_mocks(mocks, project=PROJECT, stack=stack, preview=preview, monitor=monitor)
    root = settings.get_root_resource()
    _sync_await(run_pulumi_func(lambda: runpy.run_path(str(PROGRAM), run_name="__main__")))
    run = ProgramRun(
        resources=[
            replace(r, protect=(r.type, r.name) in monitor.protected) for r in mocks.registered
        ],
        urns=list(monitor.urns),
    )
    assert root is not None
    for name, value in getattr(root, "outputs", {}).items():
        output = pulumi.Output.from_input(value)
        run.outputs[name] = _sync_await(output.future())
        if _sync_await(output.is_secret()):
            run.secret_outputs.add(name)
    return run
