"""The editor's tools: what a clerk runs to add or correct plans, apart from
the build that publishes them.

  importer/    `make import SRC=…`: a draft plan from the plain text of a plan
  scaffold.py  `make new-plan ID=…`: a valid stub plan to start from
  fmt.py       `make fmt`: every YAML file in one canonical style
  addresses.py `make addresses`: record newly published addresses
  schema.py    `make schema`: the JSON Schema, written from the models
"""
