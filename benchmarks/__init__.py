"""Benchmarks: each stage timed in fresh processes; see benchmarks/README.md."""
