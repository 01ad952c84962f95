"""Every policy passes its compliant case, catches its violating case, and the example stacks
(run under mocks) pass every mandatory policy."""

import pytest
from pulumi_policy import EnforcementLevel

from tests.harness import STACKS, run_program
from tests.policies.cases import CASES, Case
from tests.policies.pack import POLICIES, program_resources, violations


def test_every_policy_has_a_case_and_the_pack_is_big_enough() -> None:
    assert sorted(c.policy for c in CASES) == sorted(POLICIES)
    assert len(POLICIES) >= 25


@pytest.mark.parametrize("case", CASES, ids=[c.policy for c in CASES])
def test_compliant_case_passes(case: Case) -> None:
    assert violations(POLICIES[case.policy], case.compliant, case.config) == []


@pytest.mark.parametrize("case", CASES, ids=[c.policy for c in CASES])
def test_violating_case_is_reported(case: Case) -> None:
    found = violations(POLICIES[case.policy], case.violating, case.config)
    assert found, f"{case.policy} reported nothing"
    assert any(case.message in message for message in found), found


@pytest.mark.parametrize("stack", STACKS)
def test_example_stacks_pass_every_mandatory_policy(stack: str) -> None:
    resources = program_resources(run_program(stack), stack)
    failures = {
        name: found
        for name, policy in POLICIES.items()
        if policy.enforcement_level == EnforcementLevel.MANDATORY
        and (found := violations(policy, resources))
    }
    assert failures == {}


def test_protected_namespaces_are_configurable() -> None:
    policy = POLICIES["k8s-protected-namespaces"]
    case = next(c for c in CASES if c.policy == "k8s-protected-namespaces")
    assert violations(policy, case.compliant, {"namespaces": ["awx"]}) == [
        "'awx' is a protected namespace; this stack may not change it"
    ]
