"""The language server: pygls wiring only (documents, scheduler, conversion, features); analysis lives in the engine."""
