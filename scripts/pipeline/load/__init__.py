"""Stage 1, load: the data files read with the line and column of every
value (document.py: load_yaml, Document, Problem) and checked against the
models into one Corpus (corpus.py: load_corpus)."""
