"""Kill points inside a process: the real CLI, run after patching one step to SIGKILL its own process (or, for
"hold", to wait inside the writer lock until a file appears). ``hooked(point, arg, cli_args)`` is the argv.

Points: "locked", "new_generation", "write_generation", "commit_generation" (killed after the arg-th call of that
step), "prune" (before the arg-th prune), "part" (batch: after the arg-th region part is on disk), "replace"
(a file named arg written whole to its temporary name, killed before the rename), "hold".
"""

from __future__ import annotations

import sys

HOOK = r"""
import os, signal, sys, time
from pathlib import Path
from matcher.batch import run as batch
from matcher.cli.main import main
from matcher.store.generations import Generations
from matcher.store.records import InnovationRepository
from matcher.store.writer import IndexWriter
point, arg = sys.argv[1], sys.argv[2]
calls = 0
def die():
    os.kill(os.getpid(), signal.SIGKILL)
def on_nth_call(owner, name, before):
    original = getattr(owner, name)
    def wrapped(*a, **k):
        global calls
        calls += 1
        if before and calls == int(arg):
            die()
        result = original(*a, **k)
        if calls == int(arg):
            die()
        return result
    setattr(owner, name, wrapped)
STEPS = {
    "locked": (InnovationRepository, "hashes"),          # first read under the writer lock; nothing written
    "new_generation": (Generations, "new"),     # empty generation folder made
    "write_generation": (IndexWriter, "_write_generation"),  # index files written, records not committed
    "commit_generation": (Generations, "commit"),      # pointer set inside the open transaction
}
if point in STEPS:
    on_nth_call(*STEPS[point], before=False)
elif point == "prune":      # committed; killed before the old generation is pruned (and before any answer)
    on_nth_call(Generations, "prune", before=True)
elif point == "part":       # batch: after the arg-th region part is on disk
    on_nth_call(batch, "atomic_write_text", before=False)
elif point == "replace":    # a file wholly written to its temporary name, killed before the rename
    real_replace = os.replace
    def replace(src, dst, *a, **k):
        if os.path.basename(dst) == arg:
            die()
        return real_replace(src, dst, *a, **k)
    os.replace = replace
elif point == "hold":       # hold the writer lock until the file arg exists
    original = Generations.new
    def holding(self):
        Path(arg + ".holding").touch()
        deadline = time.monotonic() + 120
        while not Path(arg).exists() and time.monotonic() < deadline:
            time.sleep(0.02)
        return original(self)
    Generations.new = holding
sys.exit(main(sys.argv[3:]))
"""


def hooked(point: str, arg: str, args: list[str]) -> list[str]:
    """argv running ``matcher *args`` with the kill point ``point`` (``arg``: which call, or a file name)."""
    return [sys.executable, "-c", HOOK, point, arg, *args]
