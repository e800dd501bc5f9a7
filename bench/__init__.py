"""Benchmarks: each measures PhotoMania beside a bare baseline run in the same process tree.

``python -m bench`` (``make bench``) runs them all; see BENCHMARKS.md.
"""
