"""The package's shape: no import cycle inside src/helpers, one reader per report format."""
from __future__ import annotations

from helpers import ingest, paths, schema
from helpers.run.fingerprints import imported_helpers, module_file
from helpers.run.parameters import parse_python


def module_name(source) -> str:
    parts = source.relative_to(paths.PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def import_graph() -> dict[str, set[str]]:
    """Module -> the helpers modules it imports, lazily imported ones included (not its
    own packages)."""
    graph = {}
    for source in sorted(paths.PACKAGE.rglob("*.py")):
        name = module_name(source)
        package = name if source.name == "__init__.py" else name.rsplit(".", 1)[0]
        tree = parse_python(source.read_text(encoding="utf-8"))
        found = {module_name(module_file(found)) for found in imported_helpers(tree, package)
                 if module_file(found) is not None}
        # a module's own packages are imported before it anyway (`from . import x` names one)
        ancestors = {".".join(name.split(".")[:i]) for i in range(1, name.count(".") + 1)}
        graph[name] = found - ancestors - {name}
    return graph


def test_no_import_cycle_inside_the_package():
    graph = import_graph()
    assert "helpers.run.build" in graph and "helpers.ingest" in graph["helpers.run.build"]
    done, path = set(), []

    def visit(module):
        if module in path:
            cycle = path[path.index(module):] + [module]
            raise AssertionError("import cycle: " + " -> ".join(cycle))
        if module in done:
            return
        path.append(module)
        for imported in sorted(graph.get(module, ())):
            visit(imported)
        path.pop()
        done.add(module)

    for module in sorted(graph):
        visit(module)


def test_every_report_format_has_a_reader():
    assert set(ingest.READERS) == set(schema.REPORT_FORMATS)
