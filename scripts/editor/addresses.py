"""`make addresses`: record the addresses the data publishes that are not in
data/addresses.txt yet (appended, never rewritten). What an address is, and
how `make check` compares the registry with the data, is the pipeline's
(scripts/pipeline/addresses/)."""

from __future__ import annotations

from ..pipeline.addresses import FIXED, REGISTRY, read_registry, tree_addresses
from ..pipeline.load.corpus import Corpus

HEADER = """\
# Every address this site has published, one per line, relative to the site root.
# Never delete a line: `make check` fails when one of these would stop working.
# New addresses are added by `make addresses`. See CONTRIBUTING.md (改名、合并与退役).
"""


def update_registry(corpus: Corpus) -> int:
    """Append the addresses the data publishes that are not recorded yet."""
    path = corpus.data_dir / REGISTRY
    recorded = {a for _, a in read_registry(corpus.data_dir)}
    new = sorted((set(tree_addresses(corpus)) | set(FIXED)) - recorded)
    text = path.read_text(encoding="utf-8") if path.exists() else HEADER
    if new:
        if not text.endswith("\n"):
            text += "\n"
        text += "".join(a + "\n" for a in new)
        path.write_text(text, encoding="utf-8")
    return len(new)
