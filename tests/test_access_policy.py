"""Every LMS route is public on purpose or refuses anonymous users; roles decide the rest.

The policy table lists every endpoint. A new route that is not in it fails
test_every_route_is_in_the_policy_table, so nobody adds a page without deciding who may see it.
"""

import re

import pytest

from lms.views import PUBLIC_ENDPOINTS

ANON, TRAINEE, MENTOR, ADMIN = "anonymous", "trainee", "mentor", "admin"
#: Redirected to the login page (a 302 whose Location is /login?next=...).
LOGIN = "login"

#: endpoint -> (method, path, {who: expected status}). {id} is another person's id.
POLICY = {
    "lms.core.home": ("GET", "/", {ANON: 200, TRAINEE: 200, MENTOR: 200, ADMIN: 200}),
    "lms.core.healthz": ("GET", "/healthz", {ANON: 200, TRAINEE: 200, MENTOR: 200, ADMIN: 200}),
    "lms.core.set_language": ("POST", "/language", {ANON: 302, TRAINEE: 302, MENTOR: 302, ADMIN: 302}),
    "lms.static": ("GET", "/lms-static/lms.css", {ANON: 200, TRAINEE: 200, MENTOR: 200, ADMIN: 200}),
    "lms.accounts.login": ("GET", "/login", {ANON: 200, TRAINEE: 302, MENTOR: 302, ADMIN: 302}),
    "lms.accounts.register": ("GET", "/register", {ANON: 200, TRAINEE: 302, MENTOR: 302, ADMIN: 302}),
    "lms.accounts.logout": ("POST", "/logout", {ANON: LOGIN, TRAINEE: 302, MENTOR: 302, ADMIN: 302}),
    "lms.accounts.account": ("GET", "/account", {ANON: LOGIN, TRAINEE: 200, MENTOR: 200, ADMIN: 200}),
    "lms.accounts.change_password": ("GET", "/account/password", {ANON: LOGIN, TRAINEE: 200, MENTOR: 200, ADMIN: 200}),
    "lms.users.index": ("GET", "/admin/users", {ANON: LOGIN, TRAINEE: 403, MENTOR: 403, ADMIN: 200}),
    "lms.users.detail": ("GET", "/admin/users/{id}", {ANON: LOGIN, TRAINEE: 403, MENTOR: 403, ADMIN: 200}),
    "lms.users.grant_role": ("POST", "/admin/users/{id}/roles", {ANON: LOGIN, TRAINEE: 403, MENTOR: 403, ADMIN: 302}),
    "lms.users.revoke_role": ("POST", "/admin/users/{id}/roles/trainee/revoke", {ANON: LOGIN, TRAINEE: 403, MENTOR: 403, ADMIN: 302}),
    "lms.users.deactivate": ("POST", "/admin/users/{id}/deactivate", {ANON: LOGIN, TRAINEE: 403, MENTOR: 403, ADMIN: 302}),
    "lms.users.reactivate": ("POST", "/admin/users/{id}/reactivate", {ANON: LOGIN, TRAINEE: 403, MENTOR: 403, ADMIN: 302}),
    "lms.audit.index": ("GET", "/admin/audit", {ANON: LOGIN, TRAINEE: 403, MENTOR: 403, ADMIN: 200}),
}


def test_every_route_is_in_the_policy_table(app):
    endpoints = {rule.endpoint for rule in app.url_map.iter_rules() if rule.endpoint.startswith("lms.")}
    assert endpoints == set(POLICY)


def test_the_public_list_is_exactly_what_anonymous_users_may_reach(app):
    reachable = {endpoint for endpoint, (_, _, expected) in POLICY.items() if expected[ANON] != LOGIN}
    assert PUBLIC_ENDPOINTS == reachable


@pytest.mark.parametrize("endpoint", sorted(POLICY))
@pytest.mark.parametrize("who", [ANON, TRAINEE, MENTOR, ADMIN])
def test_role_by_endpoint_matrix(app, make_user, login, endpoint, who):
    method, path, expected = POLICY[endpoint]
    other = make_user(full_name="Someone Else")
    client = app.test_client()
    if who != ANON:
        login(client, make_user(who))
    url = path.format(id=other.id)
    response = client.post_form(url) if method == "POST" else client.get(url)
    if expected[who] == LOGIN:
        assert response.status_code == 302, f"{who} {method} {url}"
        assert re.match(r"^/login\?next=", response.headers["Location"])
    else:
        assert response.status_code == expected[who], f"{who} {method} {url}"


def test_no_get_route_changes_state(app):
    for rule in app.url_map.iter_rules():
        if rule.endpoint.startswith("lms.") and POLICY[rule.endpoint][0] == "POST":
            assert "GET" not in rule.methods, rule
