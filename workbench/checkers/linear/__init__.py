"""The linearizability checker lin-kv runs per key (Maelstrom's lin_kv.clj hands each key to
Knossos's cas-register model), one package whose parts take plain data:

    cas_register  the register model (Knossos's model.clj) and a key's history as the ops a
                  search sees; the per-key split; a brute-force reference
    search        the Wing-Gong-Lowe search with Lowe's cache (Knossos's wgl.clj, in
                  Porcupine's form) and `check_register`, one key's result
    evidence      a failing key's Knossos fields (op, previous-ok, final-paths) and the
                  longest linearizable prefix
    view          a failing key's counterexample as a self-contained HTML page
"""

from __future__ import annotations

from .cas_register import subhistories
from .search import VIEW_ONLY, BudgetExhausted, Search, check_register
from .view import write_view

__all__ = ["VIEW_ONLY", "BudgetExhausted", "Search", "check_register", "subhistories",
           "write_view"]
