"""One browser tab of Streamlit 1.67, at the protocol level: what its frontend sends and
does with what it receives, without a browser, so one process can be a whole class.

Read off the installed frontend bundle (``static/static/js/index.*.js``) and server:

- Connecting: the page, then ``/_stcore/health`` (it sets the ``_streamlit_xsrf``
  cookie; the page itself does not) and ``/_stcore/host-config``; then the
  websocket ``/_stcore/stream`` with the subprotocols ``["streamlit", <xsrf cookie>]``
  and the cookies. Static assets are not fetched: a browser caches them.
- The first ``rerun_script`` names the page by its url path, carries the URL's query
  string and no widget states. Later ones name it by ``page_script_hash`` and carry the
  query string the server last set (``page_info_changed``).
- Every rerun carries the state of every mounted widget, seeded from its element
  (``set_value`` ? current value : default) and kept per widget id. A button has no
  state until pressed: a press is ``trigger_value`` in one rerun, then dropped.
- ``auto_rerun`` starts a fragment's ``setInterval`` (replaced only if the interval
  differs); it fires whether or not the last run finished. ``stop_auto_rerun`` and
  the ``new_session`` of every full-app run clear timers; that run's ``auto_rerun``
  starts them again.
- Cacheable messages are kept by hash and their hashes sent with every rerun; the
  server then sends a ``ref_hash`` instead. Entries age by script runs, as there.
- No app heartbeats: the frontend sends them only when a host frame asks.
- The Playground's canvas (``live_canvas.js``) draws the step counter itself, from the
  update in its element's data. While the run plays (``own``), and always for a follower
  (``follow``), it asks the feed for the update after the one it has, one request at a
  time: a follower pauses after each answer (``FOLLOW_PAUSE``); one's own run asks again
  at once, with the run's owner key, and stops when an answer is not live. (A run that
  diverged makes the browser's canvas trigger a rerun; this client does not.)
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import re
import time
import urllib.parse
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.Block_pb2 import Block
from streamlit.proto.Element_pb2 import Element
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg
from streamlit.proto.NumberInput_pb2 import NumberInput
from streamlit.proto.Slider_pb2 import Slider
from streamlit.proto.WidgetStates_pb2 import WidgetState
from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed
from websockets.typing import Origin, Subprotocol

FOLLOW = re.compile(r"[?&]follow=([A-Za-z0-9_-]{6,})")
CLASS_LINK = re.compile(r"https?://\S+[?&]follow=[A-Za-z0-9_-]{6,}\S*")  # the whole URL
XSRF_COOKIE = "_streamlit_xsrf"
_KEY = re.compile(r"^\$\$ID-[0-9a-f]+-(.+)$")  # a widget or container id ends with its key
_TEXT_FIELDS = {"markdown": "body", "text": "body", "heading": "body", "code": "code_text"}
_TEXT_FIELDS |= {"html": "body", "alert": "body"}
_SUCCESS = (
    ForwardMsg.FINISHED_SUCCESSFULLY,
    ForwardMsg.FINISHED_FRAGMENT_RUN_SUCCESSFULLY,
)
# What the frontend reports of a headless Chromium in its context_info.
_CONTEXT = {
    "timezone": "UTC",
    "timezone_offset": 0,
    "locale": "en-US",
    "is_embedded": False,
    "color_scheme": "light",
}
# live_canvas.js's FOLLOW_PAUSE_MS, in seconds: after an update or "nothing new" (204).
FOLLOW_PAUSE = {"live": 0.1, "paused": 0.5, "left": 1.0, "error": 2.0}
# A closed network: ask the server directly, never a proxy from the environment.
_HTTP = urllib.request.build_opener(urllib.request.ProxyHandler({}))


@dataclass
class Node:
    """One element or block of the page, at its delta path."""

    kind: str  # the element's type ("markdown", "button", ...) or "block"
    proto: Element | Block
    run_id: str  # the script run that sent it: stale ones go when a run finishes
    fragment_id: str
    key: str | None  # the user's key, from the id of a widget or keyed container


@dataclass
class _Cached:
    data: bytes
    run_count: int
    fragment_id: str


@dataclass
class _MessageCache:
    """The frontend's ForwardMessageCache: cacheable messages by hash, aged by runs."""

    entries: dict[str, _Cached] = field(default_factory=dict)
    run_count: int = 0
    misses: int = 0

    def resolve(self, msg: ForwardMsg, data: bytes) -> ForwardMsg | None:
        if msg.WhichOneof("type") != "ref_hash":
            if msg.metadata.cacheable and msg.hash:
                entry = self.entries.get(msg.hash)
                if entry is None:
                    self.entries[msg.hash] = _Cached(data, self.run_count, msg.delta.fragment_id)
                else:  # the frontend's lookup refreshes an entry's age
                    entry.run_count = self.run_count
            return msg
        entry = self.entries.get(msg.ref_hash)
        if entry is None:
            self.misses += 1
            return None
        entry.run_count = self.run_count
        cached = ForwardMsg()
        cached.ParseFromString(entry.data)
        cached.metadata.CopyFrom(msg.metadata)
        return cached

    def age(self, max_age: int, fragment_ids: list[str]) -> None:
        self.run_count += 1
        for key, entry in list(self.entries.items()):
            # A fragment run only ages the messages of its own fragments.
            if fragment_ids and entry.fragment_id not in fragment_ids:
                continue
            if self.run_count - entry.run_count > max_age:
                del self.entries[key]


def _user_key(element_id: str) -> str | None:
    match = _KEY.match(element_id)
    return match.group(1) if match else None


def _seed_state(kind: str, widget) -> WidgetState | None:
    """A mounting widget's state as the frontend seeds it; None for trigger-only ones."""
    state = WidgetState(id=widget.id)
    if kind in ("selectbox", "radio"):
        if widget.set_value:
            value = widget.raw_value if widget.HasField("raw_value") else None
        elif widget.options and widget.HasField("default"):
            value = widget.options[widget.default]
        else:
            value = None
        if value is not None:
            state.string_value = value
    elif kind == "slider":
        if widget.type == Slider.SELECT_SLIDER:
            indices = [int(i) for i in widget.default]  # option indices, sent as doubles
            if widget.set_value and widget.raw_value:
                options = list(widget.options)
                indices = [
                    options.index(v) if v in options else (indices[i] if i < len(indices) else 0)
                    for i, v in enumerate(widget.raw_value)
                ]
            options = widget.options
            state.string_array_value.data[:] = [
                options[i] if i < len(options) else "" for i in indices
            ]
        else:
            state.double_array_value.data[:] = widget.value if widget.set_value else widget.default
    elif kind == "checkbox":
        state.bool_value = widget.value if widget.set_value else widget.default
    elif kind == "number_input":
        value = widget.default if widget.HasField("default") else None
        if widget.set_value and widget.HasField("value"):
            value = widget.value
        if value is not None:
            if widget.data_type == NumberInput.INT:
                state.int_value = int(value)
            else:
                state.double_value = value
    elif kind in ("text_input", "text_area"):
        value = widget.default if widget.HasField("default") else None
        if widget.set_value:
            value = widget.value if widget.HasField("value") else None
        if value is not None:
            state.string_value = value
    else:
        return None
    return state


_SEEDED = ("selectbox", "radio", "slider", "checkbox", "number_input", "text_input", "text_area")


class Client:
    """One tab: ``await open()``, then ``click``, ``wait_for`` and read what it recorded."""

    def __init__(
        self,
        base_url: str,
        path: str = "",
        query: str = "",
        *,
        keep_sent: bool = False,
    ):
        # The Playground is the default page, so a browser finds it at "/" (path "");
        # "playground" also runs it, after a page_not_found (a dialog in a browser).
        parts = urlsplit(base_url)
        self.origin = f"{parts.scheme}://{parts.netloc}"
        self.base_path = parts.path.strip("/")
        self.path = path.strip("/")
        self.query = query.lstrip("?")
        self.sent: list[bytes] | None = [] if keep_sent else None  # every BackMsg, if asked
        self.cookies: dict[str, str] = {}  # this tab's cookie jar: one host, one path
        # What was recorded, with time.monotonic() stamps.
        self.opened_at: float | None = None  # the page was asked for
        self.connected_at: float | None = None
        self.first_finished_at: float | None = None  # the first full run finished
        self.first_step_at: float | None = None  # the step counter first appeared
        self.updates: list[tuple[float, int]] = []  # every new step number; first: appeared
        self.errors: list[tuple[float, str, str]] = []  # (when, kind, detail)
        self.intervals: list[tuple[float, str, float]] = []  # auto_rerun timers (re)started
        self.bytes_received = 0
        self.messages_received = 0
        self.reruns_sent = 0
        self.runs_finished = 0
        self.full_runs_finished = 0
        self.nodes: dict[tuple[int, ...], Node] = {}
        self._widgets: dict[str, WidgetState] = {}  # by widget id, in the order they mounted
        self._timers: dict[str, tuple[float, asyncio.Task]] = {}
        self._cache = _MessageCache()
        self._max_cache_age = 2
        self._run_id = ""
        self._page_script_hash = ""
        self._has_new_session = False
        self._ws: ClientConnection | None = None
        self._reader: asyncio.Task | None = None
        self._closing = False
        self._changed = asyncio.Event()
        self._feed: asyncio.Task | None = None
        self.feed_state = ""  # the class feed's last word: live, paused, left or ended
        self._own_version = ""  # one's own run: the update its canvas shows
        self._own_key = ""
        self._own_live = False
        self.feed_requests = 0

    @classmethod
    def from_url(cls, url: str, **kwargs) -> Client:
        """The tab a link opens, e.g. a class link ``http://host/playground?follow=…``."""
        parts = urlsplit(url)
        return cls(f"{parts.scheme}://{parts.netloc}", parts.path, parts.query, **kwargs)

    # --- what the page shows ---------------------------------------------------------
    @property
    def step(self) -> int | None:
        return self.updates[-1][1] if self.updates else None

    @property
    def url(self) -> str:
        path = "/".join(p for p in (self.base_path, self.path) if p)
        return f"{self.origin}/{path}" + (f"?{self.query}" if self.query else "")

    def texts(self) -> list[str]:
        """The latest text of every markdown, code, text, caption, heading, html and alert
        element on the page, in page order."""
        found = []
        for path in sorted(self.nodes):
            node = self.nodes[path]
            name = _TEXT_FIELDS.get(node.kind)
            if name:
                found.append(getattr(getattr(node.proto, node.kind), name))
        return found

    def find(self, pattern: re.Pattern | str) -> re.Match | None:
        """The first match of pattern in the page's texts."""
        for text in self.texts():
            match = re.search(pattern, text)
            if match:
                return match
        return None

    def buttons(self) -> list[Node]:
        return [self.nodes[p] for p in sorted(self.nodes) if self.nodes[p].kind == "button"]

    def has_button(self, label: str) -> bool:
        return any(node.proto.button.label == label for node in self.buttons())

    @property
    def widget_states(self) -> dict[str, WidgetState]:
        return dict(self._widgets)

    @property
    def auto_rerun_intervals(self) -> dict[str, float]:
        return {fragment: interval for fragment, (interval, _) in self._timers.items()}

    def page_load_seconds(self) -> float | None:
        """From asking for the page until its first full run finished."""
        if self.opened_at is None or self.first_finished_at is None:
            return None
        return self.first_finished_at - self.opened_at

    def updates_between(self, start: float, end: float) -> list[tuple[float, int]]:
        return [(t, s) for t, s in self.updates if start <= t < end]

    # --- opening and closing ---------------------------------------------------------
    async def open(self, timeout: float = 60.0) -> None:
        """Load the page as a browser does and send the first rerun."""
        self.opened_at = time.monotonic()
        root = "/".join(p for p in (self.origin, self.base_path) if p)
        await asyncio.to_thread(self._get, self.url, timeout)
        await asyncio.gather(
            asyncio.to_thread(self._get, f"{root}/_stcore/health", timeout),
            asyncio.to_thread(self._get, f"{root}/_stcore/host-config", timeout),
        )
        xsrf = self.cookies.get(XSRF_COOKIE)
        ws_url = root.replace("http", "ws", 1) + "/_stcore/stream"
        self._ws = await connect(
            ws_url,
            subprotocols=[Subprotocol("streamlit"), Subprotocol(xsrf or "PLACEHOLDER_AUTH_TOKEN")],
            origin=Origin(self.origin),
            additional_headers=self._cookie_header(),
            proxy=None,
            ping_interval=None,  # a browser sends no pings; it answers the server's
            max_size=None,
            max_queue=None,  # a browser reads off the network whatever its page does
            open_timeout=timeout,
            close_timeout=5,  # a closing tab waits for nothing; this only bounds close()
        )
        self.connected_at = time.monotonic()
        self._reader = asyncio.get_running_loop().create_task(self._read())
        await self._send_rerun()

    def _get(self, url: str, timeout: float) -> None:
        """GET url as the tab does: with its cookies, keeping the ones it sets (the XSRF
        token; behind deploy/nginx.conf, the replica's route key)."""
        request = urllib.request.Request(url, headers=self._cookie_header() or {})
        with _HTTP.open(request, timeout=timeout) as response:
            response.read()
            for header in response.headers.get_all("Set-Cookie") or []:
                name, _, value = header.split(";", 1)[0].partition("=")
                self.cookies[name.strip()] = value.strip()

    def _cookie_header(self) -> dict[str, str] | None:
        if not self.cookies:
            return None
        return {"Cookie": "; ".join(f"{name}={value}" for name, value in self.cookies.items())}

    async def close(self) -> None:
        """Close the websocket as a closing tab does (1001, going away)."""
        self._closing = True
        self._stop_timers(list(self._timers))
        if self._feed is not None:
            self._feed.cancel()
            await asyncio.wait([self._feed])
        if self._ws is not None:
            with contextlib.suppress(ConnectionClosed, OSError):
                await self._ws.close(code=1001)
        if self._reader is not None:
            self._reader.cancel()
            await asyncio.wait([self._reader])  # unlike awaiting it, keeps a cancel of our own

    async def __aenter__(self) -> Client:
        await self.open()
        return self

    async def __aexit__(self, *exc) -> None:
        await self.close()

    # --- acting ----------------------------------------------------------------------
    async def click(self, label: str) -> None:
        """Press the button with this label: its trigger, in one rerun of its fragment."""
        matches = [n for n in self.buttons() if n.proto.button.label == label]
        if not matches:
            raise LookupError(f"no button {label!r}; there are {self._labels()}")
        node = matches[0]
        if node.proto.button.disabled:
            raise RuntimeError(f"button {label!r} is disabled")
        button_id = node.proto.button.id
        self._widgets[button_id] = WidgetState(id=button_id, trigger_value=True)
        try:
            data = self._rerun_message(fragment_id=node.fragment_id)
        finally:
            del self._widgets[button_id]  # a trigger lasts one rerun
        await self._send(data)

    def _labels(self) -> list[str]:
        return [n.proto.button.label for n in self.buttons()]

    async def wait_for(self, condition: Callable[[], bool], timeout: float) -> None:
        """Return once condition() holds; it is checked after every message received."""
        deadline = time.monotonic() + timeout
        while not condition():
            if self._reader is not None and self._reader.done():
                raise ConnectionError(f"websocket closed while waiting: {self.errors[-3:]}")
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise TimeoutError(f"condition not met within {timeout} s ({self.url})")
            # asyncio.timeout, not wait_for: 3.11's wait_for can swallow a cancel (Ctrl-C)
            # that arrives as the event is set, and messages set it many times a second.
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(remaining):
                    await self._changed.wait()

    async def wait_rendered(self, timeout: float = 60.0) -> None:
        """Until the first full run finished, showing the step counter (or raise)."""
        await self.wait_for(lambda: self.first_finished_at is not None, timeout)
        if self._feed is not None:  # a follower: the counter comes with the feed's first answer
            await self.wait_for(lambda: self.first_step_at is not None or self._feed.done(), 30)
        if self.first_step_at is None:
            raise LookupError(f"{self.url} shows no step counter; errors: {self.errors}")

    # --- sending ---------------------------------------------------------------------
    def _rerun_message(self, fragment_id: str = "", auto: bool = False) -> bytes:
        msg = BackMsg()
        rerun = msg.rerun_script
        rerun.query_string = self.query
        if self._page_script_hash:
            rerun.page_script_hash = self._page_script_hash
        else:  # the first run names its page by url path
            rerun.page_name = self.path
        rerun.widget_states.SetInParent()  # present even when empty, as the frontend sends it
        rerun.widget_states.widgets.extend(self._widgets.values())
        if fragment_id:
            rerun.fragment_id = fragment_id
        if auto:
            rerun.is_auto_rerun = True
        rerun.cached_message_hashes.extend(self._cache.entries)
        rerun.context_info.url = self.url
        for name, value in _CONTEXT.items():
            setattr(rerun.context_info, name, value)
        self._has_new_session = False
        return msg.SerializeToString()

    async def _send_rerun(self, fragment_id: str = "", auto: bool = False) -> None:
        await self._send(self._rerun_message(fragment_id, auto))

    async def _send(self, data: bytes) -> None:
        if self._ws is None or self._closing:
            return
        try:
            await self._ws.send(data)
            self.reruns_sent += 1
            if self.sent is not None:
                self.sent.append(data)
        except ConnectionClosed:
            pass  # the reader records the close

    # --- the fragment timers ---------------------------------------------------------
    def _start_timer(self, fragment_id: str, interval: float) -> None:
        current = self._timers.get(fragment_id)
        if current is not None and current[0] == interval:
            return
        self._stop_timers([fragment_id])
        task = asyncio.get_running_loop().create_task(self._tick(fragment_id, interval))
        self._timers[fragment_id] = (interval, task)
        self.intervals.append((time.monotonic(), fragment_id, interval))

    def _stop_timers(self, fragment_ids: list[str]) -> None:
        for fragment_id in fragment_ids:
            timer = self._timers.pop(fragment_id, None)
            if timer is not None:
                timer[1].cancel()

    async def _tick(self, fragment_id: str, interval: float) -> None:
        """setInterval as Chromium runs it: on a fixed grid, missed beats skipped."""
        interval = max(interval, 0.004)  # browsers clamp repeating timers too
        loop = asyncio.get_running_loop()
        due = loop.time() + interval
        while True:
            await asyncio.sleep(max(0.0, due - loop.time()))
            now = loop.time()
            due = now + interval - (now - due) % interval
            await self._send_rerun(fragment_id, auto=True)

    # --- receiving -------------------------------------------------------------------
    async def _read(self) -> None:
        assert self._ws is not None
        try:
            async for data in self._ws:
                if isinstance(data, str):
                    self._error("text frame", data[:200])
                    continue
                try:
                    self._receive(data)
                except Exception as error:  # a tab keeps going; the caller sees it here
                    self._error("client error", repr(error))
        except ConnectionClosed:
            pass
        finally:
            self._stop_timers(list(self._timers))
            if not self._closing:
                self._error("websocket closed", f"{self._ws.close_code} {self._ws.close_reason}")
            self._notify()

    def _notify(self) -> None:
        self._changed.set()
        self._changed = asyncio.Event()

    def _error(self, kind: str, detail: str) -> None:
        self.errors.append((time.monotonic(), kind, detail))

    def _receive(self, data: bytes) -> None:
        now = time.monotonic()
        self.bytes_received += len(data)
        self.messages_received += 1
        msg = ForwardMsg()
        msg.ParseFromString(data)
        resolved = self._cache.resolve(msg, data)
        if resolved is None:
            self._error("cache miss", msg.ref_hash)
            return
        msg = resolved
        kind = msg.WhichOneof("type")
        if kind == "new_session":
            self._on_new_session(msg)
        elif kind == "delta":
            self._on_delta(msg, now)
        elif kind == "script_finished":
            self._on_script_finished(msg, now)
        elif kind == "auto_rerun":
            if msg.auto_rerun.fragment_id:
                self._start_timer(msg.auto_rerun.fragment_id, msg.auto_rerun.interval)
        elif kind == "stop_auto_rerun":
            self._stop_timers(list(msg.stop_auto_rerun.fragment_ids))
        elif kind == "page_info_changed":
            self.query = msg.page_info_changed.query_string  # the URL the browser now shows
        elif kind == "page_not_found":
            self._error("page not found", msg.page_not_found.page_name)
        elif (
            kind == "session_event"
            and msg.session_event.WhichOneof("type") == "script_compilation_exception"
        ):
            self._error("compile error", msg.session_event.script_compilation_exception.message)
        self._notify()

    def _on_new_session(self, msg: ForwardMsg) -> None:
        session = msg.new_session
        self._has_new_session = True
        self._run_id = msg.metadata.run.script_run_id
        if msg.metadata.run.fragment_ids:
            return
        # A full-app run: the frontend drops every fragment timer; this run's
        # auto_rerun messages start the ones still wanted.
        self._stop_timers(list(self._timers))
        if session.HasField("config"):
            self._max_cache_age = session.config.max_cached_message_age
        if session.page_script_hash != self._page_script_hash:
            if self._page_script_hash:  # another page: its elements go
                self.nodes.clear()
            self._page_script_hash = session.page_script_hash

    def _on_delta(self, msg: ForwardMsg, now: float) -> None:
        delta = msg.delta
        path = tuple(msg.metadata.delta_path)
        kind = delta.WhichOneof("type")
        if kind == "add_block":
            block = delta.add_block
            key = _user_key(block.id) if block.id else None
            self.nodes[path] = Node("block", block, self._run_id, delta.fragment_id, key)
            return
        if kind != "new_element":
            return
        element = delta.new_element
        element_kind = element.WhichOneof("type")
        self._drop(path, keep_self=True)  # an element has no children
        before = self.nodes.get(path)
        widget = getattr(element, element_kind) if element_kind else None
        key = _user_key(widget.id) if widget is not None and hasattr(widget, "id") else None
        self.nodes[path] = Node(element_kind, element, self._run_id, delta.fragment_id, key)
        if element_kind in _SEEDED:
            state = _seed_state(element_kind, widget)
            if state is not None and (widget.set_value or widget.id not in self._widgets):
                self._widgets[widget.id] = state
        elif element_kind == "bidi_component":
            data = element.bidi_component.bytes
            if data.startswith(b'{"kind":"own"'):
                self._on_own(json.loads(data), now)
            elif data.startswith(b'{"kind":"follow"') and self._feed is None:
                follow = json.loads(data)  # the browser's canvas starts following as it mounts
                self._feed = asyncio.get_running_loop().create_task(self._follow(follow["feed"]))
        elif before is not None and before.proto == element:
            return  # the same error again, from the next run: recorded once
        elif element_kind == "exception" and not element.exception.is_warning:
            self._error("exception", f"{element.exception.type}: {element.exception.message}")
        elif element_kind == "alert" and element.alert.format == element.alert.ERROR:
            self._error("st.error", element.alert.body)

    def _on_own(self, data: dict, now: float) -> None:
        """The element of one's own run: its update is drawn; while it plays, the canvas
        reads the next ones from the feed."""
        if data["key"] != self._own_key:  # another run on this screen: counts from 0 again
            self._own_key, self._own_version = data["key"], ""
            if self._feed is not None:
                self._feed.cancel()
                self._feed = None
        if _serial(data["v"]) >= _serial(self._own_version):
            self._own_version = data["v"]
            self._on_step(data["head"]["step"], now)
        self._own_live = data["state"] == "live"
        if self._own_live and (self._feed is None or self._feed.done()):
            loop = asyncio.get_running_loop()
            self._feed = loop.create_task(self._follow(data["feed"], data["key"]))

    async def _follow(self, path: str, owner_key: str = "") -> None:
        """The canvas's feed loop, as live_canvas.js runs it (``follow``, or ``own`` with
        the owner key), over one kept-alive HTTP/1.1 connection (as a browser reuses one)."""
        parts = urlsplit(self.origin)
        reader = writer = None
        version, state = "", "live"
        try:
            while not self._closing:
                if owner_key:
                    if not self._own_live:
                        return  # paused: the next script run's element starts it again
                    version = self._own_version
                if writer is None:
                    reader, writer = await asyncio.open_connection(parts.hostname, parts.port)
                cookies = self._cookie_header() or {}
                head = "".join(f"{name}: {value}\r\n" for name, value in cookies.items())
                query = urllib.parse.quote(version)
                key = f"&key={owner_key}" if owner_key else ""
                request = f"GET {path}?after={query}{key} HTTP/1.1\r\nHost: {parts.netloc}\r\n"
                writer.write(f"{request}{head}\r\n".encode())
                self.feed_requests += 1
                status, body = await _http_response(reader)
                pause = FOLLOW_PAUSE["error"]
                if status == 200:
                    update = json.loads(body)
                    if owner_key:
                        if _serial(update["v"]) >= _serial(self._own_version):
                            self._own_version = update["v"]
                            self._on_step(update["head"]["step"], time.monotonic())
                        self._notify()
                        if update["state"] != "live":
                            self._own_live = False
                            return
                        continue  # one's own run asks again at once
                    version, state = update["v"], update["state"]
                    self.feed_state = state
                    self._on_step(update["head"]["step"], time.monotonic())
                    self._notify()
                    pause = FOLLOW_PAUSE[state]
                elif status == 204:
                    if owner_key:
                        continue
                    pause = FOLLOW_PAUSE[state]
                elif status == 410:
                    self.feed_state = "ended"
                    self._notify()
                    return
                else:
                    self._error("feed", f"HTTP {status}")
                await asyncio.sleep(pause)
        except (OSError, asyncio.IncompleteReadError, ValueError) as error:
            if not self._closing:
                self._error("feed", repr(error))
        finally:
            if writer is not None:
                writer.close()

    def _on_step(self, step: int, now: float) -> None:
        if self.first_step_at is None:
            self.first_step_at = now
        if self.step != step:
            self.updates.append((now, step))

    def _on_script_finished(self, msg: ForwardMsg, now: float) -> None:
        status = msg.script_finished
        if status == ForwardMsg.FINISHED_WITH_COMPILE_ERROR:
            self._error("compile error", "script finished with a compile error")
        run = msg.metadata.run if msg.metadata.HasField("run") else None
        fragment_ids = list(run.fragment_ids) if run else []
        if status in _SUCCESS:
            self.runs_finished += 1
            if not fragment_ids:
                self.full_runs_finished += 1
                if self.first_finished_at is None:
                    self.first_finished_at = now
            if run is not None and (fragment_ids or run.script_run_id == self._run_id):
                self._clear_stale(run.script_run_id, fragment_ids)
        early = status == ForwardMsg.FINISHED_EARLY_FOR_RERUN
        if run is not None and not early and self._has_new_session:
            self._cache.age(self._max_cache_age, fragment_ids)

    def _clear_stale(self, run_id: str, fragment_ids: list[str]) -> None:
        """What a finished run did not send again leaves the page, and its widget state."""
        stale = [
            path
            for path, node in self.nodes.items()
            if node.run_id != run_id and (not fragment_ids or node.fragment_id in fragment_ids)
        ]
        for path in stale:
            self._drop(path)
        mounted = {
            node.proto.id for node in self.nodes.values() if node.kind == "block" and node.proto.id
        }
        mounted |= {
            getattr(node.proto, node.kind).id
            for node in self.nodes.values()
            if node.kind in _SEEDED or node.kind == "button"
        }
        for widget_id in [w for w in self._widgets if w not in mounted]:
            del self._widgets[widget_id]

    def _drop(self, path: tuple[int, ...], keep_self: bool = False) -> None:
        depth = len(path)
        for other in [p for p in self.nodes if p[:depth] == path]:
            if not (keep_self and other == path):
                del self.nodes[other]


def _serial(version: str) -> int:
    """The update count in a feed version ("12.live"), -1 for none."""
    return int(version.split(".")[0]) if version else -1


async def _http_response(reader: asyncio.StreamReader) -> tuple[int, bytes]:
    """One HTTP/1.1 response with a Content-Length (what the feed's route sends)."""
    status_line = await reader.readuntil(b"\r\n")
    status = int(status_line.split()[1])
    length = 0
    while (line := await reader.readuntil(b"\r\n")) != b"\r\n":
        name, _, value = line.decode("latin-1").partition(":")
        if name.strip().lower() == "content-length":
            length = int(value)
    return status, await reader.readexactly(length)
