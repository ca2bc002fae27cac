"""The index room: source roots, the target interpreter, per-file summaries and the module index."""
