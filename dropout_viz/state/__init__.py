"""Where the app's state lives, in plain Python (no streamlit, so it is unit-tested
directly): one learner's Playground run (``twin_session``), a page's settings in its URL
(``url_state``) and the finished results every session shares (``shared_results``)."""
