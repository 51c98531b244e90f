"""Benchmarks and synthetic data, outside the runtime package: `python -m geo bench …` and
`python -m geo synth …` import them lazily."""
