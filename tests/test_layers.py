"""The house rules of DESIGN.md, section 2: which layer may import which."""

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "dropout_viz"


def imports(path: Path) -> set[str]:
    """Every module a file imports, at any depth (late imports count too), absolute."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom):
            if node.level:  # relative: from the file's package, up level - 1 packages
                package = path.relative_to(PACKAGE.parent).parent.parts
                parent = ".".join(package[: len(package) - node.level + 1])
                found.add(f"{parent}.{node.module}" if node.module else parent)
            else:
                found.add(node.module)
    return found


def files(layer: str) -> list[Path]:
    return sorted((PACKAGE / layer).glob("*.py"))


# (layer, what it must never import)
RULES = [
    ("core", ("streamlit", "plotly", "dropout_viz.figures", "dropout_viz.pages", "dropout_viz.ui")),
    ("figures", ("streamlit", "dropout_viz.pages", "dropout_viz.ui")),
    ("state", ("streamlit", "plotly", "dropout_viz.pages", "dropout_viz.ui")),
    ("serving", ("streamlit", "plotly", "dropout_viz.pages", "dropout_viz.ui")),
    ("ui", ("dropout_viz.pages",)),  # the pages import ui: the other way would be a circle
    ("cli", ("streamlit", "plotly", "dropout_viz.pages", "dropout_viz.ui", "dropout_viz.figures")),
]


@pytest.mark.parametrize(("layer", "forbidden"), RULES, ids=[r[0] for r in RULES])
def test_layer_imports_only_downwards(layer, forbidden):
    broken = {
        f"{path.name}: {name}"
        for path in files(layer)
        for name in imports(path)
        if name and any(name == f or name.startswith(f + ".") for f in forbidden)
    }
    assert not broken, sorted(broken)
