"""The Django admin works under the same strict CSP as the public pages."""

import pytest

from tests.conftest import log_in, make_user

from .conftest import inline_code, parse_csp

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client):
    """An administrator logged in with password and second factor, as the admin requires."""
    admin = make_user("admin")
    admin.is_staff = admin.is_superuser = True
    admin.save()
    response = log_in(client, admin)
    assert response.status_code == 302
    return client


def test_the_admin_login_page_has_the_strict_policy_and_no_inline_code(client):
    response = client.get("/admin/login/")
    assert response.status_code == 200
    assert "'unsafe-inline'" not in response["Content-Security-Policy"]
    assert inline_code(response.content.decode()) == []


def test_an_admin_change_page_opens_under_the_strict_policy(admin_client, published_case):
    response = admin_client.get(f"/admin/tracker/case/{published_case.pk}/change/")
    content = response.content.decode()
    assert response.status_code == 200
    assert published_case.title in content
    assert parse_csp(response["Content-Security-Policy"])["default-src"] == ["'self'"]
    assert inline_code(content) == []


def test_the_admin_list_and_add_pages_have_no_inline_code(admin_client, published_case):
    for url in ["/admin/", "/admin/tracker/case/", "/admin/tracker/case/add/"]:
        response = admin_client.get(url)
        assert response.status_code == 200, url
        assert inline_code(response.content.decode()) == [], url


def test_the_admin_loads_its_scripts_and_styles_from_our_origin(admin_client, published_case):
    content = admin_client.get(f"/admin/tracker/case/{published_case.pk}/change/").content.decode()
    assert '<script src="/static/admin/js/' in content
    assert 'href="/static/admin/css/' in content
