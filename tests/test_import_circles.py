"""No import circles within bot/ (a module that imports another that imports it back cannot be
understood or tested alone). The import-linter contract "No import circles within bot or flows"
(pyproject.toml, acyclic_siblings) forbids them between sibling packages and modules; this test
checks module by module with grimp, the graph library import-linter is built on, so it also covers
the one import that contract leaves out (bot.outgoing -> bot.delivery.split).

Handlers hand a person on to another conversation through ``Turn.then``, never by importing the
engine back."""

from __future__ import annotations

import grimp


def circles(package: str) -> set[frozenset[str]]:
    """Pairs (importer, imported) where the imported module leads back to the importer."""
    graph = grimp.build_graph(package, cache_dir=None)
    found = set()
    for module in graph.modules:
        for imported in graph.find_modules_directly_imported_by(module):
            if imported != module and graph.find_shortest_chain(imported, module) is not None:
                found.add(frozenset({module, imported}))
    return found


def test_bot_has_no_import_circles() -> None:
    assert circles("bot") == set()


def test_flows_has_no_import_circles() -> None:
    assert circles("flows") == set()
