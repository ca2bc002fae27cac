from unittest import mock

from app.auth.failover import AuthFailoverService


def test_authenticate():
    service = AuthFailoverService("a", "b")
    assert service.authenticate("user", "pw")


@mock.patch("app.auth.failover.AuthFailoverService.log_in")
def test_login_patched(login):
    AuthFailoverService("a", "b").login("u", "p")


def test_logout():
    assert AuthFailoverService("a", "b").logout("t") is None
