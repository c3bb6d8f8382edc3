"""The documents staff learn from, from file to chunks, before the store is touched.

manifest.py names the documents (manifest.yaml, questions files); read.py reads a file whatever its
encoding; clean.py turns a raw extraction into one statement per line; chunk.py cuts that at its headings
into chunks with a simplified index text; documents.py finds the files to ingest and runs the three.
"""
