r"""How does one server take a class? Many Playground tabs at once, on one streamlit process.

    .venv/bin/python benchmarks/bench_class.py [--seconds 60] [--sizes 1,5,10,20,30] \
        [--followers] [--cores-server 0 --cores-clients 1]

Starts `streamlit run app.py` pinned to one core (taskset) with a short
``server.disconnectedSessionTTL``, and runs every student in this process,
pinned to another core: each is a ``tests/load/streamlit_client.Client``, which
speaks the websocket protocol as one tab of the 1.67 frontend does (widget
states, the message cache, the canvas's feed requests) without drawing anything.
First it checks that claim: one client and one headless Chromium tab, each
alone on the idle server, side by side. Then "own twins": N students each
press Play on their own Playground; then "followers": a teacher plays and 29
students open the class link (their canvases then poll the class feed, as
``live_canvas.js`` does, instead of rerunning a script); and memory: a second class of 30 after the
first left. Students join 0.2 s apart. Prints tables; the targets come from
the class issue. Nothing is asserted: timings belong here, not in tests.
``--own-twins`` or ``--followers`` runs only that scenario (default: both). The
default run takes ~13 minutes (expired sessions are waited for), ``--seconds 30`` ~8.
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import os
import re
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.ClientState_pb2 import ClientState

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.e2e.conftest import (  # noqa: E402
    ARTIFACTS,
    CHROMIUM_ARGS,
    chromium_path,
    free_port,
    streamlit_command,
    wait_for_health,
)
from tests.load.streamlit_client import CLASS_LINK, Client  # noqa: E402

CLASS = 30  # a class: the memory check runs it twice, the followers scenario is 1 + 29
JOIN_SPACING = 0.2  # seconds between two students opening the page: a class joins, not a DoS
WARMUP = 5.0  # seconds of play before measuring: every student's run is under way
WAIT = 120.0  # upper bound for a page or a button to show up under load
JANITOR = 5.0  # the app frees a closed tab's run at its next sweep (ui/class_server.py)
SERVER_ERRORS = re.compile(r"Exception|Traceback|Error")

# Runs inside the Chromium tab: one sample per animation frame, as bench_live.py does;
# it counts changes of the step number itself, as the protocol client does.
BROWSER_COUNTER_JS = """() => {
  const s = {changes: 0, step: null, first: null, start: performance.now()};
  window.__classStats = s;
  let node = null;  // the step line the canvas draws, in its shadow root
  const sample = () => {
    if (!node || !node.isConnected) {
      node = null;
      document.querySelectorAll('*').forEach((e) => {
        if (!node && e.shadowRoot) node = e.shadowRoot.querySelector('.dl-step');
      });
    }
    const m = node && /Step ([\\d,]+)/.exec(node.textContent);
    const step = m ? parseInt(m[1].replace(/,/g, ''), 10) : null;
    if (step !== null && step !== s.step) {
      if (s.first === null) s.first = step; else s.changes += 1;
      s.step = step;
    }
    requestAnimationFrame(sample);
  };
  requestAnimationFrame(sample);
}"""
BROWSER_RESULT_JS = """() => {
  const s = window.__classStats;
  return {changes: s.changes, first: s.first, last: s.step,
          seconds: (performance.now() - s.start) / 1000};
}"""


# --- the server ---------------------------------------------------------------------------
@dataclass
class Server:
    process: subprocess.Popen
    url: str
    log: Path
    ttl: float

    def cpu_seconds(self) -> float:
        """utime + stime of the server process (/proc/<pid>/stat)."""
        stat = Path(f"/proc/{self.process.pid}/stat").read_text()
        fields = stat[stat.rindex(")") + 2 :].split()  # fields from the 3rd (state) on
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    def rss_mb(self) -> float:
        for line in Path(f"/proc/{self.process.pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
        raise RuntimeError("no VmRSS")

    def log_size(self) -> int:
        return self.log.stat().st_size

    def errors_since(self, offset: int) -> list[str]:
        with self.log.open(encoding="utf-8", errors="replace") as log:
            log.seek(offset)
            return [line.rstrip() for line in log if SERVER_ERRORS.search(line)]

    async def expire(self) -> None:
        """Until closed tabs' sessions are past their TTL and the app's janitor freed them."""
        await asyncio.sleep(self.ttl + 2 * JANITOR + 1)


def start_server(cores: str, ttl: float) -> Server:
    port = free_port()
    ARTIFACTS.mkdir(exist_ok=True)
    log = ARTIFACTS / "bench-class-streamlit.log"
    command = streamlit_command(port, "--server.disconnectedSessionTTL", f"{ttl:g}")
    with log.open("w") as log_file:
        process = subprocess.Popen(
            ["taskset", "-c", cores, *command],
            cwd=ROOT,
            stdout=log_file,
            stderr=subprocess.STDOUT,
            env={**os.environ, "PYTHONUNBUFFERED": "1"},
            start_new_session=True,  # Ctrl-C reaches this script, which stops it in order
        )
    server = Server(process, f"http://127.0.0.1:{port}", log, ttl)
    try:
        wait_for_health(server.url, process, 120)
    except BaseException:
        stop_server(server)
        raise
    return server


def stop_server(server: Server) -> None:
    server.process.terminate()
    try:
        server.process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        server.process.kill()
        server.process.wait()


# --- one screen's figures -----------------------------------------------------------------
@dataclass
class Screen:
    """What one tab saw during the measurement window."""

    updates_per_second: float
    steps_per_second: float
    longest_wait: float  # the longest time without a new step number (s)
    feed_requests: int = 0  # the screen's requests to the feed in the window


def step_at(client: Client, moment: float) -> int | None:
    """The step number the tab showed at that moment."""
    shown = [s for t, s in client.updates if t <= moment]
    return shown[-1] if shown else None


def screen(client: Client, start: float, end: float) -> Screen:
    """Call it while the tab is open: a closed tab has no timer left."""
    updates = client.updates_between(start, end)
    first, last = step_at(client, start), step_at(client, end)
    steps = (last - first) / (end - start) if first is not None and last is not None else 0.0
    moments = [start, *(t for t, _ in updates), end]
    longest = max(b - a for a, b in itertools.pairwise(moments))
    return Screen(len(updates) / (end - start), steps, longest)


# --- a class ------------------------------------------------------------------------------
async def join(clients: list[Client], play: bool) -> None:
    """Students open their tabs JOIN_SPACING apart; each presses Play once it shows."""

    async def student(i: int, client: Client) -> None:
        await asyncio.sleep(i * JOIN_SPACING)
        try:
            await client.open(timeout=WAIT)
            await client.wait_rendered(WAIT)
            if play:
                await client.click("Play")
                await client.wait_for(lambda: client.has_button("Pause"), WAIT)
        except Exception as error:  # one failed student is a figure, not a crash
            client.errors.append((time.monotonic(), "join", repr(error)))

    await asyncio.gather(*(student(i, c) for i, c in enumerate(clients)))


async def close_all(clients: list[Client]) -> None:
    await asyncio.gather(*(c.close() for c in clients), return_exceptions=True)


@dataclass
class Window:
    start: float
    end: float
    cpu_percent: float
    rss_peak: float


async def measure(server: Server, seconds: float) -> Window:
    """The measurement window: server CPU over it, RSS sampled every second."""
    start, cpu = time.monotonic(), server.cpu_seconds()
    peak = server.rss_mb()
    while time.monotonic() < start + seconds:
        await asyncio.sleep(min(1.0, start + seconds - time.monotonic()))
        peak = max(peak, server.rss_mb())
    end = time.monotonic()
    return Window(start, end, 100 * (server.cpu_seconds() - cpu) / (end - start), peak)


async def newcomer(server: Server) -> tuple[float | None, float | None]:
    """One more student opens the page: seconds to its step counter, and to its first run
    finished."""
    client = Client(server.url)
    try:
        await client.open(timeout=WAIT)
        await client.wait_rendered(WAIT)
    except Exception as error:
        print(f"  newcomer failed: {error!r}", file=sys.stderr)
    finally:
        await client.close()
    if client.opened_at is None:
        return None, None
    first_step = client.first_step_at - client.opened_at if client.first_step_at else None
    return first_step, client.page_load_seconds()


@dataclass
class ClassResult:
    n: int
    screens: list[Screen]
    window: Window
    rss_idle: float
    rss_left: float
    rss_expired: float
    server_errors: list[str]
    client_errors: list[str]
    newcomer_step: float | None = None
    newcomer_finished: float | None = None
    followers: list[Screen] = field(default_factory=list)

    @property
    def rss_per_session(self) -> float:
        return (self.window.rss_peak - self.rss_idle) / (self.n + len(self.followers))


def errors_of(clients: list[Client]) -> list[str]:
    return [f"{kind}: {detail}" for c in clients for _, kind, detail in c.errors]


async def own_twins(server: Server, n: int, seconds: float) -> ClassResult:
    print(f"… own twins, {n} students", file=sys.stderr, flush=True)
    offset, idle = server.log_size(), server.rss_mb()
    clients = [Client(server.url) for _ in range(n)]
    try:
        await join(clients, play=True)
        await asyncio.sleep(WARMUP)
        asked = [c.feed_requests for c in clients]
        window = await measure(server, seconds)
        screens = [screen(c, window.start, window.end) for c in clients]
        for shown, client, before in zip(screens, clients, asked, strict=True):
            shown.feed_requests = client.feed_requests - before
        late_step, late_finished = await newcomer(server)  # while the class still plays
    finally:
        await close_all(clients)
    await asyncio.sleep(1.0)  # the server notices the closed sockets
    left = server.rss_mb()
    await server.expire()
    return ClassResult(
        n,
        screens,
        window,
        idle,
        left,
        server.rss_mb(),
        server.errors_since(offset),
        errors_of(clients),
        late_step,
        late_finished,
    )


async def followers(server: Server, seconds: float) -> ClassResult | None:
    print(f"… followers: 1 teacher, {CLASS - 1} students", file=sys.stderr, flush=True)
    offset, idle = server.log_size(), server.rss_mb()
    teacher = Client(server.url)
    students: list[Client] = []
    try:
        await join([teacher], play=True)
        try:
            await teacher.wait_for(lambda: teacher.find(CLASS_LINK) is not None, 30)
        except (TimeoutError, ConnectionError):
            print("  no class link on the teacher's Playground: skipped", file=sys.stderr)
            return None
        link = teacher.find(CLASS_LINK).group(0)
        students = [Client.from_url(link) for _ in range(CLASS - 1)]
        await join(students, play=False)
        await asyncio.sleep(WARMUP)
        asked = [c.feed_requests for c in students]
        window = await measure(server, seconds)
        screens = [screen(c, window.start, window.end) for c in (teacher, *students)]
        for shown, client, before in zip(screens[1:], students, asked, strict=True):
            shown.feed_requests = client.feed_requests - before
    finally:
        await close_all([teacher, *students])
    await asyncio.sleep(1.0)
    left = server.rss_mb()  # the last scenario: no need to wait for the sessions to expire
    result = ClassResult(
        1,
        screens[:1],
        window,
        idle,
        left,
        left,
        server.errors_since(offset),
        errors_of([teacher, *students]),
    )
    result.followers = screens[1:]
    return result


# --- validation: the client against a browser ---------------------------------------------
@dataclass
class Tab:
    updates_per_second: float
    steps_per_second: float
    reruns_per_second: float
    mb_per_second: float
    first_step: float
    sent: list[bytes]  # every BackMsg the tab sent


async def protocol_tab(url: str, seconds: float) -> Tab:
    warm = Client(url)  # the server's first run imports the app: no tab should pay for it
    await join([warm], play=False)
    await warm.close()
    client = Client(url, keep_sent=True)
    try:
        await join([client], play=True)
        await asyncio.sleep(WARMUP)
        start, reruns, received = time.monotonic(), client.reruns_sent, client.bytes_received
        await asyncio.sleep(seconds)
        end = time.monotonic()
        s = screen(client, start, end)
        return Tab(
            s.updates_per_second,
            s.steps_per_second,
            (client.reruns_sent - reruns) / (end - start),
            (client.bytes_received - received) / (end - start) / 1e6,
            client.first_step_at - client.opened_at,
            client.sent,
        )
    finally:
        await client.close()


def browser_tab(url: str, seconds: float) -> Tab:
    """The same in headless Chromium; the frames its websocket carries are counted too."""
    from playwright.sync_api import sync_playwright

    sent: list[bytes] = []
    received: list[int] = []

    def watch(ws) -> None:
        ws.on("framesent", lambda payload: sent.append(payload))
        ws.on("framereceived", lambda payload: received.append(len(payload)))

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport={"width": 1400, "height": 1600})
            page.on("websocket", watch)
            opened = time.monotonic()
            page.goto(url)
            page.locator(".dl-step").wait_for(timeout=WAIT * 1000)
            first_step = time.monotonic() - opened
            page.get_by_role("button", name="Play", exact=True).click()
            page.get_by_role("button", name="Pause", exact=True).wait_for(timeout=WAIT * 1000)
            page.wait_for_timeout(WARMUP * 1000)
            page.evaluate(BROWSER_COUNTER_JS)
            reruns, frames = len(sent), len(received)
            taken = sum(received)
            page.wait_for_timeout(seconds * 1000)  # the measurement window itself
            stats = page.evaluate(BROWSER_RESULT_JS)
            reruns, frames = len(sent) - reruns, len(received) - frames
            taken = sum(received) - taken
        finally:
            browser.close()
    window = stats["seconds"]
    steps = (stats["last"] - stats["first"]) / window if stats["first"] is not None else 0.0
    rate = stats["changes"] / window
    return Tab(rate, steps, reruns / window, taken / window / 1e6, first_step, sent)


def _rerun(data: bytes) -> ClientState:
    msg = BackMsg()
    msg.ParseFromString(data)
    rerun = msg.rerun_script
    rerun.ClearField("cached_message_hashes")  # what a tab holds depends on its timing
    return rerun


def same_protocol(ours: list[bytes], theirs: list[bytes]) -> list[tuple[str, str]]:
    """Compare what the two tabs sent: the first rerun, and the widget states of the
    Play press (as sets: the order widgets mount in differs)."""

    def press(sent: list[bytes]) -> dict[str, bytes]:
        for data in sent:
            widgets = _rerun(data).widget_states.widgets
            if any(w.trigger_value for w in widgets):
                return {w.id: w.SerializeToString() for w in widgets}
        return {}

    first = "identical" if _rerun(ours[0]) == _rerun(theirs[0]) else "DIFFERENT"
    ours_press, theirs_press = press(ours), press(theirs)
    same = sum(ours_press.get(k) == v for k, v in theirs_press.items())
    union = ours_press.keys() | theirs_press.keys()
    differ = sorted(k.rsplit("-", 1)[-1] for k in union if ours_press.get(k) != theirs_press.get(k))
    return [
        ("first rerun_script (but cached hashes)", first),
        ("widget states of the Play press", f"{same} of {len(union)} identical"),
        *([("  differing (widget keys)", ", ".join(differ))] if differ else []),
    ]


def validate(server: Server, seconds: float) -> None:
    print("… validation: a protocol client, then Chromium, alone", file=sys.stderr, flush=True)
    client = asyncio.run(protocol_tab(server.url, seconds))
    browser = browser_tab(server.url, seconds) if chromium_path() else None
    rows = [
        ("step counter updates per second", "updates_per_second"),
        ("training steps per second", "steps_per_second"),
        ("reruns sent per second", "reruns_per_second"),
        ("websocket MB received per second", "mb_per_second"),
        ("page opened to step counter (s)", "first_step"),
    ]
    print(f"\nValidation: one tab alone on the idle server, {seconds:g} s of play")
    print(f"{'measure':38} {'client':>9} {'Chromium':>9}")
    for name, attr in rows:
        theirs = f"{getattr(browser, attr):9.2f}" if browser else "       —"
        print(f"{name:38} {getattr(client, attr):9.2f} {theirs}")
    if browser is None:
        print("(no Chromium found: apt-get install chromium)")
        return
    for name, verdict in same_protocol(client.sent, browser.sent):
        print(f"{name:38} {verdict}")


# --- tables -------------------------------------------------------------------------------
def median(values: list[float]) -> float:
    return statistics.median(values) if values else float("nan")


def low(values: list[float]) -> float:
    return min(values) if values else float("nan")


def high(values: list[float]) -> float:
    return max(values) if values else float("nan")


def _waits(screens: list[Screen]) -> list[float]:
    return [s.longest_wait for s in screens]


def _feed_rate(screens: list[Screen], seconds: float) -> float:
    return sum(s.feed_requests for s in screens) / seconds


def _ups(r: ClassResult) -> list[float]:
    return [s.updates_per_second for s in r.screens]


def _steps(r: ClassResult) -> list[float]:
    return [s.steps_per_second for s in r.screens]


def print_own_twins(results: list[ClassResult], seconds: float) -> None:
    if not results:
        return
    five = next((r for r in results if r.n == 5), None)
    floor = f"{0.8 * sum(_steps(five)):.0f}" if five else "?"
    rows = [
        ("updates/s per student, median", lambda r: median(_ups(r)), ""),
        ("updates/s per student, min", lambda r: low(_ups(r)), f">= 1 at N={CLASS}"),
        ("steps/s per student, median", lambda r: median(_steps(r)), ""),
        ("steps/s per student, min", lambda r: low(_steps(r)), f">= 30 at N={CLASS}"),
        ("steps/s, sum", lambda r: sum(_steps(r)), f">= {floor} at N={CLASS} (80 % of N=5)"),
        ("updates/s, sum", lambda r: sum(_ups(r)), ""),
        ("longest wait for an update, worst (s)", lambda r: high(_waits(r.screens)), ""),
        ("feed requests/s, sum", lambda r: _feed_rate(r.screens, seconds), ""),
        ("server CPU (% of a core)", lambda r: r.window.cpu_percent, ""),
        ("server RSS idle before (MB)", lambda r: r.rss_idle, ""),
        ("server RSS during, peak (MB)", lambda r: r.window.rss_peak, ""),
        ("server RSS after all left (MB)", lambda r: r.rss_left, ""),
        ("server RSS after sessions expired (MB)", lambda r: r.rss_expired, ""),
        ("RSS per session (MB)", lambda r: r.rss_per_session, "<= 15"),
        ("errors in the server log", lambda r: len(r.server_errors), "0"),
        ("errors seen by the students", lambda r: len(r.client_errors), "0"),
        ("newcomer: page to step counter (s)", lambda r: r.newcomer_step, "<= 5"),
        ("newcomer: page to first run finished (s)", lambda r: r.newcomer_finished, "<= 5"),
    ]
    print(f"\nOwn twins: N students each play their own Playground, {seconds:g} s measured")
    print(f"{'measure':40}" + "".join(f"{'N=' + str(r.n):>9}" for r in results) + "  target")
    for name, value, target in rows:
        cells = "".join(f"{_number(value(r)):>9}" for r in results)
        print(f"{name:40}{cells}  {target}")


def _number(value: float | None) -> str:
    return "—" if value is None or value != value else f"{value:.1f}"


def print_table(title: str, rows: list[tuple[str, float | None, str]]) -> None:
    print(f"\n{title}")
    print(f"{'measure':40} {'value':>9}  target")
    for name, value, target in rows:
        print(f"{name:40} {_number(value):>9}  {target}")


def print_followers(result: ClassResult | None, seconds: float) -> None:
    if result is None:
        print("\nFollowers: skipped (the teacher's Playground shows no class link)")
        return
    teacher, students = result.screens[0], result.followers
    rows = [
        ("teacher: updates/s", teacher.updates_per_second, ">= 5"),
        ("teacher: training steps/s", teacher.steps_per_second, ">= 400"),
        ("teacher: longest wait for an update (s)", teacher.longest_wait, ""),
        ("followers: updates/s, median", median([s.updates_per_second for s in students]), ""),
        ("followers: updates/s, min", low([s.updates_per_second for s in students]), ">= 5"),
        ("followers: steps/s shown, median", median([s.steps_per_second for s in students]), ""),
        ("followers: longest wait, worst (s)", high(_waits(students)), ""),
        ("followers: feed requests/s, all", _feed_rate(students, seconds), ""),
        ("server CPU (% of a core)", result.window.cpu_percent, ""),
        ("server RSS during, peak (MB)", result.window.rss_peak, ""),
        ("RSS per screen (MB)", result.rss_per_session, "<= 15"),
        ("errors in the server log", len(result.server_errors), "0"),
        ("errors seen by the screens", len(result.client_errors), "0"),
    ]
    print_table(f"Followers: 1 teacher plays, {len(students)} follow, {seconds:g} s measured", rows)


def print_memory(first: ClassResult, second: ClassResult) -> None:
    bound = 1.1 * first.rss_expired  # the second class leaves no more than the first, +10 %
    rows = [
        ("RSS idle before the first class (MB)", first.rss_idle, ""),
        ("RSS during the first class, peak (MB)", first.window.rss_peak, ""),
        ("RSS after the first left, expired (MB)", first.rss_expired, ""),
        ("RSS during the second class, peak (MB)", second.window.rss_peak, ""),
        ("RSS after the second left, expired (MB)", second.rss_expired, f"<= {bound:.1f}"),
        ("RSS per session, first class (MB)", first.rss_per_session, "<= 15"),
        ("RSS per session, second class (MB)", second.rss_per_session, "<= 15"),
    ]
    print_table(f"Memory: two classes of {first.n}, one after the other", rows)


def print_errors(results: list[ClassResult]) -> None:
    lines = [line for r in results for line in r.server_errors]
    seen = [line for r in results for line in r.client_errors]
    if lines:
        print(f"\nServer log ({len(lines)} error lines), the first distinct ones:")
        for line in list(dict.fromkeys(lines))[:10]:
            print(f"  {line[:160]}")
    if seen:
        print(f"\nErrors the tabs saw ({len(seen)}), the first distinct ones:")
        for line in list(dict.fromkeys(seen))[:10]:
            print(f"  {line[:160]}")


# --- main -----------------------------------------------------------------------------
async def scenarios(server: Server, args: argparse.Namespace) -> None:
    await server.expire()  # the validation tabs' sessions go first
    results: list[ClassResult] = []
    if args.own_twins:
        for n in args.sizes:
            results.append(await own_twins(server, n, args.seconds))
        print_own_twins(results, args.seconds)
        first = next((r for r in results if r.n == CLASS), None)
        if first is not None:
            second = await own_twins(server, CLASS, args.seconds)
            results.append(second)
            print_memory(first, second)
        else:
            print(f"\nMemory: skipped (needs N={CLASS} in --sizes)")
    if args.followers:
        result = await followers(server, args.seconds)
        print_followers(result, args.seconds)
        if result is not None:
            results.append(result)
    print_errors(results)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=60.0, help="measurement window")
    parser.add_argument("--sizes", default="1,5,10,20,30", help="class sizes, own twins")
    parser.add_argument("--own-twins", action="store_true", help="only this scenario")
    parser.add_argument("--followers", action="store_true", help="only this scenario")
    parser.add_argument(
        "--validate",
        action=argparse.BooleanOptionalAction,
        default=True,
        help="client vs Chromium first",
    )
    parser.add_argument("--validate-seconds", type=float, default=10.0)
    parser.add_argument("--cores-server", default="0", help="taskset -c list for the server")
    parser.add_argument("--cores-clients", default="1", help="cores for this process's tabs")
    parser.add_argument("--ttl", type=float, default=5.0, help="disconnectedSessionTTL (s)")
    args = parser.parse_args()
    args.sizes = [int(n) for n in args.sizes.split(",") if n]
    if not (args.own_twins or args.followers):
        args.own_twins = args.followers = True
    os.sched_setaffinity(0, {int(c) for c in args.cores_clients.split(",")})
    server = start_server(args.cores_server, args.ttl)
    try:
        print(
            f"server pid {server.process.pid} on core(s) {args.cores_server}, tabs on "
            f"{args.cores_clients}; log: {server.log.relative_to(ROOT)}",
            flush=True,
        )
        if args.validate:
            validate(server, args.validate_seconds)
        asyncio.run(scenarios(server, args))
    except KeyboardInterrupt:
        print("\ninterrupted: tabs closed, stopping the server", file=sys.stderr)
        return 130
    finally:
        stop_server(server)
    return 0


if __name__ == "__main__":
    sys.exit(main())
