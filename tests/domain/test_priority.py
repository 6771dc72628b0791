import pytest

from console.domain.enums import Impact, Priority, Urgency
from console.domain.priority import PolicyError, PriorityMatrix
from console.resources import load_priority_matrix


@pytest.fixture(scope="module")
def matrix() -> PriorityMatrix:
    return load_priority_matrix()


@pytest.mark.parametrize(
    ("impact", "urgency", "expected"),
    [
        (Impact.SITE, Urgency.WORK_STOPPED, Priority.P1),
        (Impact.TEAM, Urgency.WORK_STOPPED, Priority.P2),
        (Impact.SITE, Urgency.DEGRADED, Priority.P2),
        (Impact.SINGLE_USER, Urgency.WORK_STOPPED, Priority.P3),
        (Impact.TEAM, Urgency.DEGRADED, Priority.P3),
        (Impact.SINGLE_USER, Urgency.DEGRADED, Priority.P4),
        (Impact.SINGLE_USER, Urgency.MINOR, Priority.P5),
    ],
)
def test_bundled_matrix_follows_itil(
    matrix: PriorityMatrix, impact: Impact, urgency: Urgency, expected: Priority
) -> None:
    decision = matrix.decide(impact, urgency)
    assert decision.priority is expected
    assert decision.reason.startswith(f"{expected}: impact ")


def test_priority_never_improves_when_more_people_or_more_urgent(matrix: PriorityMatrix) -> None:
    impacts = [Impact.SINGLE_USER, Impact.TEAM, Impact.SITE]
    urgencies = [Urgency.MINOR, Urgency.DEGRADED, Urgency.WORK_STOPPED]
    for i, impact in enumerate(impacts):
        for j, urgency in enumerate(urgencies):
            here = matrix.decide(impact, urgency).priority
            if i + 1 < len(impacts):
                assert matrix.decide(impacts[i + 1], urgency).priority <= here
            if j + 1 < len(urgencies):
                assert matrix.decide(impact, urgencies[j + 1]).priority <= here


def test_partial_matrix_is_refused_naming_the_cell() -> None:
    data = {
        "matrix": {
            "site": {"work_stopped": "P1", "degraded": "P2", "minor": "P3"},
            "team": {"work_stopped": "P2", "degraded": "P3"},
            "single_user": {"work_stopped": "P3", "degraded": "P4", "minor": "P5"},
        }
    }
    with pytest.raises(PolicyError, match=r"matrix\.team\.minor must be one of P1\.\.P5"):
        PriorityMatrix.from_mapping(data, source="policy.yaml")


def test_unknown_keys_are_refused() -> None:
    row = {"work_stopped": "P1", "degraded": "P2", "minor": "P3"}
    data = {"matrix": {"site": row, "team": row, "single_user": row, "galaxy": row}}
    with pytest.raises(PolicyError, match="unknown impact 'galaxy'"):
        PriorityMatrix.from_mapping(data)
