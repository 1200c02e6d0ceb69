"""The pipeline that turns data/ into the site, one stage per package or
module, each importing only the stages before it:

  load/        1. read the YAML files (with line and column) into a Corpus
  validate/    2. every problem in one run, one rule per function
  addresses/      the published addresses: checked by validate, kept alive
                  by render (redirect pages)
  enrich/      3. every computed field, listed in one place
  render/      4. templates and data files into the docs folder
  build/       5. mkdocs --strict into a temporary folder, then published

`python -m scripts generate` runs 1–4 (build/generation.py), `python -m
scripts build` all five.
"""
