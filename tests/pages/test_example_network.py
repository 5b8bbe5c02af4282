"""The example network in AppTest: the code, train vs eval passes, masks, when to use it."""

import numpy as np
import pytest

from dropout_viz import lesson
from dropout_viz.core import example
from dropout_viz.pages import PAGES
from tests.pages.charts import chart


def outputs_table(at):
    (table,) = [d.value for d in at.dataframe if "train pass 1" in d.value.columns]
    return table


def test_shows_the_lessons_code_exactly(run_page):
    at = run_page("example_network")
    assert at.code[0].value == lesson.EXAMPLE_CODE.rstrip("\n")  # st.code trims the last newline
    assert at.code[0].language == "python"
    assert "nn.Dropout(p=0.3)" in at.code[0].value
    assert at.code[1].value == example.run_example(0).printed  # what print(output) shows


def test_train_passes_differ_eval_passes_do_not(run_page):
    at = run_page("example_network")
    table = outputs_table(at)
    assert len(table) == 5
    train = table[["train pass 1", "train pass 2", "train pass 3"]].to_numpy()
    evals = table[["eval pass 1", "eval pass 2", "eval pass 3"]].to_numpy()
    assert not np.allclose(train[:, 0], train[:, 1]) and not np.allclose(train[:, 1], train[:, 2])
    assert (evals == evals[:, :1]).all()  # identical, not merely close
    tolerance = table["tolerance (4 s.e.)"].to_numpy()
    assert (table["|eval − mean|"].to_numpy() <= tolerance).all()
    assert (tolerance > 0).all() and (tolerance < 0.05).all()  # tight enough to mean something
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["Train-mode passes"] == "differ"
    assert metrics["Eval-mode passes"] == "identical"
    assert at.success and "10,000 train-mode passes" in at.success[0].value


def test_seed_changes_the_run(run_page):
    at = run_page("example_network")
    before = outputs_table(at)["eval pass 1"].to_numpy()
    at.number_input(key="ex_seed").set_value(5).run()
    assert not at.exception
    after = outputs_table(at)["eval pass 1"].to_numpy()
    assert not np.allclose(before, after)
    assert at.code[1].value == example.run_example(5).printed
    assert at.number_input(key="ex_seed").help


def test_masks_are_a_5_by_50_grid_per_pass(run_page):
    at = run_page("example_network")
    heat_maps = chart(at, "ex_masks")["data"]
    assert len(heat_maps) == 3
    grids = [np.asarray(h["z"]) for h in heat_maps]
    assert all(g.shape == (5, 50) for g in grids)
    assert not np.array_equal(grids[0], grids[1])  # a new mask every pass
    # p = 0.3 over 750 draws: the dropped share is 0.3 ± 0.08 (5 std).
    assert abs(1 - np.mean(grids) - 0.3) < 0.08


def test_every_piece_of_advice_links_to_where_the_app_shows_it(run_page):
    at = run_page("example_network")
    links = {(link.proto.page, link.proto.label) for link in at.get("page_link")}
    url_paths = {page.URL_PATH for page in PAGES}
    markdown = " ".join(m.value for m in at.markdown)
    for advice in lesson.WHEN_TO_USE:
        assert advice.text in markdown
        assert advice.where in url_paths
        if advice.where == lesson.EXAMPLE:
            assert "(#train-vs-eval)" in markdown  # this page: a link to its own section
        else:
            page = "" if advice.where == PAGES[0].URL_PATH else advice.where  # the landing page
            assert (page, advice.where_label) in links
        for preset in advice.presets:
            assert f"[{preset.label}]({preset.url})" in markdown


@pytest.mark.parametrize("preset", [p for a in lesson.WHEN_TO_USE for p in a.presets])
def test_presets_are_settings_the_playground_accepts(preset):
    from dropout_viz.state import url_state
    from dropout_viz.state.twin_session import RULES, PlaygroundSettings

    settings, warnings = url_state.from_query(PlaygroundSettings, dict(preset.query), RULES)
    assert warnings == []
    for key, value in preset.query:
        assert str(getattr(settings, key)) == value
