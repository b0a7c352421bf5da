"""The service fuzzer (``make fuzz``): service_fuzz.py plays, __main__.py runs and reports."""
