"""Key terms in AppTest: every term, its definition, its link; one source for tooltips."""

from dropout_viz import lesson
from dropout_viz.core import limits
from dropout_viz.pages import PAGES


def test_every_term_with_its_definition_and_a_link(run_page):
    at = run_page("key_terms")
    assert [h.value for h in at.subheader] == [t.name for t in lesson.TERMS_LIST]
    markdown = [m.value for m in at.markdown]
    links = [(link.proto.page, link.proto.label) for link in at.get("page_link")]
    landing = PAGES[0].URL_PATH
    for term in lesson.TERMS_LIST:
        assert term.definition in markdown
        assert ("" if term.where == landing else term.where, term.where_label) in links
    for required in ("Dropout", "Overfitting", "Regularization", "Inference", "Activation"):
        assert required.lower() in lesson.TERMS_BY_NAME  # the seed lesson's five
    assert lesson.ABOUT_P in [info.value for info in at.info]


def test_every_term_points_at_a_page_of_the_app():
    url_paths = {page.URL_PATH for page in PAGES}
    assert {term.where for term in lesson.TERMS_LIST} <= url_paths
    assert {advice.where for advice in lesson.WHEN_TO_USE} <= url_paths


def test_tooltips_come_from_the_same_definitions(run_page):
    assert lesson.tooltip("Mask") == lesson.TERMS_BY_NAME["mask"].definition
    assert lesson.tooltip("mask", "More.").endswith("More.")
    masks = run_page("masks_scaling")
    assert masks.sidebar.slider(key="ms_p").help == lesson.tooltip("dropout rate p")
    uncertainty = run_page("uncertainty")
    assert uncertainty.sidebar.slider(key="mc_passes").help.startswith(
        lesson.TERMS_BY_NAME["monte-carlo dropout"].definition
    )


def test_every_dataset_has_a_name_for_the_selectors():
    assert set(lesson.DATASET_NAMES) == set(limits.DATASETS)
