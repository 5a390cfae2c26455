"""Sign-in throttling per account and per address (console login, API token, every other door), and API tokens:
listed by their owner with a masked prefix, revoked on request and all revoked when the password changes."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import time_machine
from django.contrib.auth import authenticate
from django.test import Client

from conftest import ApiClient
from wuye.core.models import ApiToken, Event

T0 = datetime(2026, 11, 20, 9, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
ENGLISH = {"HTTP_ACCEPT_LANGUAGE": "en"}


def _token_request(username, password, address="10.0.0.1", **extra):
    return ApiClient().post("/api/v1/auth/token", {"username": username, "password": password},
                            REMOTE_ADDR=address, **ENGLISH, **extra)


def test_thirty_wrong_passwords_lock_the_account_until_the_window_ends(world):
    with time_machine.travel(T0, tick=False) as clock:
        answers = [_token_request("kefu", f"guess-{n}").status_code for n in range(30)]
        assert answers[:4] == [401] * 4 and set(answers[4:]) == {429}  # the fifth failure is the last allowed
        right = _token_request("kefu", "wuye-demo")
        assert right.status_code == 429 and "token" not in right.json()
        assert "Too many failed sign-in attempts" in right.json()["detail"]
        assert 0 < int(right["Retry-After"]) <= 15 * 60
        assert right.json()["errors"][0]["field"] == "password"
        # Every door uses the same count: the admin's and any other authenticate() refuse too.
        assert authenticate(None, username="kefu", password="wuye-demo") is None
        clock.shift(timedelta(minutes=14))
        assert _token_request("kefu", "wuye-demo").status_code == 429
        clock.shift(timedelta(minutes=1, seconds=1))  # the window that began with the first failure has ended
        assert _token_request("kefu", "wuye-demo").status_code == 200
    assert not ApiToken.objects.exclude(user=world.user("kefu")).exists()


def test_the_console_login_is_throttled_too(world):
    client = Client(REMOTE_ADDR="10.0.0.2")
    client.cookies["django_language"] = "en"
    with time_machine.travel(T0, tick=False) as clock:
        for n in range(30):
            response = client.post("/login/", {"username": "caiwu", "password": f"guess-{n}"})
        assert response.status_code == 429
        response = client.post("/login/", {"username": "caiwu", "password": "wuye-demo"})
        assert response.status_code == 429 and "Too many failed sign-in attempts" in response.content.decode()
        assert "_auth_user_id" not in client.session
        clock.shift(timedelta(minutes=16))
        assert client.post("/login/", {"username": "caiwu", "password": "wuye-demo"}).status_code == 302
        assert client.session["_auth_user_id"] == str(world.user("caiwu").pk)


def test_one_address_guessing_many_accounts_is_locked_out_of_all(world):
    with time_machine.travel(T0, tick=False):
        answers = [_token_request(f"nobody{n}", "guess", address="10.0.0.3").status_code for n in range(20)]
        assert answers == [401] * 19 + [429]  # 20 accounts × 1 guess: no account reached its own limit
        assert _token_request("jingli", "wuye-demo", address="10.0.0.3").status_code == 429
        assert _token_request("jingli", "wuye-demo", address="10.0.0.4").status_code == 200


def test_an_account_is_locked_whatever_address_the_guesses_come_from(world):
    with time_machine.travel(T0, tick=False):
        for n in range(5):
            _token_request("zhixu", "guess", address=f"10.0.1.{n}")
        assert _token_request("zhixu", "wuye-demo", address="10.0.2.1").status_code == 429


def test_behind_a_proxy_the_address_is_the_one_the_proxy_appended(settings, world):
    settings.WUYE_BEHIND_PROXY = True
    with time_machine.travel(T0, tick=False):
        for n in range(20):  # a client inventing a new X-Forwarded-For each time is still one address
            _token_request(f"nobody{n}", "guess", address="10.9.9.9", HTTP_X_FORWARDED_FOR=f"1.2.3.{n}, 203.0.113.7")
        assert _token_request("jingli", "wuye-demo", address="10.9.9.9",
                              HTTP_X_FORWARDED_FOR="203.0.113.7").status_code == 429
        assert _token_request("jingli", "wuye-demo", address="10.9.9.9",
                              HTTP_X_FORWARDED_FOR="203.0.113.8").status_code == 200


def test_a_successful_sign_in_forgives_earlier_typos(world):
    with time_machine.travel(T0, tick=False):
        for _round in range(2):
            for n in range(4):
                assert _token_request("gongcheng", f"typo-{n}").status_code == 401
            assert _token_request("gongcheng", "wuye-demo").status_code == 200


def _tokens(client):
    return client.get("/api/v1/auth/tokens").json()


def test_own_tokens_are_listed_with_a_masked_prefix_and_never_the_secret(world):
    first, second = ApiClient("yezhu"), ApiClient("yezhu")
    ApiClient("yezhu2")
    listed = _tokens(second)
    raw = {client.headers["HTTP_AUTHORIZATION"].removeprefix("Bearer ") for client in (first, second)}
    assert len(listed) == 2 and {item["id"] for item in listed} == set(
        ApiToken.objects.filter(user=world.user("yezhu")).values_list("pk", flat=True))
    assert [item["current"] for item in listed] == [True, False]  # newest first: the one asking
    for item in listed:
        assert item["prefix"].endswith("…") and len(item["prefix"]) == 7
        assert any(token.startswith(item["prefix"][:-1]) for token in raw)
        assert item["expires_at"] and item["created_at"]
        assert bool(item["last_used_at"]) == item["current"]  # the list request used one, the other is unused
        assert not any(token in str(item) for token in raw)


def test_delete_revokes_the_presented_token_and_records_it(world):
    kept, signed_out = ApiClient("kefu"), ApiClient("kefu")
    prefix = _tokens(signed_out)[0]["prefix"].rstrip("…")
    response = signed_out.client.delete("/api/v1/auth/token", **signed_out.headers)
    assert response.status_code == 204
    assert signed_out.get("/api/v1/auth/tokens").status_code == 401
    assert kept.get("/api/v1/auth/tokens").status_code == 200
    user = world.user("kefu")
    events = Event.objects.for_subject(user)
    assert events.filter(verb="auth.token_issued").count() == 2
    revoked = events.get(verb="auth.token_revoked")
    assert revoked.data["prefix"] == prefix and revoked.data["reason"] == "signed_out" and revoked.actor == user
    assert set(revoked.data) == {"prefix", "reason"}  # no row id: the timeline shows every key


def test_one_revokes_only_ones_own_tokens_by_id(world):
    owner, other = ApiClient("yezhu"), ApiClient("yezhu2")
    other_id = _tokens(other)[0]["id"]
    assert owner.client.delete(f"/api/v1/auth/tokens/{other_id}", **owner.headers).status_code == 404
    assert other.get("/api/v1/auth/tokens").status_code == 200
    assert other.client.delete(f"/api/v1/auth/tokens/{other_id}", **other.headers).status_code == 204
    assert other.get("/api/v1/auth/tokens").status_code == 401


def test_a_password_change_ends_every_token_and_every_other_session(world):
    user = world.user("jingli")
    tokens = [ApiClient("jingli"), ApiClient("jingli")]
    other_session = Client()
    other_session.force_login(user)
    assert other_session.get("/console/").status_code == 200
    user.set_password("a-new-long-passphrase-2026")
    user.save()
    for client in tokens:
        assert client.get("/api/v1/auth/tokens").status_code == 401
    assert other_session.get("/console/").status_code == 302  # back to the login page
    assert not ApiToken.objects.filter(user=user).exists()
    assert Event.objects.for_subject(user).filter(verb="auth.token_revoked",
                                                  data__reason="password_changed").count() == 2
    assert ApiClient("jingli", password="a-new-long-passphrase-2026").get("/api/v1/auth/tokens").status_code == 200


def test_saving_a_user_without_a_new_password_keeps_the_tokens(world):
    client = ApiClient("huanjing")
    user = world.user("huanjing")
    user.first_name = "环境"
    user.save()
    assert client.get("/api/v1/auth/tokens").status_code == 200
