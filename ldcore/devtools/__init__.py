"""Developer tools behind `ldalign` commands, not use cases of the app: the demo company and the benchmark."""
