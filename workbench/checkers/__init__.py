"""The checkers (Maelstrom's src/maelstrom/core.clj files their results under fixed keys).

Those every workload gets: perf.py (:perf), stats.py (:stats, :availability, :exceptions) and
compose.py (each checker run guarded, so one crash leaves the others' results). Those the
workloads share or own: set_full.py (Jepsen's set-full, for broadcast and g-set), kafka/
(Jepsen's kafka analysis) and linear/ (lin-kv's per-key linearizability). Elle, the
transactional checker, is workbench.elle; the validity values are in workbench.validity."""
