from pipeline.tasks import critical  # noqa: F401 - registers the stop-on-critical handler
