"""How one server process serves a whole class: one trainer thread for every playing run
(``trainer``), the feed every live screen reads its updates from (``feed``), a teacher's
run that the class follows, and freeing the work of closed tabs (``classroom``). Plain
Python (Starlette for the feed's route): Streamlit's side is ``ui/class_server``."""
