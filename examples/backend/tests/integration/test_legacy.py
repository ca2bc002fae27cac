from ...app import legacy


def test_legacy():
    assert legacy
