"""How one server process serves a whole class: pacing live pages under load
(``pacing``), a teacher's run that the class follows, and freeing the work of
closed tabs (``classroom``). Plain Python, no streamlit, so it is unit-tested
directly; ``ui/class_server.py`` connects it to Streamlit."""
