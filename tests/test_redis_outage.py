"""Redis is optional at every moment: hung or gone, the site keeps answering, and its limits come back with it.

Drills against gunicorn (2 workers of 2 threads, as the README deploys it) and a real redis-server that is
stopped with SIGSTOP (hung: connections are accepted, nothing is answered) or killed (refused).
"""

import signal
import threading
import time
from collections import Counter
from contextlib import contextmanager

import pytest

from tests.conftest import PASSWORD, running_redis
from tests.served import Browser, gunicorn, wait_for

#: How long any answer may take while Redis hangs.
PROMPT = 2.0
#: The answers the load must keep getting.
ANSWERED = [("login", "logged in"), ("healthz", "200"), ("courses", "200"), ("verify", "404")]


@pytest.fixture
def own_redis():
    with running_redis() as server:
        yield server


@pytest.fixture
def served(app, own_redis):
    url = own_redis.url
    # The eight people share one address here: the certificate check's limit per address is raised for them.
    with gunicorn(app.config["SQLALCHEMY_DATABASE_URI"], workers=2, threads=2, LMS_VERIFY_LIMIT="6000 per minute",
                  LMS_RATELIMIT_STORAGE_URI=url, RATELIMIT_STORAGE_URI=url) as served:
        yield served


@pytest.fixture
def people(make_user):
    return [make_user(email=f"trainee{n}@example.org") for n in range(8)]


def log_in(served, person) -> tuple[str, float]:
    """Log in as a browser would (the form, then the post): the outcome, and the slowest of its answers."""
    browser, slowest = Browser(served.url), 0.0
    for step in (lambda: browser.get("/login", timeout=10),
                 lambda: browser.post("/login", {"email": person.email, "password": PASSWORD}, timeout=10)):
        began = time.monotonic()
        try:
            status, page = step()
        except OSError as error:
            return type(error).__name__, time.monotonic() - began
        slowest = max(slowest, time.monotonic() - began)
        if status >= 500:
            return str(status), slowest
    return ("logged in" if 'id="password"' not in page else "refused"), slowest


def page(served, path) -> tuple[str, float]:
    began = time.monotonic()
    try:
        status, _ = Browser(served.url).get(path, timeout=10)
    except OSError as error:
        return type(error).__name__, time.monotonic() - began
    return str(status), time.monotonic() - began


@contextmanager
def load(served, people):
    """Logins, health checks, a kept page and a certificate check from eight clients: (what, outcome, seconds)."""
    seen, stop = [], threading.Event()

    def client(person):
        while not stop.is_set():
            seen.append(("login", *log_in(served, person)))
            seen.append(("healthz", *page(served, "/healthz")))
            seen.append(("courses", *page(served, "/courses")))
            seen.append(("verify", *page(served, "/verify/no-such-certificate")))
            time.sleep(0.05)  # a bounded load: eight people, not a benchmark

    clients = [threading.Thread(target=client, args=(person,)) for person in people]
    for thread in clients:
        thread.start()
    try:
        yield seen
    finally:
        stop.set()
        for thread in clients:
            thread.join(timeout=60)


def outcomes(seen) -> Counter:
    return Counter((what, outcome) for what, outcome, _ in seen)


def test_a_hung_redis_slows_no_answer_past_two_seconds(served, own_redis, people):
    with load(served, people) as seen:
        wait_for(lambda: len(seen) >= 16)  # on a busy machine the first answers can take seconds
        print(f"slowest answer before: {max(seconds for _, _, seconds in seen):.2f} s")
        own_redis.process.send_signal(signal.SIGSTOP)  # hung: Redis accepts connections and answers nothing
        stopped_at = len(seen)
        time.sleep(10)
        during = list(seen[stopped_at:])
        own_redis.process.send_signal(signal.SIGCONT)
        time.sleep(2)
    print("while Redis hung:", dict(outcomes(during)))
    assert min(outcomes(during)[answer] for answer in ANSWERED) >= 8
    assert set(outcomes(during)) <= set(ANSWERED), outcomes(during)
    slowest = max(seconds for _, _, seconds in during)
    print(f"slowest answer while Redis hung: {slowest:.2f} s")
    assert slowest < PROMPT


def test_with_redis_gone_people_still_log_in_and_the_limits_return_with_it(served, own_redis, people):
    own_redis.process.kill()
    own_redis.process.wait()
    with load(served, people) as seen:
        wait_for(lambda: len(seen) >= 64)
    print("while Redis was gone:", dict(outcomes(seen)))
    assert min(outcomes(seen)[answer] for answer in ANSWERED) >= 8
    assert set(outcomes(seen)) <= set(ANSWERED), outcomes(seen)
    # Logged when each worker finds Redis gone (two threads of one worker may find it at once), not each request.
    assert 1 <= served.output().count("falling back to in-memory storage") <= 4
    assert 1 <= served.output().count("The page version is out of reach") <= 4

    with running_redis(own_redis.port) as back:
        deadline = time.monotonic() + 40  # each worker looks for Redis again within 32 s
        while not list(back.connection.scan_iter("*login*")) and time.monotonic() < deadline:
            browser = Browser(served.url)
            browser.get("/login")
            browser.post("/login", {"email": people[0].email, "password": "wrong"})
            time.sleep(0.5)
        assert list(back.connection.scan_iter("*login*")), "failed logins are counted in Redis again"
