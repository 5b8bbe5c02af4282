"""The command line, ``python -m dropout_viz`` (its parser is ``dropout_viz/__main__.py``):
flags into the core's configs (``flags``, ``own_data``), tables and files out
(``output``), and one module per command (``train``, ``sweeps``, ``mc``)."""
