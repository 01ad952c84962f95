"""The GitHub workflows pass actionlint (with shellcheck) and do what the GitOps flow needs."""

import shutil
import subprocess
from pathlib import Path

import yaml

from tests.harness import ROOT

ACTIONLINT = ROOT / ".tools" / "bin" / "actionlint"
WORKFLOWS = ROOT / ".github" / "workflows"


def actionlint(*files: Path) -> subprocess.CompletedProcess[str]:
    assert ACTIONLINT.exists(), "actionlint is missing: run `make toolchain`"
    assert shutil.which("shellcheck"), "shellcheck is missing: run scripts/system-deps.sh"
    return subprocess.run(
        [str(ACTIONLINT), "-no-color", *map(str, files)],
        cwd=ROOT, capture_output=True, text=True, check=False,
    )  # fmt: skip


def workflow(name: str) -> dict:
    return yaml.safe_load((WORKFLOWS / f"{name}.yml").read_text())


def steps_using(document: dict, action: str) -> list[dict]:
    return [
        step
        for job in document["jobs"].values()
        for step in job["steps"]
        if str(step.get("uses", "")).startswith(action)
    ]


def matrix_stacks(document: dict, job: str) -> set[str]:
    return {entry["stack"] for entry in document["jobs"][job]["strategy"]["matrix"]["include"]}


# Every example stack but `local`, which only renders manifests (ci.yml deploys it itself).
CLUSTER_STACKS = {p.name.split(".")[1] for p in ROOT.glob("Pulumi.*.yaml")} - {"local"}


def test_workflows_pass_actionlint() -> None:
    files = sorted(WORKFLOWS.glob("*.yml"))
    expected = {"ci", "pr-preview", "drift", "deploy", "release", "rightsize"}
    assert {f.stem for f in files} == expected
    result = actionlint(*files)
    assert result.returncode == 0, result.stdout + result.stderr


def test_actionlint_does_catch_mistakes(tmp_path: Path) -> None:
    broken = tmp_path / "broken.yml"
    broken.write_text(
        "on: push\njobs:\n  a:\n    runs-on: ubuntu-24.04\n    steps:\n"
        "      - run: echo ${{ github.event.no_such_thing.x }}\n"
        "      - run: if [ $UNQUOTED = 1 ]; then echo; fi\n"
    )
    result = actionlint(broken)
    assert result.returncode != 0
    assert "shellcheck" in result.stdout


def test_pull_requests_preview_every_stack_with_the_pack_and_comment() -> None:
    document = workflow("pr-preview")
    assert "pull_request" in document[True]  # YAML reads the `on` key as True
    assert matrix_stacks(document, "preview") == CLUSTER_STACKS
    (preview,) = steps_using(document, "pulumi/actions")
    assert preview["with"]["command"] == "preview"
    assert preview["with"]["comment-on-pr"] is True
    assert preview["with"]["policyPacks"] == "policies"
    assert document["jobs"]["preview"]["needs"] == "test"


def test_drift_is_checked_on_a_schedule_without_changing_state() -> None:
    document = workflow("drift")
    assert matrix_stacks(document, "refresh") == CLUSTER_STACKS
    assert document[True]["schedule"][0]["cron"]
    script = next(
        s["run"] for s in document["jobs"]["refresh"]["steps"] if s.get("id") == "refresh"
    )
    assert "pulumi refresh --preview-only --expect-no-changes" in script


def test_deploys_go_through_environments_dev_first() -> None:
    document = workflow("deploy")
    assert document[True]["push"]["branches"] == ["main"]
    jobs = document["jobs"]
    assert jobs["dev"]["environment"] == "dev"
    assert matrix_stacks(document, "dev") | matrix_stacks(document, "production") == CLUSTER_STACKS
    assert all(s.startswith("prod") for s in matrix_stacks(document, "production"))
    assert jobs["production"]["environment"] == "production"
    assert jobs["production"]["needs"] == "dev"
    for name in ("dev", "production"):
        job = jobs[name]
        # Guarded: every environment deploys through `make deploy` (gates, rollback), never a
        # bare `pulumi up`; pulumi/actions only installs the CLI.
        assert [s.get("with") for s in steps_using(document, "pulumi/actions")] == [None, None]
        runs = " ".join(str(step.get("run", "")) for step in job["steps"])
        assert 'make -s deploy STACK="$STACK" PULUMI_TOOLCHAIN=system' in runs
        assert "pulumi up" not in runs
        deploy_step = next(s for s in job["steps"] if "make -s deploy" in str(s.get("run", "")))
        assert deploy_step["env"]["STACK"] == "${{ matrix.stack }}"
        # A rollback needs the last good commit: the checkout keeps the history.
        checkout = steps_using({"jobs": {name: job}}, "actions/checkout")[0]
        assert checkout["with"]["fetch-depth"] == 0
        assert "PUSHGATEWAY_URL" in job["env"] and "DEPLOY_HEALTH_TIMEOUT" in job["env"]


def _runs(step: dict) -> str:
    return str(step.get("run", ""))


def test_every_job_that_runs_tests_installs_the_system_packages_first() -> None:
    testing_jobs = 0
    for path in sorted(WORKFLOWS.glob("*.yml")):
        for name, job in yaml.safe_load(path.read_text())["jobs"].items():
            runs = [_runs(step) for step in job["steps"]]
            tests = [i for i, run in enumerate(runs) if "make test" in run or "pytest" in run]
            if not tests:
                continue
            testing_jobs += 1
            deps = [i for i, run in enumerate(runs) if "sudo bash scripts/system-deps.sh" in run]
            assert deps and deps[0] < tests[0], f"{path.name} job {name}"
            # tests/unit needs actionlint, which the toolchain target builds (`make test` too).
            tools = [
                i for i, run in enumerate(runs) if "make toolchain" in run or "make test" in run
            ]
            assert tools and tools[0] <= tests[0], f"{path.name} job {name}"
    assert testing_jobs == 2  # ci.yml test, pr-preview.yml test


def test_ci_runs_lint_and_the_promtool_rule_tests() -> None:
    runs = [_runs(step) for step in workflow("ci")["jobs"]["test"]["steps"]]
    assert "make lint" in runs and "make test" in runs
    version = next(i for i, run in enumerate(runs) if "promtool --version" in run)
    assert version < runs.index("make test")


def test_release_builds_both_architectures_with_make_and_signs_pushes_and_attests() -> None:
    document = workflow("release")
    assert document[True]["push"]["tags"] == ["v*.*.*"]
    build, publish = document["jobs"]["build"], document["jobs"]["publish"]
    assert {e["arch"] for e in build["strategy"]["matrix"]["include"]} == {"amd64", "arm64"}
    # The same build and test as everywhere: make image-test (build, SBOM, scan, run).
    assert any("make image-test" in _runs(step) for step in build["steps"])
    assert publish["needs"] == "build"
    assert publish["permissions"]["id-token"] == "write"  # keyless signing
    assert publish["permissions"]["packages"] == "write"
    scripts = "\n".join(_runs(step) for step in publish["steps"])
    assert "--preserve-digests" in scripts
    assert "podman manifest push --all" in scripts
    assert "cosign sign --yes" in scripts
    assert "cosign attest --yes --type cyclonedx" in scripts
    (provenance,) = steps_using(document, "actions/attest-build-provenance")
    assert provenance["with"]["push-to-registry"] is True


def test_rightsize_applies_the_advisor_and_opens_a_pull_request_with_its_report() -> None:
    document = workflow("rightsize")
    triggers = document[True]
    assert triggers["schedule"][0]["cron"] and "workflow_dispatch" in triggers
    assert document["permissions"] == {"contents": "write", "pull-requests": "write"}
    job = document["jobs"]["advise"]
    assert {entry["stack"] for entry in job["strategy"]["matrix"]["include"]} <= CLUSTER_STACKS
    runs = [_runs(step) for step in job["steps"]]
    advise = next(run for run in runs if "awx-runtime" in run)
    assert "rightsize" in advise and "--apply" in advise and "--format markdown" in advise
    opened = next(run for run in runs if "gh pr create" in run)
    assert "--body-file report.md" in opened
    # Prometheus: a self-hosted runner's URL, or a port-forward with the cluster's kubeconfig.
    forward = next(s for s in job["steps"] if "port-forward" in _runs(s))
    assert forward["if"] == "vars.PROMETHEUS_URL == ''"
