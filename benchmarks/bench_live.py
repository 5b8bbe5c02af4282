"""How live is the Playground? Drives the real page in headless Chromium.

    .venv/bin/python benchmarks/bench_live.py [--seconds 15]

Starts `streamlit run app.py` on a free port, opens the Playground, presses
Play and counts, inside the page on every animation frame, how often the step
counter changes and whether any chart canvas is missing. The server reports
its own median time per update and training steps per second in the caption
under the counter (measured over its last 60 updates). Prints a table; the
targets come from the Playground issue. Nothing is asserted: timings belong
here, not in tests.
"""

from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.e2e.conftest import (  # noqa: E402
    CHROMIUM_ARGS,
    chromium_path,
    free_port,
    streamlit_command,
    wait_for_health,
)

# The Playground draws five canvases (two boundaries, the network, two loss charts).
CANVASES_DRAWN_JS = """() => {
  let n = 0;
  document.querySelectorAll('*').forEach((node) => {
    if (node.shadowRoot) n += node.shadowRoot.querySelectorAll('canvas[data-kind]').length;
  });
  return n >= 5;  // two boundaries, the network, two loss charts
}"""

# Runs inside the page: one sample per animation frame. It must stay cheap, or the
# measurement loads the browser it measures: the canvases are looked up once, and
# again only if one of them leaves the page.
COUNTER_JS = """() => {
  const find = (selector) => {
    const found = [];
    document.querySelectorAll('*').forEach((node) => {
      if (node.shadowRoot) node.shadowRoot.querySelectorAll(selector).forEach((e) => found.push(e));
    });
    return found;
  };
  const stats = {frames: 0, changes: 0, missing: 0, last: null, start: performance.now(),
                 paints: [], lastPaint: null};
  window.__liveStats = stats;
  let canvases = find('canvas[data-kind]');
  let board = find('.dl-board')[0];
  const counter = find('.dl-step')[0];  // the canvas draws its own step line
  stats.expected = canvases.length;
  const sample = () => {
    stats.frames += 1;
    // textContent, not innerText: innerText lays the page out again on every frame.
    const text = counter.isConnected ? counter.textContent : null;
    if (text !== stats.last) { stats.changes += 1; stats.last = text; }
    if (canvases.some((c) => !c.isConnected)) canvases = find('canvas[data-kind]');
    if (canvases.length < stats.expected || canvases.some((c) => c.width === 0)) {
      stats.missing += 1;
    }
    if (board && board.dataset.step !== stats.lastPaint) {
      stats.lastPaint = board.dataset.step;
      stats.paints.push(parseFloat(board.dataset.paintMs));
    }
    requestAnimationFrame(sample);
  };
  requestAnimationFrame(sample);
}"""

RESULT_JS = """() => {
  const s = window.__liveStats;
  const paints = s.paints.slice().sort((a, b) => a - b);
  return {frames: s.frames, changes: s.changes, missing: s.missing, expected: s.expected,
          seconds: (performance.now() - s.start) / 1000, last: s.last,
          paint_ms: paints.length ? paints[Math.floor(paints.length / 2)] : null};
}"""


def measure(url: str, seconds: float) -> dict:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1400, "height": 1600})
        page.goto(url)
        page.locator(".dl-step").wait_for(timeout=90_000)
        page.wait_for_function(CANVASES_DRAWN_JS, timeout=60_000)
        page.get_by_role("button", name="Play", exact=True).click()
        page.get_by_role("button", name="Pause", exact=True).wait_for()
        # Let the server fill its 60-update window before sampling.
        page.get_by_text(re.compile(r"steps/s")).first.wait_for(timeout=60_000)
        page.evaluate(COUNTER_JS)
        page.wait_for_timeout(seconds * 1000)  # the measurement window itself
        stats = page.evaluate(RESULT_JS)
        caption = page.get_by_text(re.compile(r"steps/s")).first.inner_text()
        browser.close()
    server = re.search(r"([\d,]+) steps/s · (\d+) ms", caption)
    stats["steps_per_second"] = float(server.group(1).replace(",", ""))
    stats["server_ms"] = float(server.group(2))
    return stats


def quiet_update_ms(updates: int = 40) -> float:
    """Median time of one screen update's computation (a chunk of training steps, the
    predictions and payloads it draws) in this process, with no browser and no Streamlit
    around it, at the page's pace: the machine's speed at this moment, to read the
    server's figure against."""
    import time

    from dropout_viz.ui.runtime import one_math_thread_everywhere

    one_math_thread_everywhere()  # as the app does, before torch loads
    from dropout_viz.core import limits
    from dropout_viz.core.memory import reuse_freed_memory
    from dropout_viz.figures.board import board_payload
    from dropout_viz.state.twin_session import TwinSession
    from dropout_viz.ui.runtime import use_one_torch_thread

    use_one_torch_thread()
    reuse_freed_memory()
    chunk = limits.STEPS_PER_TICK.default  # the page's steps per screen update
    session = TwinSession()
    session.step(10 * chunk)  # warm up
    times = []
    for _ in range(updates):
        started = time.perf_counter()
        session.step(chunk)
        board_payload(session, example=0, frequency=False)
        times.append(time.perf_counter() - started)
        time.sleep(max(0.0, limits.TICK_SECONDS - times[-1]))  # the page's pace
    return 1000 * sorted(times)[len(times) // 2]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=15.0, help="measurement window")
    args = parser.parse_args()
    quiet_ms = quiet_update_ms()
    port = free_port()
    server = subprocess.Popen(
        streamlit_command(port),
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )
    try:
        url = f"http://127.0.0.1:{port}"
        wait_for_health(url, server, 120)
        s = measure(url, args.seconds)
    finally:
        server.terminate()
        server.wait(timeout=30)
    rows = [
        ("visible updates per second", s["changes"] / s["seconds"], ">= 15 (ceiling 20)"),
        ("browser frames per second", s["frames"] / s["seconds"], "~60"),
        (
            "frames with a chart missing",
            s["missing"],
            f"0 (of {s['frames']}, {s['expected']} canvases)",
        ),
        ("server time per update, median (ms)", s["server_ms"], "<= 25"),
        ("  same computation, quiet process (ms)", quiet_ms, "(no browser, no Streamlit)"),
        ("browser paint per update, median (ms)", s["paint_ms"], "(the browser shares the CPU)"),
        ("training steps per second (pair)", s["steps_per_second"], ">= 500"),
    ]
    print(f"Playground, default settings, {s['seconds']:.1f} s of play ({s['last']})")
    print(f"{'measure':38} {'value':>9}  target")
    for name, value, target in rows:
        print(f"{name:38} {value:9.1f}  {target}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
