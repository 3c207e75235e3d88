"""fgrad benchmarks: the same workloads run side by side in fgrad and its peers.

Run ``python -m benchmarks`` (``--quick`` for a short run, ``--only W1,W3`` to pick
workloads, ``--out DIR`` for where the JSON/Markdown results go).  Every workload first
checks that all frameworks compute the same numbers, then times medians over repeats and
reports each time as a ratio to fgrad's.  Peers that are not installed are skipped.

Each workload module (``w1_scalar`` ... ``w6_mlp``) exposes ``ID``, ``TITLE`` and
``run(settings) -> list[Row]``; `benchmarks.harness` holds what they share.
"""
