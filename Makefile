# Convenience targets; the README's two commands do not need make.
PY ?= .venv/bin/python

.PHONY: test lint notebooks demo

test:
	$(PY) -m pytest

lint:
	$(PY) -m ruff check .

demo:
	$(PY) -m matcher demo --out matcher-demo

# Execute every notebook on the embedded default data and render it to HTML for sharing.
notebooks:
	$(PY) -m jupyter nbconvert --execute --to html --output-dir notebooks/html notebooks/*.ipynb
