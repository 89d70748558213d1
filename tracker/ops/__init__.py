"""Operations tooling, apart from the catalogue's code: the gunicorn configuration
(`gunicorn.py`), backups and their restore check (`backups.py`), synthetic cases for load
tests (`synthetic.py`) and the benchmark's server settings and views (`settings_benchmark.py`,
`benchmarking.py`). The management commands that run them stay in tracker/management/."""
