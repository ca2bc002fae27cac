from app.utils.rate_limit import check_rate_limit
import app.utils.rate_limit as rate_limit


def test_limit():
    assert check_rate_limit("k")


def test_module_helper():
    assert rate_limit.enforce_rate_limt("k")
