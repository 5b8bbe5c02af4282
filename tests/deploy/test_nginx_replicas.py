"""deploy/nginx.conf in front of two replicas: each browser sticks to one, and both serve.

Two replicas run the image's command (port and bind address changed to free
loopback ports); Debian's nginx runs deploy/nginx.conf, included from a small main
config that keeps its pid, logs and temp files in a temp dir, so this runs as
non-root too. Only the listen port and the upstream addresses of that file are
rewritten. nginx names the replica in the X-Dropout-Lab-Replica header
($upstream_addr); each replica's /_stcore/metrics counts the sessions (websockets)
that started on it.

A class link, /?follow=<code>&dlab_route=<the teacher's route key>, must send any
browser to the teacher's replica and switch its cookie there; a `dlab_route` argument
that is not a plain route key must change nothing.
"""

from __future__ import annotations

import http.cookiejar
import os
import re
import shutil
import subprocess
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.deploy.conftest import TEST_HOST
from tests.deploy.helpers import (
    REPO_ROOT,
    STARTUP_TIMEOUT_S,
    Server,
    StreamlitServer,
    free_ports,
    http_get,
    require_tool,
    session_connects,
    start_image_command,
    start_process,
    wait_healthy,
    wait_until,
)
from tests.e2e.conftest import open_page

pytestmark = pytest.mark.deploy

NGINX_CONF = REPO_ROOT / "deploy" / "nginx.conf"
REPLICA_HEADER = "x-dropout-lab-replica"
ROUTE_COOKIE = "dlab_route"
# Fresh cookie jars tried to find one landing on each replica. A random key lands on
# a given one of two replicas with probability ~1/2, so 64 misses are ~1e-19 likely.
MAX_FRESH_JARS = 64
# The route cookie as nginx sets it; a class link's key is set with the same attributes.
COOKIE_ATTRIBUTES = "; Path=/; HttpOnly; SameSite=Lax"
FRESH_ROUTE = re.compile(rf"{ROUTE_COOKIE}=[0-9a-f]{{32}}{re.escape(COOKIE_ATTRIBUTES)}")
CLASS_CODE = "abc123"  # no replica knows it: these tests check only where nginx routes


@dataclass
class Stack:
    url: str  # nginx, for the HTTP client
    browser_url: str  # nginx under a host name, for Chromium
    replicas: dict[str, StreamlitServer]  # by "127.0.0.1:port", as $upstream_addr names it
    nginx: Server
    access_log: Path

    def log_tail(self) -> str:
        return self.access_log.read_text(errors="replace")[-4000:]


def render_site_config(listen_port: int, replica_ports: list[int]) -> str:
    """deploy/nginx.conf with its listen port and its two upstream servers replaced."""
    text = NGINX_CONF.read_text()
    text, listens = re.subn(
        r"(?m)^(\s*)listen\s+80;", rf"\g<1>listen 127.0.0.1:{listen_port};", text
    )
    assert listens == 1, "deploy/nginx.conf should have one `listen 80;`"
    ports = iter(replica_ports)
    text, servers = re.subn(
        r"(?m)^(\s*server\s+)127\.0\.0\.1:\d+",
        lambda m: f"{m.group(1)}127.0.0.1:{next(ports)}",
        text,
    )
    assert servers == len(replica_ports), f"expected {len(replica_ports)} upstream servers"
    return text


def render_main_config(workdir: Path) -> str:
    """What Debian's /etc/nginx/nginx.conf provides around conf.d/, in a temp dir."""
    # As root the workers would switch to `nobody`, who cannot write the temp dirs
    # under pytest's private tmp; keep them as the same (root) user then.
    user = "user root;" if os.geteuid() == 0 else ""
    temp = "\n".join(
        f"    {kind}_temp_path {workdir / kind};"
        for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")
    )
    return f"""
{user}
worker_processes 1;
pid {workdir / "nginx.pid"};
error_log {workdir / "error.log"} notice;
events {{ worker_connections 256; }}
http {{
    log_format replicas '$request_method $request_uri $status '
                        'upstream=$upstream_addr route=$cookie_{ROUTE_COOKIE}';
    access_log {workdir / "access.log"} replicas;
{temp}
    include {workdir / "dropout-lab.conf"};
}}
"""


def nginx_argv(nginx: str, workdir: Path, *extra: str) -> list[str]:
    # -e: nginx opens its error log before reading the config; keep it out of /var/log.
    return [nginx, "-e", str(workdir / "error.log"), "-p", f"{workdir}/", "-c",
            str(workdir / "nginx.conf"), *extra]  # fmt: skip


@pytest.fixture(scope="module")
def nginx_binary() -> str:
    return require_tool("nginx", [shutil.which("nginx"), "/usr/sbin/nginx"])


@pytest.fixture(scope="module")
def stack(nginx_binary: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    workdir = tmp_path_factory.mktemp("nginx")
    nginx_port, *replica_ports = free_ports(3)
    (workdir / "dropout-lab.conf").write_text(render_site_config(nginx_port, replica_ports))
    (workdir / "nginx.conf").write_text(render_main_config(workdir))

    check = subprocess.run(
        nginx_argv(nginx_binary, workdir, "-t"), capture_output=True, text=True, check=False
    )
    assert check.returncode == 0, f"nginx -t rejected the config:\n{check.stderr}"

    started: list[Server] = []
    try:
        # Replicas share a cookie secret, as docs/deploy.md asks of a real deployment.
        secret = {"STREAMLIT_SERVER_COOKIE_SECRET": "dropout-lab-test-secret"}
        replicas = {}
        for i, port in enumerate(replica_ports):
            replica = start_image_command(
                f"replica{i}", port, workdir, address="127.0.0.1", extra_env=secret, wait=False
            )
            started.append(replica)
            replicas[f"127.0.0.1:{port}"] = replica
        for replica in replicas.values():
            wait_healthy(replica)

        nginx = start_process(
            "nginx", nginx_argv(nginx_binary, workdir, "-g", "daemon off;"), {}, workdir, workdir
        )
        started.append(nginx)
        url = f"http://127.0.0.1:{nginx_port}"

        def nginx_ok() -> bool:
            r = http_get(f"{url}/_stcore/health", timeout=2.0)
            return r is not None and r.status == 200 and r.text == "ok"

        wait_until(nginx_ok, STARTUP_TIMEOUT_S, "nginx to proxy /_stcore/health", abort=nginx.died)
        browser_url = f"http://{TEST_HOST}:{nginx_port}"
        yield Stack(url, browser_url, replicas, nginx, workdir / "access.log")
    finally:
        for server in reversed(started):  # nginx first, then the replicas
            server.stop()


def cookie_client() -> tuple[urllib.request.OpenerDirector, http.cookiejar.CookieJar]:
    """An HTTP client that keeps cookies, like one browser."""
    jar = http.cookiejar.CookieJar()
    return urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar)), jar


@pytest.fixture(scope="module")
def route_keys(stack: Stack) -> dict[str, str]:
    """For each replica, the route cookie of a fresh client that nginx sent there.

    Every fresh client must keep its replica for all its later requests.
    """
    keys: dict[str, str] = {}
    for _ in range(MAX_FRESH_JARS):
        opener, jar = cookie_client()
        first = http_get(f"{stack.url}/", opener=opener)
        assert first is not None and first.status == 200
        replica = first.headers.get(REPLICA_HEADER)
        assert replica in stack.replicas, (replica, stack.log_tail())
        cookies = {c.name: c.value for c in jar}
        assert ROUTE_COOKIE in cookies, first.headers

        for path in ("/_stcore/health", "/_stcore/host-config", "/"):
            again = http_get(f"{stack.url}{path}", opener=opener)
            assert again is not None and again.status == 200, path
            assert again.headers.get(REPLICA_HEADER) == replica, (path, stack.log_tail())
            assert (
                "set-cookie" not in again.headers or ROUTE_COOKIE not in again.headers["set-cookie"]
            ), "nginx re-sent the route cookie to a client that has one"
        keys.setdefault(replica, cookies[ROUTE_COOKIE])
        if len(keys) == len(stack.replicas):
            break
    return keys


def test_fresh_clients_reach_both_replicas_and_each_sticks(
    stack: Stack, route_keys: dict[str, str]
) -> None:
    assert set(route_keys) == set(stack.replicas), (
        f"{MAX_FRESH_JARS} fresh clients all landed on {set(route_keys)}:\n{stack.log_tail()}"
    )


def open_session(stack: Stack, context, route_key: str | None, path: str = "/") -> tuple[str, str]:
    """Load `path` in a browser context (twice); assert it stuck; return (replica, route key).

    The replica serving the page must serve every other response of the page and
    count both sessions (the page's websockets); the other replica must count none.
    """
    if route_key is not None:
        context.add_cookies([{"name": ROUTE_COOKIE, "value": route_key, "url": stack.browser_url}])
    before = {addr: session_connects(r.url) for addr, r in stack.replicas.items()}
    served_by: list[tuple[str, str | None]] = []
    page = context.new_page()
    page.on(
        "response",
        lambda r: (
            served_by.append((r.url, r.headers.get(REPLICA_HEADER)))
            if r.url.startswith(stack.browser_url)
            else None
        ),
    )
    response = page.goto(f"{stack.browser_url}{path}", wait_until="load")
    assert response is not None and response.ok
    replica = response.headers.get(REPLICA_HEADER)
    assert replica in stack.replicas, (replica, stack.log_tail())
    server = stack.replicas[replica]

    wait_until(
        lambda: session_connects(server.url) >= before[replica] + 1,
        STARTUP_TIMEOUT_S,
        f"the page's websocket session on {replica}",
        abort=server.died,
    )
    # A reload is a new page load in the same browser: same cookie, same replica.
    page.reload(wait_until="load")
    wait_until(
        lambda: session_connects(server.url) >= before[replica] + 2,
        STARTUP_TIMEOUT_S,
        f"the reloaded page's websocket session on {replica}",
        abort=server.died,
    )
    page.close()

    for addr, other in stack.replicas.items():
        if addr != replica:
            assert session_connects(other.url) == before[addr], (
                f"a session of this browser started on {addr} too:\n{stack.log_tail()}"
            )
    strays = [(url, by) for url, by in served_by if by != replica]
    assert not strays, f"responses not from {replica}: {strays}"
    assert len(served_by) >= 4, served_by  # page, bundle, health, host-config, ... twice
    cookies = [c for c in context.cookies(stack.browser_url) if c["name"] == ROUTE_COOKIE]
    assert len(cookies) == 1, context.cookies()
    return replica, cookies[0]["value"]


def websocket_log(stack: Stack, route_key: str) -> list[str]:
    """nginx's log lines for this browser's websockets (written when each one closes)."""
    return [
        line
        for line in stack.access_log.read_text().splitlines()
        if line.startswith("GET /_stcore/stream ") and line.endswith(f" route={route_key}")
    ]


def test_a_browser_session_stays_on_one_replica_and_both_replicas_serve(
    stack: Stack, route_keys: dict[str, str], browser
) -> None:
    # A fresh browser: nginx picks a replica and sets the cookie.
    context = browser.new_context()
    try:
        first, first_key = open_session(stack, context, route_key=None)
    finally:
        context.close()

    # A second browser whose cookie maps to the other replica (the key comes from a
    # fresh client nginx sent there): its whole session runs on that replica.
    (other,) = set(stack.replicas) - {first}
    context = browser.new_context()
    try:
        assert open_session(stack, context, route_key=route_keys[other]) == (
            other,
            route_keys[other],
        )
    finally:
        context.close()

    # nginx's side: each browser's two websockets were upgraded (101) and proxied to
    # its replica. The lines appear once the closed pages' websockets are torn down.
    for replica, key in ((first, first_key), (other, route_keys[other])):
        lines = wait_until(
            lambda key=key: (found := websocket_log(stack, key)) and len(found) >= 2 and found,
            STARTUP_TIMEOUT_S,
            f"nginx to log the two websockets of route {key}",
        )
        for line in lines:
            assert f" 101 upstream={replica} " in line, line


# ------------------------------------------------------------------------ class links


@dataclass
class Reply:
    replica: str | None  # X-Dropout-Lab-Replica
    route_cookies: list[str]  # its Set-Cookie headers for the route cookie
    set_cookies: list[str]  # all its Set-Cookie headers
    headers: dict[str, str]


def get(stack: Stack, opener: urllib.request.OpenerDirector, path: str) -> Reply:
    """GET path through nginx with this client; every Set-Cookie header, not just the last."""
    with opener.open(f"{stack.url}{path}", timeout=5.0) as r:
        assert r.status == 200, path
        r.read()
        set_cookies = r.headers.get_all("Set-Cookie") or []
        return Reply(
            r.headers.get(REPLICA_HEADER),
            [c for c in set_cookies if c.startswith(f"{ROUTE_COOKIE}=")],
            set_cookies,
            {k.lower(): v for k, v in r.headers.items()},
        )


def client_with_route(
    route_key: str,
) -> tuple[urllib.request.OpenerDirector, http.cookiejar.CookieJar]:
    """A client that already has a route cookie, as if nginx had set it earlier."""
    opener, jar = cookie_client()
    jar.set_cookie(
        http.cookiejar.Cookie(
            version=0,
            name=ROUTE_COOKIE,
            value=route_key,
            port=None,
            port_specified=False,
            domain="127.0.0.1",
            domain_specified=False,
            domain_initial_dot=False,
            path="/",
            path_specified=True,
            secure=False,
            expires=None,
            discard=True,
            comment=None,
            comment_url=None,
            rest={"HttpOnly": None},
        )
    )
    return opener, jar


def route_in(jar: http.cookiejar.CookieJar) -> str:
    values = [c.value for c in jar if c.name == ROUTE_COOKIE]
    assert len(values) == 1, list(jar)
    assert values[0] is not None
    return values[0]


def class_link(route_key: str) -> str:
    """The path of a class link as the app writes it (dropout_viz/ui/class_server.py)."""
    return f"/?follow={CLASS_CODE}&{ROUTE_COOKIE}={route_key}"


def assert_stays(stack: Stack, opener: urllib.request.OpenerDirector, replica: str) -> None:
    """Later plain requests (no argument) reach `replica`, and nginx sets no new cookie."""
    for path in ("/_stcore/health", "/_stcore/host-config", "/"):
        again = get(stack, opener, path)
        assert again.replica == replica, (path, stack.log_tail())
        assert again.route_cookies == [], (path, again.set_cookies)


def both_keys(stack: Stack, route_keys: dict[str, str]) -> dict[str, str]:
    assert set(route_keys) == set(stack.replicas), route_keys  # see the first test
    return route_keys


def test_a_class_link_sends_a_fresh_client_to_the_teachers_replica_and_it_stays(
    stack: Stack, route_keys: dict[str, str]
) -> None:
    # Each replica in turn, so that landing there cannot be luck (1/2 each).
    for replica, key in both_keys(stack, route_keys).items():
        opener, jar = cookie_client()
        reply = get(stack, opener, class_link(key))
        assert reply.replica == replica, (key, stack.log_tail())
        assert reply.route_cookies == [f"{ROUTE_COOKIE}={key}{COOKIE_ATTRIBUTES}"], reply
        assert route_in(jar) == key
        assert_stays(stack, opener, replica)


def test_a_class_link_moves_a_client_that_sticks_to_another_replica(
    stack: Stack, route_keys: dict[str, str]
) -> None:
    keys = both_keys(stack, route_keys)
    for teacher, other in ((a, b) for a in keys for b in keys if a != b):
        opener, jar = client_with_route(keys[other])
        assert_stays(stack, opener, other)  # the jar's cookie is sent, and sticks
        reply = get(stack, opener, class_link(keys[teacher]))
        assert reply.replica == teacher, stack.log_tail()
        assert reply.route_cookies == [f"{ROUTE_COOKIE}={keys[teacher]}{COOKIE_ATTRIBUTES}"]
        assert route_in(jar) == keys[teacher]
        assert_stays(stack, opener, teacher)


@pytest.mark.parametrize("key", ["a", "Z" * 64, "aZ09_-" * 10])
def test_a_class_link_takes_any_key_of_letters_digits_dash_underscore_up_to_64(
    stack: Stack, key: str
) -> None:
    opener, jar = cookie_client()
    reply = get(stack, opener, class_link(key))
    assert reply.replica in stack.replicas
    assert reply.route_cookies == [f"{ROUTE_COOKIE}={key}{COOKIE_ATTRIBUTES}"]
    assert route_in(jar) == key
    assert_stays(stack, opener, reply.replica)


def invalid_link_keys(key: str) -> dict[str, str]:
    """`dlab_route` arguments nginx must ignore, as they appear in the URL, built on `key`
    (a valid key) so that a filter that stripped or decoded them would route by `key`."""
    return {
        "semicolon": f"{key};Domain=evil.test",
        "encoded semicolon": f"{key}%3B%20Max-Age=0",
        "encoded CRLF": f"{key}%0D%0AX-Injected:%201",
        "encoded space": f"{key}%20x",
        "plus (a space)": f"{key}+x",
        "equals sign": f"{key}=x",
        "dot": f"{key}.x",
        "200 characters": (key * 8)[:200],
        "65 characters": (key * 3)[:65],
        "empty": "",
    }


@pytest.mark.parametrize("case", list(invalid_link_keys("k")))
def test_an_invalid_route_argument_is_ignored(
    stack: Stack, route_keys: dict[str, str], case: str
) -> None:
    keys = both_keys(stack, route_keys)
    teacher, other = keys
    arg = invalid_link_keys(keys[teacher])[case]

    # A fresh client: a fresh random route and cookie, as without the argument.
    opener, jar = cookie_client()
    reply = get(stack, opener, class_link(arg))
    assert len(reply.route_cookies) == 1, reply.set_cookies
    assert FRESH_ROUTE.fullmatch(reply.route_cookies[0]), reply.route_cookies
    for header in reply.set_cookies:
        assert not any(bad in header for bad in ("evil", "Max-Age", "Injected")), header
    assert "x-injected" not in reply.headers
    assert route_in(jar) != keys[teacher]
    assert_stays(stack, opener, reply.replica or "")

    # A client that sticks to the other replica stays there, its cookie unchanged.
    opener, jar = client_with_route(keys[other])
    reply = get(stack, opener, class_link(arg))
    assert reply.replica == other, (arg, stack.log_tail())
    assert reply.route_cookies == [], reply.set_cookies
    assert route_in(jar) == keys[other]
    assert_stays(stack, opener, other)


def test_a_class_link_moves_a_browsers_page_and_websockets_to_the_teachers_replica(
    stack: Stack, route_keys: dict[str, str], browser
) -> None:
    keys = both_keys(stack, route_keys)
    teacher, other = keys
    context = browser.new_context()
    try:
        # A browser on the other replica opens the link: page, reload, websockets on the
        # teacher's replica; then a plain visit, without the argument, stays there too.
        link = class_link(keys[teacher])
        assert open_session(stack, context, keys[other], path=link) == (teacher, keys[teacher])
        assert open_session(stack, context, None) == (teacher, keys[teacher])
    finally:
        context.close()


def test_a_student_on_another_replica_follows_the_teachers_run(
    stack: Stack, route_keys: dict[str, str], browser
) -> None:
    """The feature end to end: the app's own class link finds the teacher's run."""
    keys = both_keys(stack, route_keys)
    contexts = []

    def new_page(route_key: str | None):
        context = browser.new_context(viewport={"width": 1400, "height": 2000})
        contexts.append(context)
        if route_key is not None:
            context.add_cookies(
                [{"name": ROUTE_COOKIE, "value": route_key, "url": stack.browser_url}]
            )
        page = context.new_page()
        page.set_default_timeout(STARTUP_TIMEOUT_S * 1000)
        return context, page

    try:
        teacher_context, teacher = new_page(None)
        response = teacher.goto(f"{stack.browser_url}/")
        assert response is not None and response.ok
        replica = response.headers.get(REPLICA_HEADER)
        (other,) = set(stack.replicas) - {replica}
        (teacher_key,) = [
            c["value"] for c in teacher_context.cookies() if c["name"] == ROUTE_COOKIE
        ]
        teacher.wait_for_selector("[data-testid=stApp]")
        teacher.get_by_text("Teach a class").click()
        code = teacher.locator("[data-testid=stCode]").filter(has_text="follow=").first
        link = code.inner_text().strip()
        assert link.startswith(f"{stack.browser_url}/?follow="), link
        assert link.endswith(f"&{ROUTE_COOKIE}={teacher_key}"), link

        # Without the route key the other replica does not know the class code...
        _, lost = new_page(keys[other])
        open_page(lost, link.removesuffix(f"&{ROUTE_COOKIE}={teacher_key}"))
        lost.get_by_text("There is no class run with the code").wait_for()

        # ...with it, a student whose browser sticks to the other replica follows.
        student_context, student = new_page(keys[other])
        response = student.goto(link)
        assert response is not None and response.headers.get(REPLICA_HEADER) == replica
        student.get_by_text("You are watching").wait_for()
        assert student.get_by_text("There is no class run").count() == 0
        # Its canvas's class feed (/dlab/feed/<code>) reaches the teacher's replica too.
        student.locator(".dl-step").filter(has_text="Step 0").wait_for()
        student.get_by_text("Your teacher has paused at step 0.").wait_for()
        (student_key,) = [
            c["value"] for c in student_context.cookies() if c["name"] == ROUTE_COOKIE
        ]
        assert student_key == teacher_key
    finally:
        for context in contexts:
            context.close()
