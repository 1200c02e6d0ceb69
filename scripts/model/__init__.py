"""The model: what the authored data is (models.py: every field a person
types, the one source of the JSON Schema), what its date phrases mean
(dates.py), and the address of everything (urls.py: from ids only).

The bottom of the import graph: it imports nothing of the project but
scripts.paths."""
